// MobileNetV1 and MobileNetV2, layer for layer as Keras builds them
// (keras.applications.MobileNet / MobileNetV2 with include_top=True), so their
// parameter counts and weight order are Keras'.

import type { Engine } from '../engine.js';
import { SepconvError, describe } from '../errors.js';
import type { LayerSpec } from './layers.js';
import { sequential, type Model } from './sequential.js';

/** Options of {@link mobilenetV1} and {@link mobilenetV2}. */
export interface MobileNetOptions {
  engine: Engine;
  /** Width multiplier (Keras `alpha`). Default 1. */
  alpha?: number;
  /** Input height and width. Default 224. */
  inputSize?: number;
  /** Output classes. Default 1000. */
  classes?: number;
  /** Seed of random weights. Default 1. */
  seed?: number;
  /** Weights in Keras get_weights() order; default seeded random. */
  weights?: readonly Float32Array[];
}

const bnRelu6 = (): LayerSpec[] => [{ type: 'batchNorm' }, { type: 'activation', activation: 'relu6' }];

function check(op: string, o: MobileNetOptions): { alpha: number; size: number; classes: number } {
  if (o === null || typeof o !== 'object') throw new SepconvError('INVALID_ARGUMENT', { op, arg: 'options', expected: 'an object', given: describe(o) });
  const alpha = o.alpha ?? 1;
  if (!(typeof alpha === 'number' && alpha > 0 && Number.isFinite(alpha))) {
    throw new SepconvError('INVALID_ARGUMENT', { op, arg: 'options.alpha', expected: 'a positive number', given: describe(alpha) });
  }
  const size = o.inputSize ?? 224;
  if (!(Number.isInteger(size) && size >= 32)) {
    throw new SepconvError('INVALID_ARGUMENT', { op, arg: 'options.inputSize', expected: 'an integer ≥ 32', given: describe(size) });
  }
  const classes = o.classes ?? 1000;
  if (!(Number.isInteger(classes) && classes > 0)) {
    throw new SepconvError('INVALID_ARGUMENT', { op, arg: 'options.classes', expected: 'a positive integer', given: describe(classes) });
  }
  return { alpha, size, classes };
}

/** The layers of Keras' MobileNet (V1): a 3×3 stem, 13 depthwise-separable blocks, pooled 1×1 classifier. */
export function mobilenetV1Layers(alpha = 1, classes = 1000): LayerSpec[] {
  const f = (n: number) => Math.floor(n * alpha);
  const layers: LayerSpec[] = [
    { type: 'conv2d', name: 'conv1', filters: f(32), kernelSize: 3, strides: 2, padding: 'same', useBias: false },
    ...bnRelu6(),
  ];
  // [pointwise filters, stride of the depthwise step]
  const blocks: [number, number][] = [
    [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2],
    [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1],
  ];
  blocks.forEach(([filters, stride], i) => {
    layers.push(
      { type: 'depthwiseConv2d', name: `conv_dw_${i + 1}`, kernelSize: 3, strides: stride, padding: 'same', useBias: false },
      ...bnRelu6(),
      { type: 'pointwiseConv2d', name: `conv_pw_${i + 1}`, filters: f(filters), useBias: false },
      ...bnRelu6(),
    );
  });
  layers.push(
    { type: 'globalAveragePool', name: 'global_average_pooling2d' },
    { type: 'dense', name: 'conv_preds', units: classes },
    { type: 'flatten', name: 'reshape_2' },
    { type: 'softmax', name: 'predictions' },
  );
  return layers;
}

/** Keras' _make_divisible: round to a multiple of 8, never below 90% of the value. */
function makeDivisible(v: number, divisor = 8): number {
  let n = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (n < 0.9 * v) n += divisor;
  return n;
}

/** The layers of Keras' MobileNetV2: stem, 17 inverted-residual blocks, 1×1 to 1280, pooled dense classifier. */
export function mobilenetV2Layers(alpha = 1, classes = 1000): LayerSpec[] {
  const first = makeDivisible(32 * alpha);
  const layers: LayerSpec[] = [
    { type: 'conv2d', name: 'Conv1', filters: first, kernelSize: 3, strides: 2, padding: 'same', useBias: false },
    ...bnRelu6(),
  ];
  // [filters, stride, expansion] per block
  const blocks: [number, number, number][] = [
    [16, 1, 1],
    [24, 2, 6], [24, 1, 6],
    [32, 2, 6], [32, 1, 6], [32, 1, 6],
    [64, 2, 6], [64, 1, 6], [64, 1, 6], [64, 1, 6],
    [96, 1, 6], [96, 1, 6], [96, 1, 6],
    [160, 2, 6], [160, 1, 6], [160, 1, 6],
    [320, 1, 6],
  ];
  let channels = first;
  blocks.forEach(([filters, stride, expansion], id) => {
    const out = makeDivisible(filters * alpha);
    const prefix = id === 0 ? 'expanded_conv' : `block_${id}`;
    const block: LayerSpec[] = [];
    if (id !== 0) {
      block.push({ type: 'pointwiseConv2d', name: `${prefix}_expand`, filters: expansion * channels, useBias: false }, ...bnRelu6());
    }
    block.push(
      { type: 'depthwiseConv2d', name: `${prefix}_depthwise`, kernelSize: 3, strides: stride, padding: 'same', useBias: false },
      ...bnRelu6(),
      { type: 'pointwiseConv2d', name: `${prefix}_project`, filters: out, useBias: false },
      { type: 'batchNorm' },
    );
    if (channels === out && stride === 1) layers.push({ type: 'residual', name: `${prefix}_add`, layers: block });
    else layers.push(...block);
    channels = out;
  });
  const last = alpha > 1 ? makeDivisible(1280 * alpha) : 1280;
  layers.push(
    { type: 'pointwiseConv2d', name: 'Conv_1', filters: last, useBias: false },
    ...bnRelu6(),
    { type: 'globalAveragePool', name: 'global_average_pooling2d' },
    { type: 'dense', name: 'predictions', units: classes },
    { type: 'flatten' },
    { type: 'softmax' },
  );
  return layers;
}

/**
 * MobileNet (V1) as Keras builds it, on `options.engine`, with seeded random or
 * given weights. `predict(x)` takes [N, S, S, 3] and gives softmax probabilities
 * [N, classes]. Alpha 1.0 has 4,253,864 parameters as Keras counts them.
 * @example const model = await mobilenetV1({ engine }); const probs = model.predict(x);
 */
export async function mobilenetV1(options: MobileNetOptions): Promise<Model> {
  const { alpha, size, classes } = check('mobilenetV1', options);
  return sequential(mobilenetV1Layers(alpha, classes), {
    engine: options.engine,
    inputShape: [size, size, 3],
    seed: options.seed ?? 1,
    ...(options.weights && { weights: options.weights }),
  });
}

/**
 * MobileNetV2 as Keras builds it (inverted residuals: pointwise expand → depthwise
 * → pointwise project, residual add where shapes match, relu6). Alpha 1.0 has
 * 3,538,984 parameters as Keras counts them.
 * @example const model = await mobilenetV2({ engine, inputSize: 224 }); console.log(model.summary());
 */
export async function mobilenetV2(options: MobileNetOptions): Promise<Model> {
  const { alpha, size, classes } = check('mobilenetV2', options);
  return sequential(mobilenetV2Layers(alpha, classes), {
    engine: options.engine,
    inputShape: [size, size, 3],
    seed: options.seed ?? 1,
    ...(options.weights && { weights: options.weights }),
  });
}
