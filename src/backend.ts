// The contract between the Engine and a backend. The Engine validates and
// normalises every argument before calling in here; backends trust their input.

import type { Activation } from './activation.js';
import type { ConvGeometry } from './shape.js';

/** A depthwise convolution, fully resolved. Output channel index = c·multiplier + m. */
export interface DepthwiseConv2dParams extends ConvGeometry {
  channels: number;
  multiplier: number;
  activation: Activation;
}

/** A 1×1 convolution as a GEMM: [rows, inChannels] × [inChannels, outChannels]. */
export interface PointwiseConv2dParams {
  rows: number;
  inChannels: number;
  outChannels: number;
  activation: Activation;
}

/** A backend's handle to a tensor's data. Opaque to the Engine. */
export type Storage = object;

/** What a backend does; one instance per Engine. */
export interface Backend {
  readonly kind: 'webgpu' | 'cpu';
  /** Copies `data` into backend memory. */
  upload(data: Float32Array): Storage;
  /** Queues a depthwise convolution; returns its output at once. */
  depthwiseConv2d(x: Storage, filter: Storage, bias: Storage | null, p: DepthwiseConv2dParams): Storage;
  /** Queues a pointwise convolution; returns its output at once. */
  pointwiseConv2d(x: Storage, filter: Storage, bias: Storage | null, p: PointwiseConv2dParams): Storage;
  /** Resolves with a copy of the data once every queued op it depends on has run. */
  read(s: Storage): Promise<Float32Array>;
  /** Frees the storage once no queued op needs it any more. */
  release(s: Storage): void;
  /** Frees everything the backend owns. */
  destroy(): void;
}
