// GPU engines for tests. No adapter is a failure, not a skip: a CI run that
// silently skipped every GPU test would prove nothing.
import './setup.js';
import { createEngine, type Engine } from '../../src/index.js';

export async function createGpuEngine(): Promise<Engine> {
  const engine = await createEngine({ backend: 'webgpu' });
  if (engine.backend !== 'webgpu') throw new Error('expected a WebGPU engine');
  return engine;
}
