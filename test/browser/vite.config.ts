import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The page imports 'sepconv' as a user would; the name resolves to the built
// package (dist/), so this test covers the published bundle, not the sources.
export default defineConfig({
  root: fileURLToPath(new URL('./page', import.meta.url)),
  logLevel: 'warn',
  resolve: {
    alias: { sepconv: fileURLToPath(new URL('../../dist/index.js', import.meta.url)) },
  },
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
  },
});
