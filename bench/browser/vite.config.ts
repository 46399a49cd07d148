import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The benchmark page measures the built package (dist/), as users get it.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  logLevel: 'warn',
  resolve: {
    alias: { sepconv: fileURLToPath(new URL('../../dist/index.js', import.meta.url)) },
  },
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 8000,
  },
});
