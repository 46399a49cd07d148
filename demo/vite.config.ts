import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Demo page for `npm start`. The bare import `sepconv` resolves to the library's
// source, so the demo runs on a fresh clone without building the package first.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: {
    alias: {
      sepconv: fileURLToPath(new URL('../src/index.ts', import.meta.url)),
    },
  },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
  },
});
