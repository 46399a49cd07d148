/// <reference types="@webgpu/types" preserve="true" />
/**
 * sepconv: depthwise-separable convolution on WebGPU, with a CPU reference backend.
 * @packageDocumentation
 */
export { createEngine, Engine } from './engine.js';
// Every option and data type of the ops (src/options.ts holds only public types).
export type * from './options.js';
export type { FilterLayout } from './layout.js';
export type { PixelSource } from './pixels.js';
export { Tensor } from './tensor.js';
export type { Layout } from './tensor.js';
export { countFlops, countParams } from './count.js';
export { sequential, Model } from './model/sequential.js';
export type { SequentialOptions, MemoryPlan, LayerSummary } from './model/sequential.js';
export type { ModelInput, ModelOutput } from './model/model.js';
export { loadLayersModel, loadOnnx } from './model/load.js';
export type { LayersModelArtifacts, LayersToGraphOptions } from './model/keras/index.js';
export type { ModelBytesSource } from './model/load.js';
export type { LayerSpec, WeightSpec } from './model/layers.js';
export { mobilenetV1, mobilenetV2, mobilenetV1Layers, mobilenetV2Layers } from './model/mobilenet.js';
export type { MobileNetOptions } from './model/mobilenet.js';
export type { ConvSpec } from './count.js';
export { SepconvError } from './errors.js';
export type { SepconvErrorCode, SepconvErrorDetails } from './errors.js';
export { ACTIVATIONS } from './activation.js';
export type { Activation } from './activation.js';
export type { PaddingOption, PairOption } from './shape.js';
export type { AdapterDescription } from './gpu/device.js';
export type { EngineLimits, KernelChoice, KernelExplanation, TuneOptions } from './gpu/backend.js';
export { kernelChoiceFor } from './kernels/registry.js';
export type { TuningCandidate, TuningRecord } from './tuning/records.js';
export type { MemoryInfo } from './gpu/buffer-pool.js';
export { ssdAnchors } from './vision/anchors.js';
export type { Anchor, SsdAnchorOptions } from './vision/anchors.js';
export { iou, weightedNonMaxSuppression } from './vision/detection.js';
export type { Box, Detection, Point } from './vision/detection.js';
export { BLAZEFACE_BACK, BLAZEFACE_FRONT, BLAZEFACE_KEYPOINTS, decodeBlazeFace, decodeBlazeFaceAnchors } from './vision/blazeface.js';
export type { BlazeFaceConfig, BlazeFaceOutputs } from './vision/blazeface.js';
export { letterbox, letterboxImage, removeLetterbox } from './vision/letterbox.js';
export type { Letterbox, RgbImage } from './vision/letterbox.js';
