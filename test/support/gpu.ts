// GPU engines for tests. No adapter is a failure, not a skip: a CI run that
// silently skipped every GPU test would prove nothing.
import './setup.js';
import { createEngine, type Engine } from '../../src/index.js';

export async function createGpuEngine(): Promise<Engine> {
  const engine = await createEngine({ backend: 'webgpu' });
  if (engine.backend !== 'webgpu') throw new Error('expected a WebGPU engine');
  return engine;
}

// Dawn's Node binding tears its instance down when the GPU object is garbage
// collected, taking its devices with it: keep the one the tests create alive.
let testGpu: GPU | undefined;

/** A device with WebGPU's default limits, made by the test (for injection). */
export async function createDefaultDevice(): Promise<GPUDevice> {
  testGpu ??= (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu ?? (await import('webgpu')).create([]);
  const gpu = testGpu;
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter');
  return adapter.requestDevice();
}

/**
 * A view of `device` whose `limits` report `overrides` instead: lowered limits make
 * sepconv split work (bands, folded grids) on small tensors; raised ones make it
 * send work the real device rejects. Everything else is the real device.
 */
export function withLimits(device: GPUDevice, overrides: Partial<Record<keyof GPUSupportedLimits, number>>): GPUDevice {
  const limits = new Proxy(device.limits, {
    get: (target, key) => (key in overrides ? overrides[key as keyof GPUSupportedLimits] : Reflect.get(target, key)),
  });
  return new Proxy(device, {
    get(target, key) {
      if (key === 'limits') return limits;
      const v = Reflect.get(target, key);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

/**
 * A view of `device` whose out-of-memory error scopes report an injected
 * GPUOutOfMemoryError while armed: `arm(n)` fails the next n scopes (the real
 * scopes still push and pop in balance).
 */
export function withInjectedOutOfMemory(device: GPUDevice): { device: GPUDevice; arm: (count: number) => void } {
  const filters: GPUErrorFilter[] = [];
  let left = 0;
  const view = new Proxy(device, {
    get(target, key) {
      if (key === 'pushErrorScope') {
        return (filter: GPUErrorFilter) => {
          filters.push(filter);
          target.pushErrorScope(filter);
        };
      }
      if (key === 'popErrorScope') {
        const armed = filters[filters.length - 1] === 'out-of-memory' && left > 0;
        if (armed) left--;
        return async () => {
          filters.pop();
          const real = await target.popErrorScope();
          return armed ? ({ message: 'injected out-of-memory error' } as GPUError) : real;
        };
      }
      const v = Reflect.get(target, key);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { device: view, arm: (count) => (left = count) };
}
