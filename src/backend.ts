// The contract between the Engine and a backend. The Engine validates and
// normalises every argument before calling in here; backends trust their input.
// Every image tensor a backend sees is NHWC; the Engine converts NCHW around it.

import type { ActivationSpec } from './activation.js';
import type { ConvGeometry } from './shape.js';

/** A depthwise convolution, fully resolved. Filter [kH, kW, C, M]; output channel c·M + m. */
export interface DepthwiseConv2dParams extends ConvGeometry {
  channels: number;
  multiplier: number;
  act: ActivationSpec;
}

/** A 1×1 convolution as a GEMM: [rows, inChannels] × [inChannels, outChannels]. */
export interface PointwiseConv2dParams {
  rows: number;
  inChannels: number;
  outChannels: number;
  act: ActivationSpec;
}

/**
 * A standard or grouped convolution. Filter [kH, kW, inChannels/groups, outChannels] (HWIO);
 * output channel o belongs to group floor(o / (outChannels/groups)), which reads input
 * channels [g·inChannels/groups, (g+1)·inChannels/groups).
 */
export interface Conv2dParams extends ConvGeometry {
  inChannels: number;
  outChannels: number;
  groups: number;
  act: ActivationSpec;
}

/** A separable convolution: depthwise [kH, kW, C, M] (+ its bias), then pointwise [C·M, outChannels] (+ bias, activation). */
export interface SeparableConv2dParams extends ConvGeometry {
  channels: number;
  multiplier: number;
  outChannels: number;
  act: ActivationSpec;
}

/** A transpose of a tensor of rank ≤ 4: output dimension i is input dimension perm[i]. */
export interface PermuteParams {
  inShape: readonly number[];
  perm: readonly number[];
}

/** A backend's handle to a tensor's data. Opaque to the Engine. */
export type Storage = object;

/** What a backend does; one instance per Engine. */
export interface Backend {
  readonly kind: 'webgpu' | 'cpu';
  /** Largest tensor the backend can hold, in bytes. */
  readonly maxTensorBytes: number;
  /** Copies `data` into backend memory. */
  upload(data: Float32Array): Storage;
  /** Each op queues its work and returns its output at once. */
  depthwiseConv2d(x: Storage, filter: Storage, bias: Storage | null, p: DepthwiseConv2dParams): Storage;
  pointwiseConv2d(x: Storage, filter: Storage, bias: Storage | null, p: PointwiseConv2dParams): Storage;
  conv2d(x: Storage, filter: Storage, bias: Storage | null, p: Conv2dParams): Storage;
  separableConv2d(
    x: Storage,
    depthwiseFilter: Storage,
    depthwiseBias: Storage | null,
    pointwiseFilter: Storage,
    bias: Storage | null,
    p: SeparableConv2dParams,
  ): Storage;
  permute(x: Storage, p: PermuteParams): Storage;
  /** Resolves with a copy of the data once every queued op it depends on has run. */
  read(s: Storage): Promise<Float32Array>;
  /** Frees the storage once no queued op needs it any more. */
  release(s: Storage): void;
  /** Frees everything the backend owns. */
  destroy(): void;
}
