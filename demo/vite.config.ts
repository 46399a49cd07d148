import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Demo page: `npm start` serves it (Vite's CLI flags pass through: `npm start -- --port 8080`),
// `npm run build:demo` builds it statically into demo/dist. The bare import `sepconv` resolves
// to the library's source, so the demo runs on a fresh clone without building the package
// first. The page also imports a few plain-TS modules of bench/ (cases, the sepconv engine).
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
    // TF.js (WebGPU backend) is one lazily loaded chunk of ~1 MB, fetched only by the benchmark panel.
    chunkSizeWarningLimit: 2000,
  },
});
