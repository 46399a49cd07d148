// What the page's sections share: the two engines, the backend in use and the
// current image, with its input tensor on each engine.

import type { Engine, Tensor } from 'sepconv';
import type { RgbImage, Webcam } from './image.js';

export type BackendName = 'webgpu' | 'cpu';

export interface App {
  /** The WebGPU engine, or null when this browser has no WebGPU adapter. */
  gpu: Engine | null;
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

export function activeEngine(app: App): Engine {
  return app.backend === 'webgpu' && app.gpu ? app.gpu : app.cpu;
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
