// onnxruntime-web's wasm build (the wasm execution provider only), and the configuration
// every build gets; see ort-load.ts for how loading works. On its own in this module so that
// a page needing only the wasm build (the demo's agreement checks) does not bundle the WebGPU
// build's .wasm too: a bundler emits the target of every import() it can reach.

import type * as Ort from 'onnxruntime-web/webgpu';

export type OrtModule = typeof Ort;

/**
 * The module as imported (its namespace, or the default export of a pre-bundled copy), configured:
 * one thread (or `threaded.threads`, see loadOrtWasmThreaded in ort-load.ts), no proxy worker,
 * errors only in the log.
 */
export function configureOrt(mod: unknown, wasmUrl: string, threaded?: { threads: number; mjsUrl: string }): OrtModule {
  const m = mod as OrtModule & { default?: OrtModule };
  const o: OrtModule = m.InferenceSession ? m : (m.default ?? m);
  o.env.wasm.numThreads = threaded?.threads ?? 1;
  o.env.wasm.proxy = false;
  const wasm = new URL(wasmUrl, location.href).href;
  o.env.wasm.wasmPaths = threaded ? { wasm, mjs: new URL(threaded.mjsUrl, location.href).href } : { wasm };
  o.env.logLevel = 'error';
  return o;
}

/** onnxruntime-web with the wasm (CPU) execution provider only: the smaller build. */
export async function loadOrtWasm(): Promise<OrtModule> {
  const [mod, wasm] = await Promise.all([import('onnxruntime-web/wasm'), import('onnxruntime-web/ort-wasm-simd-threaded.wasm?url')]);
  return configureOrt(mod, wasm.default);
}
