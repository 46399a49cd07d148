// The contract between the Engine and a backend. The Engine validates and
// normalises every argument before calling in here; backends trust their input.
// Every image tensor a backend sees is NHWC; the Engine converts NCHW around it.

import type { ActivationSpec } from './activation.js';
import type { SepconvError } from './errors.js';
import type { EngineLimits, KernelExplanation, TuneOptions } from './gpu/backend.js';
import type { TuningRecord } from './tuning/records.js';
import type { MemoryInfo } from './gpu/buffer-pool.js';
import type { AdapterDescription } from './gpu/device.js';
import type { ConvGeometry } from './shape.js';

/** A depthwise convolution, fully resolved. Filter [kH, kW, C, M]; output channel c·M + m. */
export interface DepthwiseConv2dParams extends ConvGeometry {
  channels: number;
  multiplier: number;
  act: ActivationSpec;
}

/** A 1×1 convolution as a GEMM: [pixels, inChannels] × [inChannels, outChannels], pixels = N·H·W. */
export interface PointwiseConv2dParams {
  pixels: number;
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

/** Elementwise a ∘ b with NumPy broadcasting, then the activation. Shapes are the data's own (row-major), of equal rank ≤ 4. */
export interface BinaryParams {
  kind: 'add' | 'sub' | 'mul' | 'div';
  aShape: readonly number[];
  bShape: readonly number[];
  outShape: readonly number[];
  act: ActivationSpec;
}

/** y = act(x) over `size` elements. */
export interface UnaryParams {
  size: number;
  act: ActivationSpec;
}

/** Global average pooling of an NHWC tensor. */
export interface PoolParams {
  batch: number;
  height: number;
  width: number;
  channels: number;
}

/** Softmax of `rows` rows of `size` values. */
export interface SoftmaxParams {
  rows: number;
  size: number;
}

/** A transpose of a tensor of rank ≤ 4: output dimension i is input dimension perm[i]. */
export interface PermuteParams {
  inShape: readonly number[];
  perm: readonly number[];
}

/** Inputs of equal rank ≤ 4 that agree on every dimension but `axis`, joined along it (shapes are the data's own, row-major). */
export interface ConcatParams {
  shapes: readonly (readonly number[])[];
  axis: number;
}

/** Constant padding of a tensor of rank ≤ 4: pads = [before of each axis…, after of each axis…] (ONNX order). */
export interface PadParams {
  inShape: readonly number[];
  pads: readonly number[];
  value: number;
}

/**
 * Pixels to a tensor (Engine.fromPixels): RGBA8 source pixels, rows `rowStride` pixels
 * apart, sampled bilinearly with half-pixel centres at source x = cropX + (ox + ½)·stepX − ½
 * (clamped to the image; likewise y; with `bands`, a position outside the image reads black),
 * then (value·scale − mean[c]) / std[c] for the first
 * `channels` of R, G, B, A, written [1, outH, outW, channels] or, with `nchw`,
 * [1, channels, outH, outW]. Every non-integer field is an f32 value.
 */
export interface PixelsParams {
  srcW: number;
  srcH: number;
  rowStride: number;
  outW: number;
  outH: number;
  channels: 3 | 4;
  nchw: boolean;
  cropX: number;
  cropY: number;
  stepX: number;
  stepY: number;
  scale: number;
  /** Letterbox bands: a sample whose position (before the −½) falls outside the image is black (0), not the edge pixel. */
  bands: boolean;
  /** Per channel (4 values; those past `channels` unused). */
  mean: readonly number[];
  std: readonly number[];
}

/**
 * Max or average pooling of an NHWC tensor over a window (ConvGeometry from src/shape.ts).
 * Max pooling ignores padding (padded cells are −∞) and gives NaN when its window holds
 * a NaN; average pooling divides the sum of the window's cells inside the input by their
 * count, or by kH·kW when `countIncludePad` (ONNX count_include_pad; padded cells are 0).
 * A window with no cell inside the input (possible when a padding reaches past the
 * kernel's extent) gives −∞ (max) and NaN (average without countIncludePad), as TF.js.
 */
export interface Pool2dParams extends ConvGeometry {
  channels: number;
  kind: 'max' | 'avg';
  countIncludePad: boolean;
}

/** A backend's handle to a tensor's data. Opaque to the Engine. */
export type Storage = object;

/** The weights of a separable convolution: depthwise [kH, kW, C, M] (+ bias [C·M]), pointwise [C·M, Cout] (+ bias [Cout]). */
export interface SeparableWeights {
  depthwiseFilter: Storage;
  depthwiseBias: Storage | null;
  pointwiseFilter: Storage;
  bias: Storage | null;
}

/** Optional extras of an op call. */
export interface OpExtras {
  /**
   * Write the output here instead of new memory (a planned buffer of at least the
   * output's size, whose previous contents are no longer needed). GPU only; the
   * CPU backend ignores it.
   */
  out?: Storage;
  /** Pointwise only: a tensor of the output's shape added before the activation. */
  residual?: Storage;
}

/**
 * What a backend does; one instance per Engine. The optional members are what only
 * a device-backed backend has (the WebGPU one): a backend that runs ops at the call
 * (the CPU one) has nothing to flush, no pools and no device, and leaves them out.
 */
export interface Backend {
  readonly kind: 'webgpu' | 'cpu' | 'wasm';
  /** CPU threads the kernels run on (the wasm backend; absent: 1). */
  readonly threads?: number;
  /** Largest tensor the backend can hold, in bytes. */
  readonly maxTensorBytes: number;
  /** The device limits ops run under, as granted. */
  readonly limits?: EngineLimits;
  /** The adapter the device came from. */
  readonly adapter?: AdapterDescription;
  /** The device ops run on. */
  readonly device?: GPUDevice;
  /** Set once the device is lost; every later call reports it. */
  readonly lost?: SepconvError | null;
  /** Submits everything recorded so far. */
  flush?(): Promise<void>;
  /** Submits everything recorded so far and resolves once the device has finished it. */
  settle?(): Promise<void>;
  /** Bytes held by tensors and pools. */
  memory?(): MemoryInfo;
  /** Frees pooled (unused) memory; memory in use is kept. */
  trim?(): void;
  /** Runs `record`, then times the kernel candidates of each op call it made and keeps the fastest (see Engine.tune). */
  tune?(record: () => void, options: TuneOptions): Promise<TuningRecord[]>;
  /** The tuning records in use. */
  tuning?(): TuningRecord[];
  /** Runs `record` without dispatching and says which kernel each op call would run on. */
  explain?(record: () => void): KernelExplanation[];
  /**
   * Runs `record` without dispatching, starts compiling every pipeline its op calls
   * need (all at once), and resolves with their number once all are compiled.
   */
  compile?(record: () => void): Promise<number>;
  /** Copies `data` into backend memory. */
  upload(data: Float32Array): Storage;
  /** Pixels (RGBA8 bytes, `p.rowStride` pixels a row) to a tensor, resized and normalised (see PixelsParams). */
  pixels(bytes: Uint8Array, p: PixelsParams): Storage;
  /** The same from an image the GPU copies itself (no CPU pass over the pixels); absent on the CPU. */
  pixelsFromImage?(image: GPUCopyExternalImageSource, p: PixelsParams): Storage;
  /** A caller's GPU buffer as storage, without a copy (bytes [offset, offset + byteLength)); checks the buffer. */
  wrapBuffer?(buffer: GPUBuffer, byteLength: number, offset: number): Storage;
  /** The GPU buffer holding `s`, once the work producing it is submitted. */
  gpuBuffer?(s: Storage): Promise<{ buffer: GPUBuffer; offset: number; size: number }>;
  /** Memory for `elements` values whose contents do not matter (a planned buffer). */
  allocate(elements: number): Storage;
  /** Runs `fn`, whose ops must reach the device together: on the GPU one command buffer and one submit. */
  atomically<T>(fn: () => T): T;
  /**
   * Runs each step (a function recording ops) and measures it: with GPU timestamp
   * queries when the device has them (all steps in one submit), else by wall clock
   * around each step, waiting for the device after each.
   */
  profile(steps: readonly (() => void)[]): Promise<{ ms: number[]; method: 'timestamps' | 'wall clock' }>;
  /** Each op queues its work and returns its output at once. */
  depthwiseConv2d(x: Storage, filter: Storage, bias: Storage | null, p: DepthwiseConv2dParams, extras?: OpExtras): Storage;
  pointwiseConv2d(x: Storage, filter: Storage, bias: Storage | null, p: PointwiseConv2dParams, extras?: OpExtras): Storage;
  conv2d(x: Storage, filter: Storage, bias: Storage | null, p: Conv2dParams, extras?: OpExtras): Storage;
  separableConv2d(x: Storage, w: SeparableWeights, p: SeparableConv2dParams, extras?: OpExtras): Storage;
  /** act(a ∘ b), broadcast to `p.outShape` (see BinaryParams). */
  binary(a: Storage, b: Storage, p: BinaryParams, extras?: OpExtras): Storage;
  /** act(x), elementwise: an activation that no op before it could fuse. */
  unary(x: Storage, p: UnaryParams, extras?: OpExtras): Storage;
  /** Mean over H and W: [N, H, W, C] → [N, 1, 1, C]. */
  globalAveragePool(x: Storage, p: PoolParams, extras?: OpExtras): Storage;
  /** Softmax over the last dimension of [rows, size]. */
  softmax(x: Storage, p: SoftmaxParams, extras?: OpExtras): Storage;
  permute(x: Storage, p: PermuteParams): Storage;
  /** Joins tensors along an axis; the output's shape is the inputs' with `axis` summed. */
  concat(xs: readonly Storage[], p: ConcatParams, extras?: OpExtras): Storage;
  /** Pads every axis with `p.value`: output dimension i is inShape[i] + pads[i] + pads[rank + i]. */
  pad(x: Storage, p: PadParams, extras?: OpExtras): Storage;
  /** Max or average pooling: [N, H, W, C] → [N, outH, outW, C]. */
  pool2d(x: Storage, p: Pool2dParams, extras?: OpExtras): Storage;
  /** Resolves with a copy of the data once every queued op it depends on has run. */
  read(s: Storage): Promise<Float32Array>;
  /** Frees the storage once no queued op needs it any more. */
  release(s: Storage): void;
  /** Frees everything the backend owns. */
  destroy(): void;
}
