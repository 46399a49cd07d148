/// <reference types="@webgpu/types" />
/**
 * sepconv: depthwise-separable convolution on WebGPU, with a CPU reference backend.
 * @packageDocumentation
 */
export { createEngine, Engine } from './engine.js';
export type {
  ActivationOptions,
  Conv2dOptions,
  DepthwiseConv2dOptions,
  EngineOptions,
  FilterLayout,
  PointwiseConv2dOptions,
  SeparableConv2dOptions,
  SpatialOptions,
  TensorData,
  TensorOptions,
} from './engine.js';
export { Tensor } from './tensor.js';
export type { Layout } from './tensor.js';
export { countFlops, countParams } from './count.js';
export type { ConvSpec } from './count.js';
export { SepconvError } from './errors.js';
export type { SepconvErrorCode, SepconvErrorDetails } from './errors.js';
export { ACTIVATIONS } from './activation.js';
export type { Activation } from './activation.js';
export type { PaddingOption, PairOption } from './shape.js';
export type { AdapterDescription } from './gpu/device.js';
export type { EngineLimits, KernelChoice } from './gpu/backend.js';
export type { MemoryInfo } from './gpu/buffer-pool.js';
