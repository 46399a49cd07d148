import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Library build: one ESM file, WGSL inlined through `?raw` imports. The Node
// WebGPU binding (`webgpu`) stays external: it is an optional dependency that
// src/gpu/device.ts imports only when no `navigator.gpu` exists.
export default defineConfig({
  // Tests and bench modules import the package by name; in tests that is the source.
  resolve: {
    alias: { sepconv: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
  },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    minify: false,
    lib: {
      entry: 'src/index.ts',
      formats: ['es'],
      fileName: () => 'index.js',
    },
    rollupOptions: {
      // Dependencies stay imports of the package's own dependencies (onnx-buf, @bufbuild/protobuf).
      external: ['webgpu', /^node:/, 'onnx-buf', /^@bufbuild\/protobuf/],
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/setup.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
