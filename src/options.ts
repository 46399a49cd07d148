// The public types of what createEngine and the Engine's methods take: engine
// options, op options and tensor data. Types only; the checks are in validate.ts.

import type { Activation } from './activation.js';
import type { createEngine, Engine } from './engine.js'; // for the {@link}s
import type { KernelChoice } from './gpu/backend.js';
import type { TuningRecord } from './tuning/records.js';
import type { FilterLayout } from './layout.js';
import type { PaddingOption, PairOption } from './shape.js';
import type { Layout, Tensor } from './tensor.js';

/** Options of {@link createEngine}. */
export interface EngineOptions {
  /**
   * `'webgpu'`, `'wasm'` (WebAssembly SIMD kernels for the convolutions and pooling, the
   * reference's code for the rest, all in wasm memory; the reference backend where there is
   * no SIMD), `'cpu'` (the reference), or
   * `'auto'` (default): WebGPU on a hardware adapter, else wasm (a software adapter such
   * as SwiftShader is slower than the wasm kernels), else the CPU reference.
   */
  backend?: 'webgpu' | 'wasm' | 'cpu' | 'auto';
  /**
   * Threads of the wasm backend (a positive integer; default: min(cores, 4)). Threads need
   * shared memory: in a browser the page must be cross-origin isolated (COOP/COEP headers),
   * else the backend runs on one thread (with a console note when `threads` was given). In
   * Node they are worker_threads. `engine.threads` says how many run.
   */
  threads?: number;
  /** Run on this existing device instead of creating one. sepconv will not destroy it. */
  device?: GPUDevice;
  /** Adapter preference when sepconv creates the device. */
  powerPreference?: GPUPowerPreference;
  /** Print each kernel's WGSL and override constants when its pipeline is first built. */
  printShaders?: boolean;
  /** Submit queued GPU work after this many dispatches even without a read (default 64). */
  maxDispatchesPerSubmit?: number;
  /**
   * Force kernel variants instead of sepconv's choice (for tests and tuning), e.g.
   * `{ depthwise: 'scalar' }`. A variant that cannot run a shape falls back to one that can.
   */
  kernels?: KernelChoice;
  /**
   * Tuning records from {@link Engine.tuning} (e.g. saved as JSON): calls they cover
   * run on their measured winners without timing. Records of another adapter or
   * sepconv's kernels of another version are ignored with a console warning; a
   * malformed list is rejected whole.
   */
  tuning?: readonly TuningRecord[];
}

/** Options every op with a fused epilogue takes. */
export interface ActivationOptions {
  /** Activation fused into the write. Default `'linear'`. */
  activation?: Activation;
  /**
   * Negative slope of `leakyRelu` (default 0.2), scale of `elu` (default 1), lower bound
   * of `clip` (required), slope of `hardSigmoid` (default 0.2).
   */
  alpha?: number;
  /** Upper bound of `clip` (required, ≥ alpha), offset of `hardSigmoid` (default 0.5); unused by the others. */
  beta?: number;
}

/** Spatial options of the k×k convolutions. */
export interface SpatialOptions {
  /** Stride, one number or `[vertical, horizontal]`. Default 1. */
  stride?: PairOption;
  /** Dilation, one number or `[vertical, horizontal]`. Default 1. */
  dilation?: PairOption;
  /** `'same'`, `'valid'` (default), `p` or `[top, bottom, left, right]`. */
  padding?: PaddingOption;
}

/** Options of {@link Engine.depthwiseConv2d}. */
export interface DepthwiseConv2dOptions extends SpatialOptions, ActivationOptions {
  /** Bias of shape `[C·M]`, added before the activation. */
  bias?: Tensor;
  /** Layout of `filter`. Default `'HWIO'` (`[kh, kw, C, M]`). */
  filterLayout?: FilterLayout;
}

/** Options of {@link Engine.pointwiseConv2d}. */
export interface PointwiseConv2dOptions extends ActivationOptions {
  /** Bias of shape `[Cout]`, added before the activation. */
  bias?: Tensor;
  /** Layout of `filter`. Default `'HWIO'` (`[Cin, Cout]` or `[1, 1, Cin, Cout]`). */
  filterLayout?: FilterLayout;
}

/** Options of {@link Engine.conv2d}. */
export interface Conv2dOptions extends SpatialOptions, ActivationOptions {
  /** Number of channel groups; divides Cin and Cout. Default 1. */
  groups?: number;
  /** Bias of shape `[Cout]`, added before the activation. */
  bias?: Tensor;
  /** Layout of `filter`. Default `'HWIO'` (`[kh, kw, Cin/groups, Cout]`). */
  filterLayout?: FilterLayout;
}

/** Options of {@link Engine.separableConv2d}. */
export interface SeparableConv2dOptions extends SpatialOptions, ActivationOptions {
  /** Bias of shape `[C·M]` added after the depthwise step (no activation there). */
  depthwiseBias?: Tensor;
  /** Bias of shape `[Cout]` added after the pointwise step, before the activation. */
  bias?: Tensor;
  /** Layout of both filters. Default `'HWIO'`. */
  filterLayout?: FilterLayout;
}

/** Options of {@link Engine.maxPool}. */
export interface MaxPoolOptions {
  /** Window size, one number or `[kh, kw]`. Required. */
  kernelSize: PairOption;
  /** Stride, one number or `[vertical, horizontal]`. Default: the window size (as Keras and PyTorch). */
  stride?: PairOption;
  /** `'same'`, `'valid'` (default), `p` or `[top, bottom, left, right]`; padded cells are left out of the window. */
  padding?: PaddingOption;
}

/** Options of {@link Engine.avgPool}. */
export interface AvgPoolOptions extends MaxPoolOptions {
  /**
   * Divide by the whole window (padded cells count as zeros) instead of the cells inside
   * the input. Default `false`, as TF.js and Keras; `true` is ONNX `count_include_pad = 1` and
   * PyTorch's `AvgPool2d` default.
   */
  countIncludePad?: boolean;
}

/** Options of {@link Engine.add}, {@link Engine.sub}, {@link Engine.mul} and {@link Engine.div}: the activation applied to the result. */
export type BinaryOptions = ActivationOptions;

/** Options of {@link Engine.tensor}. */
export interface TensorOptions {
  /** Layout of a rank-4 image tensor. Default `'NHWC'`. */
  layout?: Layout;
}

/** Options of {@link Engine.tensorFromBuffer}. */
export interface TensorFromBufferOptions extends TensorOptions {
  /**
   * Where the tensor's data starts in the buffer, in bytes: a multiple of the device's
   * `minStorageBufferOffsetAlignment` (256 on most devices). Default 0.
   */
  offset?: number;
}

/**
 * RGBA8 pixels as plain data: `data` holds width × height × 4 bytes, row by row (the
 * shape of ImageData, and of what jpeg-js, pngjs or sharp's raw output decode to).
 */
export interface PixelData {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

/** Options of {@link Engine.fromPixels}. */
export interface FromPixelsOptions {
  /** Output `[height, width]`. Default: the source's size. */
  size?: [number, number];
  /**
   * How the source fills `size`: `'stretch'` (default) scales each axis on its own;
   * `'cover'` keeps the aspect ratio and crops the centre; `'contain'` keeps the aspect
   * ratio, fits the whole image and fills the bands with black (a letterbox, as
   * `letterbox()` computes it: map detections back with `removeLetterbox`).
   */
  fit?: 'stretch' | 'cover' | 'contain';
  /** Multiplies each 0–255 value first. Default 1/255 (values in 0…1). */
  scale?: number;
  /** Subtracted after scaling, one value or one per channel (R, G, B[, A]). Default 0. */
  mean?: number | number[];
  /** Divides last, one value or one per channel. Default 1. */
  std?: number | number[];
  /** 3: RGB (default), 4: RGBA. */
  channels?: 3 | 4;
  /** `'NHWC'` (default): [1, height, width, channels]; `'NCHW'`: [1, channels, height, width]. */
  layout?: Layout;
}

/** Where a tensor's data lies on the GPU (see {@link Tensor.gpuBuffer}). */
export interface GpuBufferView {
  /** The buffer; sepconv's, valid until the tensor is disposed: read it, do not write it or destroy it. */
  buffer: GPUBuffer;
  /** Byte offset of the first element. */
  offset: number;
  /** Bytes of data: 4 × the tensor's size (the buffer may be larger). */
  size: number;
}

/** Tensor data: a Float32Array is used as is (copied); any other array of numbers is converted to f32. */
export type TensorData = Float32Array | ArrayLike<number>;
