// What the page's sections share: the three engines, the backend in use and the
// current image, with its input tensor on each engine.

import type { Engine, Tensor } from 'sepconv';
import type { RgbImage, Webcam } from './image.js';

export type BackendName = Engine['backend'];

export interface App {
  /** The WebGPU engine, or null when this browser has no WebGPU adapter. */
  gpu: Engine | null;
  /** The WebAssembly SIMD engine, or null when this browser cannot run it (no WebAssembly SIMD). */
  wasm: Engine | null;
  /** sepconv's CPU reference backend. */
  cpu: Engine;
  /** The backend the live image and the comparison run on. */
  backend: BackendName;
  image: RgbImage;
  /** Bumped whenever `image` changes. */
  imageVersion: number;
  /**
   * The webcam while it streams into the live section (its frames go to
   * `engine.fromPixels` there; `image` stays the last still image until it stops).
   */
  webcam: Webcam | null;
}

/** The engine of `backend`, or null when this browser has none. */
export function engineOf(app: App, backend: BackendName): Engine | null {
  return backend === 'webgpu' ? app.gpu : backend === 'wasm' ? app.wasm : app.cpu;
}

/** The selected backend's engine; the CPU reference when that one is gone (e.g. a lost GPU device). */
export function activeEngine(app: App): Engine {
  return engineOf(app, app.backend) ?? app.cpu;
}

/** The fastest backend this browser has: WebGPU, else WebAssembly (about 8× the reference on MobileNetV2), else the CPU reference. */
export function bestBackend(app: App): BackendName {
  return app.gpu ? 'webgpu' : app.wasm ? 'wasm' : 'cpu';
}

/**
 * How the page's sentences name a backend ("… on WebGPU", "… on WebAssembly (SIMD)", "… on
 * the CPU backend"); `cpu` words the reference where a section says it more briefly.
 */
export function backendLabel(backend: BackendName, cpu = 'the CPU backend'): string {
  return backend === 'webgpu' ? 'WebGPU' : backend === 'wasm' ? 'WebAssembly (SIMD)' : cpu;
}

const inputs = new Map<Engine, { version: number; tensor: Tensor }>();

/**
 * Image `version` (an `app.imageVersion`, taken with `image` at the start of a
 * computation, so that webcam frames arriving meanwhile don't mix in) as a
 * [1, H, W, 3] tensor on `engine`, uploaded once per image.
 */
export function inputTensor(engine: Engine, image: RgbImage, version: number): Tensor {
  const cached = inputs.get(engine);
  if (cached && cached.version === version) return cached.tensor;
  cached?.tensor.dispose();
  const { data, width, height } = image;
  // keep(): a tidy() scope that happens to be open must not dispose the cached tensor.
  const tensor = engine.keep(engine.tensor(data, [1, height, width, 3]));
  inputs.set(engine, { version, tensor });
  return tensor;
}
