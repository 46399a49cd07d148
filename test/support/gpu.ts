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
