/// <reference types="@webgpu/types" />
/**
 * sepconv: depthwise-separable convolution on WebGPU, with a CPU reference backend.
 * @packageDocumentation
 */
export { createEngine, Engine } from './engine.js';
export type { EngineOptions, DepthwiseConv2dOptions, PointwiseConv2dOptions, TensorData } from './engine.js';
export { Tensor } from './tensor.js';
export { SepconvError } from './errors.js';
export type { SepconvErrorCode, SepconvErrorDetails } from './errors.js';
export type { Activation } from './activation.js';
export type { PaddingOption, PairOption } from './shape.js';
export type { AdapterDescription } from './gpu/device.js';
export type { MemoryInfo } from './gpu/buffer-pool.js';
