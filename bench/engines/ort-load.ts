// Loading ONNX Runtime Web in a browser page, for the bench's ONNX Runtime engine (ort.ts, the
// WebGPU execution provider) and the demo's agreement checks (the wasm execution provider).
//
// `onnxruntime-web/webgpu` resolves (package exports, "import" → "default") to
// dist/ort.webgpu.bundle.min.mjs, and `onnxruntime-web/wasm` to dist/ort.wasm.bundle.min.mjs; each
// inlines its Emscripten glue (.mjs) and loads only its .wasm at run time
// (ort-wasm-simd-threaded.asyncify.wasm, the native WebGPU EP build, or ort-wasm-simd-threaded.wasm,
// CPU only). We import that .wasm with Vite's `?url` and hand it to `env.wasm.wasmPaths.wasm`, so
// its location never depends on `import.meta.url` of the (possibly pre-bundled) JS: this works in
// `vite dev` (with or without onnxruntime-web in optimizeDeps) and in `vite build` + `vite preview`
// (the .wasm is emitted as an asset). Single-threaded (numThreads = 1, no worker, no proxy): the
// pages are not cross-origin isolated; except bench:browser --threads n > 1, whose page is, and
// which runs the wasm build on n threads (loadOrtWasmThreaded; the WebGPU build stays on one).

import { configureOrt, loadOrtWasm, type OrtModule } from './ort-load-wasm';

export { loadOrtWasm, type OrtModule };

/** Which build of onnxruntime-web: with the WebGPU execution provider (and the wasm one), or the wasm one only. */
export type OrtBuild = 'webgpu' | 'wasm';

/** onnxruntime-web with the WebGPU execution provider (and the wasm one). */
export async function loadOrtWebGpu(): Promise<OrtModule> {
  const [mod, wasm] = await Promise.all([import('onnxruntime-web/webgpu'), import('onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url')]);
  return configureOrt(mod, wasm.default);
}

/**
 * onnxruntime-web's wasm build on `threads` (> 1) threads: a cross-origin isolated page only (else
 * onnxruntime-web warns and runs one). Its runtime then starts threads − 1 module workers
 * (Emscripten pthreads) on the script that holds its Emscripten glue (`new Worker(new
 * URL(import.meta.url))`). Bundled, that script would be the chunk Vite made of the bundle, which
 * imports the page's main chunk (a shared helper) and so runs the page in each worker. So the glue
 * is loaded from its own file instead, ort-wasm-simd-threaded.mjs (emitted as is with `?url`, given as
 * `env.wasm.wasmPaths.mjs`): it stands alone, and the workers run just it.
 */
export async function loadOrtWasmThreaded(threads: number): Promise<OrtModule> {
  const [mod, wasm, mjs] = await Promise.all([
    import('onnxruntime-web/wasm'),
    import('onnxruntime-web/ort-wasm-simd-threaded.wasm?url'),
    import('onnxruntime-web/ort-wasm-simd-threaded.mjs?url'),
  ]);
  return configureOrt(mod, wasm.default, { threads, mjsUrl: mjs.default });
}

/**
 * onnxruntime-web's `build`, configured; `threads` (the wasm build only; default 1): env.wasm.numThreads.
 * A page that needs only the wasm build imports loadOrtWasm from ort-load-wasm.ts instead, and bundles one .wasm.
 */
export function loadOrt(build: OrtBuild, threads = 1): Promise<OrtModule> {
  if (build === 'webgpu') return loadOrtWebGpu();
  return threads > 1 ? loadOrtWasmThreaded(threads) : loadOrtWasm();
}
