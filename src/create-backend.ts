// Creating an engine's backend from its options: the option checks, then the CPU or
// wasm backend, or a WebGPU device and the backend on it. 'auto' takes WebGPU only on a
// hardware adapter (a software one, SwiftShader or llvmpipe, is slower than our wasm
// kernels on the same CPU), else wasm, else the CPU reference where there is no SIMD.
// Used by createEngine and by engine.recover().

import type { Backend } from './backend.js';
import { CpuBackend } from './cpu/backend.js';
import { SepconvError, describe } from './errors.js';
import { WebGpuBackend } from './gpu/backend.js';
import { WasmBackend } from './wasm/backend.js';
import { simdSupported } from './wasm/emit.js';
import { MAX_THREADS } from './wasm/pool.js';
import { acquireDevice } from './gpu/device.js';
import { checkKernelChoice } from './kernels/registry.js';
import type { EngineOptions } from './options.js';
import { checkTuningRecords } from './tuning/records.js';
import { invalid } from './validate.js';

/** Checks `options` and creates the backend they ask for. */
export async function createBackend(options: EngineOptions): Promise<Backend> {
  const op = 'createEngine';
  if (options === null || typeof options !== 'object') throw invalid(op, 'options', 'an object', describe(options));
  const choice = options.backend ?? 'auto';
  if (choice !== 'webgpu' && choice !== 'cpu' && choice !== 'wasm' && choice !== 'auto') {
    throw invalid(op, 'options.backend', "'webgpu', 'wasm', 'cpu' or 'auto'", describe(choice));
  }
  const m = options.maxDispatchesPerSubmit;
  if (m !== undefined && !(Number.isInteger(m) && m > 0)) {
    throw invalid(op, 'options.maxDispatchesPerSubmit', 'a positive integer', describe(m));
  }
  if (options.kernels !== undefined) checkKernelChoice(op, options.kernels);
  // Checked whole before anything is applied; the CPU backend has no kernels to tune.
  const tuning = options.tuning === undefined ? undefined : checkTuningRecords(options.tuning);
  const threads = options.threads;
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) {
    throw invalid(op, 'options.threads', 'a positive integer', describe(threads));
  }
  if (choice === 'cpu') return new CpuBackend();
  if (choice === 'wasm') return wasmOrCpu(threads);
  let acquired;
  try {
    // An injected device is the caller's choice, whatever its adapter.
    acquired = await acquireDevice({ ...options, hardwareOnly: choice === 'auto' && !options.device });
  } catch (e) {
    // 'auto' means: a hardware GPU when there is one. None (or no WebGPU at all) is not an error then.
    if (choice === 'auto' && e instanceof SepconvError && e.code === 'BACKEND_UNAVAILABLE') return wasmOrCpu(threads);
    throw e;
  }
  const gpuOptions = {
    ...(options.kernels !== undefined && { kernels: options.kernels }),
    ...(tuning !== undefined && { tuning }),
    ...(options.printShaders !== undefined && { printShaders: options.printShaders }),
    ...(m !== undefined && { maxDispatchesPerSubmit: m }),
  };
  return new WebGpuBackend(acquired, gpuOptions);
}

/**
 * The wasm backend on `threads` threads (default: as many as it can have here, at most 4),
 * or the reference where this JavaScript engine has no WebAssembly SIMD (with a console note).
 */
async function wasmOrCpu(threads: number | undefined): Promise<Backend> {
  if (!simdSupported()) {
    console.info('sepconv: this JavaScript engine has no WebAssembly SIMD; the reference CPU backend runs instead');
    return new CpuBackend();
  }
  const { backend, why } = await WasmBackend.create(threads ?? MAX_THREADS);
  if (threads !== undefined && why) console.info(`sepconv: the wasm backend runs on ${backend.threads} thread(s), not ${threads}: ${why}`);
  return backend;
}
