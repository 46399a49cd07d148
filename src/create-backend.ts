// Creating an engine's backend from its options: the option checks, then the CPU
// backend, or a WebGPU device and the backend on it ('auto' falls back to the CPU
// when there is no adapter). Used by createEngine and by engine.recover().

import type { Backend } from './backend.js';
import { CpuBackend } from './cpu/backend.js';
import { SepconvError, describe } from './errors.js';
import { WebGpuBackend, type KernelChoice } from './gpu/backend.js';
import { acquireDevice } from './gpu/device.js';
import type { EngineOptions } from './options.js';
import { invalid } from './validate.js';

/** Checks `options` and creates the backend they ask for. */
export async function createBackend(options: EngineOptions): Promise<Backend> {
  const op = 'createEngine';
  if (options === null || typeof options !== 'object') throw invalid(op, 'options', 'an object', describe(options));
  const choice = options.backend ?? 'auto';
  if (choice !== 'webgpu' && choice !== 'cpu' && choice !== 'auto') {
    throw invalid(op, 'options.backend', "'webgpu', 'cpu' or 'auto'", describe(choice));
  }
  const m = options.maxDispatchesPerSubmit;
  if (m !== undefined && !(Number.isInteger(m) && m > 0)) {
    throw invalid(op, 'options.maxDispatchesPerSubmit', 'a positive integer', describe(m));
  }
  if (options.kernels !== undefined) checkKernelChoice(op, options.kernels);
  if (choice === 'cpu') return new CpuBackend();
  let acquired;
  try {
    acquired = await acquireDevice(options);
  } catch (e) {
    // 'auto' means: the GPU when there is one. No adapter (or no WebGPU at all) is not an error then.
    if (choice === 'auto' && e instanceof SepconvError && e.code === 'BACKEND_UNAVAILABLE') return new CpuBackend();
    throw e;
  }
  const gpuOptions = {
    ...(options.kernels !== undefined && { kernels: options.kernels }),
    ...(options.printShaders !== undefined && { printShaders: options.printShaders }),
    ...(m !== undefined && { maxDispatchesPerSubmit: m }),
  };
  return new WebGpuBackend(acquired, gpuOptions);
}

const KERNEL_VARIANTS: Record<Exclude<keyof KernelChoice, 'depthwiseRows'>, readonly string[]> = {
  depthwise: ['auto', '3x3', '5x5', 'vec4', 'scalar'],
  pointwise: ['auto', 'tiled', 'direct', 'direct8', 'conv8'],
  conv2d: ['auto', 'tiled', 'direct', 'direct8'],
  separable: ['auto', 'fused', 'unfused'],
};

/** Checks `options.kernels`: known keys, each a variant of its op (or a strip height). */
export function checkKernelChoice(op: string, k: KernelChoice): void {
  if (k === null || typeof k !== 'object') throw invalid(op, 'options.kernels', 'an object', describe(k));
  for (const [key, value] of Object.entries(k)) {
    if (key === 'depthwiseRows') {
      if (!(Number.isInteger(value) && value >= 1 && value <= 64)) throw invalid(op, 'options.kernels.depthwiseRows', 'an integer from 1 to 64', describe(value));
      continue;
    }
    const allowed = KERNEL_VARIANTS[key as keyof typeof KERNEL_VARIANTS];
    if (allowed === undefined) throw invalid(op, `options.kernels.${key}`, `one of the keys ${[...Object.keys(KERNEL_VARIANTS), 'depthwiseRows'].join(', ')}`, 'an unknown key');
    if (value !== undefined && !allowed.includes(value as string)) {
      throw invalid(op, `options.kernels.${key}`, allowed.map((a) => `'${a}'`).join(', '), describe(value));
    }
  }
}
