// GPU engines for tests. No adapter is a failure, not a skip: a CI run that
// silently skipped every GPU test would prove nothing.
import './setup.js';
import { afterAll, beforeAll } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';

export async function createGpuEngine(): Promise<Engine> {
  const engine = await createEngine({ backend: 'webgpu' });
  if (engine.backend !== 'webgpu') throw new Error('expected a WebGPU engine');
  return engine;
}

/**
 * A WebGPU engine and a CPU engine for the tests of the calling file or describe
 * block: made before its tests (beforeAll), destroyed after them (afterAll). Read
 * `gpu` and `cpu` inside the tests, not when the file loads.
 */
export function gpuAndCpuEngines(): { readonly gpu: Engine; readonly cpu: Engine } {
  const engines = {} as { gpu: Engine; cpu: Engine };
  beforeAll(async () => {
    engines.gpu = await createGpuEngine();
    engines.cpu = await createEngine({ backend: 'cpu' });
  });
  afterAll(() => {
    engines.gpu?.destroy();
    engines.cpu?.destroy();
  });
  return engines;
}

// Dawn's Node binding tears its instance down when the GPU object is garbage
// collected, taking its devices with it: keep the one the tests create alive.
let testGpu: GPU | undefined;

/** The tests' WebGPU entry point (navigator.gpu, or one Dawn instance kept alive). */
export async function testGpuEntry(): Promise<GPU> {
  testGpu ??= (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu ?? (await import('webgpu')).create([]);
  return testGpu;
}

/** A device with WebGPU's default limits, made by the test (for injection). */
export async function createDefaultDevice(): Promise<GPUDevice> {
  const gpu = await testGpuEntry();
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
  return withMembers(device, { limits: withMembers(device.limits, overrides as Partial<GPUSupportedLimits>) });
}

/**
 * A view of `device` whose out-of-memory error scopes report an injected
 * GPUOutOfMemoryError while armed: `arm(n)` fails the next n scopes (the real
 * scopes still push and pop in balance).
 */
export function withInjectedOutOfMemory(device: GPUDevice): { device: GPUDevice; arm: (count: number) => void } {
  const filters: GPUErrorFilter[] = [];
  let left = 0;
  const view = withMembers(device, {
    pushErrorScope(filter: GPUErrorFilter) {
      filters.push(filter);
      device.pushErrorScope(filter);
    },
    async popErrorScope() {
      const armed = filters.pop() === 'out-of-memory' && left > 0;
      if (armed) left--;
      const real = await device.popErrorScope();
      return armed ? ({ message: 'injected out-of-memory error' } as GPUError) : real;
    },
  });
  return { device: view, arm: (count) => (left = count) };
}

/**
 * A view of `target` with `members` in place of its own: every other member is the
 * target's, its methods bound to the target, so a view of a GPUDevice works as one
 * (for counting calls, or injecting limits and errors).
 */
export function withMembers<T extends object>(target: T, members: Partial<T>): T {
  return new Proxy(target, {
    get(t, key) {
      if (Object.hasOwn(members, key)) return members[key as keyof T];
      const v = Reflect.get(t, key);
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });
}
