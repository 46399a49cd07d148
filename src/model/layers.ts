// Layer descriptions of the model API, named and shaped like Keras / TF.js
// layers, with their output shapes and their weights as Keras counts them.

import type { Activation } from '../activation.js';
import { SepconvError, describe } from '../errors.js';
import { convGeometry, normalizePair, type ConvGeometry } from '../shape.js';

type Pair = number | readonly [number, number];

/** A 2-D convolution (Keras `Conv2D`); weights: kernel [kh, kw, Cin/groups, filters], bias [filters]. */
export interface Conv2dLayer {
  type: 'conv2d';
  filters: number;
  kernelSize: Pair;
  strides?: Pair;
  padding?: 'same' | 'valid';
  dilation?: Pair;
  groups?: number;
  /** Default true, as Keras. */
  useBias?: boolean;
  activation?: Activation;
  name?: string;
}

/** A depthwise convolution (Keras `DepthwiseConv2D`); weights: kernel [kh, kw, C, M], bias [C·M]. */
export interface DepthwiseConv2dLayer {
  type: 'depthwiseConv2d';
  kernelSize: Pair;
  strides?: Pair;
  padding?: 'same' | 'valid';
  dilation?: Pair;
  depthMultiplier?: number;
  useBias?: boolean;
  activation?: Activation;
  name?: string;
}

/** A 1×1 convolution; weights: kernel [1, 1, Cin, filters] (as Keras stores it), bias [filters]. */
export interface PointwiseConv2dLayer {
  type: 'pointwiseConv2d';
  filters: number;
  useBias?: boolean;
  activation?: Activation;
  name?: string;
}

/** Keras `SeparableConv2D`; weights: depthwise [kh, kw, C, M], pointwise [1, 1, C·M, filters], bias [filters]. */
export interface SeparableConv2dLayer {
  type: 'separableConv2d';
  filters: number;
  kernelSize: Pair;
  strides?: Pair;
  padding?: 'same' | 'valid';
  dilation?: Pair;
  depthMultiplier?: number;
  useBias?: boolean;
  activation?: Activation;
  name?: string;
}

/**
 * Batch normalisation (Keras `BatchNormalization`, inference): weights gamma, beta,
 * moving mean, moving variance, each [C]. Folded into the preceding convolution's
 * weights and bias when the model is built.
 */
export interface BatchNormLayer {
  type: 'batchNorm';
  /** Default 1e-3, as Keras. */
  epsilon?: number;
  name?: string;
}

/** An activation on its own (fused into the preceding op's write). */
export interface ActivationLayer {
  type: 'activation';
  activation: Activation;
  alpha?: number;
  name?: string;
}

/** output = input + layers(input): a residual block (MobileNetV2's inverted residual). */
export interface ResidualLayer {
  type: 'residual';
  layers: LayerSpec[];
  name?: string;
}

/** Mean over height and width: [N, H, W, C] → [N, 1, 1, C] (Keras `GlobalAveragePooling2D(keepdims=True)`). */
export interface GlobalAveragePoolLayer {
  type: 'globalAveragePool';
  name?: string;
}

/** A fully connected layer on [N, 1, 1, C] (run as a 1×1 convolution); weights: kernel [C, units], bias [units]. */
export interface DenseLayer {
  type: 'dense';
  units: number;
  useBias?: boolean;
  activation?: Activation;
  name?: string;
}

/** [N, H, W, C] → [N, H·W·C]. */
export interface FlattenLayer {
  type: 'flatten';
  name?: string;
}

/** Softmax over the last dimension. */
export interface SoftmaxLayer {
  type: 'softmax';
  name?: string;
}

/** One layer of a {@link sequential} model. */
export type LayerSpec =
  | Conv2dLayer
  | DepthwiseConv2dLayer
  | PointwiseConv2dLayer
  | SeparableConv2dLayer
  | BatchNormLayer
  | ActivationLayer
  | ResidualLayer
  | GlobalAveragePoolLayer
  | DenseLayer
  | FlattenLayer
  | SoftmaxLayer;

/** A layer's weights as Keras has them: name, shape, and whether training updates it. */
export interface WeightSpec {
  name: string;
  shape: number[];
  trainable: boolean;
}

const OP = 'sequential';

function fail(arg: string, expected: string, given: unknown): never {
  throw new SepconvError('INVALID_ARGUMENT', { op: OP, arg, expected, given: describe(given) });
}

function positive(arg: string, v: unknown): number {
  if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  return fail(arg, 'a positive integer', v);
}

/**
 * Resolves a k×k layer's kernel, stride, dilation and padding for one image of
 * size h × w (the geometry's batch is 1). Errors name the layer's own arguments,
 * e.g. `layers[3].strides`.
 */
export function spatialOf(
  arg: string,
  l: { kernelSize?: Pair; strides?: Pair; dilation?: Pair; padding?: 'same' | 'valid' },
  h: number,
  w: number,
): ConvGeometry {
  const [kH, kW] = normalizePair(OP, `${arg}.kernelSize`, l.kernelSize ?? 1);
  if (l.padding !== undefined && l.padding !== 'same' && l.padding !== 'valid') fail(`${arg}.padding`, "'same' or 'valid'", l.padding);
  const names = { stride: `${arg}.strides`, dilation: `${arg}.dilation`, padding: `${arg}.padding`, kernel: arg };
  return convGeometry(OP, [1, h, w], kH, kW, { stride: l.strides, dilation: l.dilation, padding: l.padding ?? 'valid' }, names);
}

/** [H, W, C] after a layer (per image), and the layer's Keras weights. */
export function layerShape(
  arg: string,
  l: LayerSpec,
  [h, w, c]: [number, number, number],
): { out: [number, number, number]; weights: WeightSpec[] } {
  const bias = (n: number, use: boolean | undefined, dflt = true): WeightSpec[] =>
    use ?? dflt ? [{ name: 'bias', shape: [n], trainable: true }] : [];
  switch (l.type) {
    case 'conv2d': {
      const f = positive(`${arg}.filters`, l.filters);
      const g = positive(`${arg}.groups`, l.groups ?? 1);
      if (c % g !== 0 || f % g !== 0) fail(`${arg}.groups`, `a divisor of ${c} input and ${f} output channels`, g);
      const s = spatialOf(arg, l, h, w);
      return { out: [s.outH, s.outW, f], weights: [{ name: 'kernel', shape: [s.kH, s.kW, c / g, f], trainable: true }, ...bias(f, l.useBias)] };
    }
    case 'depthwiseConv2d': {
      const m = positive(`${arg}.depthMultiplier`, l.depthMultiplier ?? 1);
      const s = spatialOf(arg, l, h, w);
      return { out: [s.outH, s.outW, c * m], weights: [{ name: 'depthwise_kernel', shape: [s.kH, s.kW, c, m], trainable: true }, ...bias(c * m, l.useBias)] };
    }
    case 'pointwiseConv2d': {
      const f = positive(`${arg}.filters`, l.filters);
      return { out: [h, w, f], weights: [{ name: 'kernel', shape: [1, 1, c, f], trainable: true }, ...bias(f, l.useBias)] };
    }
    case 'separableConv2d': {
      const f = positive(`${arg}.filters`, l.filters);
      const m = positive(`${arg}.depthMultiplier`, l.depthMultiplier ?? 1);
      const s = spatialOf(arg, l, h, w);
      return {
        out: [s.outH, s.outW, f],
        weights: [
          { name: 'depthwise_kernel', shape: [s.kH, s.kW, c, m], trainable: true },
          { name: 'pointwise_kernel', shape: [1, 1, c * m, f], trainable: true },
          ...bias(f, l.useBias),
        ],
      };
    }
    case 'batchNorm':
      return {
        out: [h, w, c],
        weights: [
          { name: 'gamma', shape: [c], trainable: true },
          { name: 'beta', shape: [c], trainable: true },
          { name: 'moving_mean', shape: [c], trainable: false },
          { name: 'moving_variance', shape: [c], trainable: false },
        ],
      };
    case 'dense': {
      const u = positive(`${arg}.units`, l.units);
      if (h !== 1 || w !== 1) fail(arg, 'an input of [N, 1, 1, C] (after globalAveragePool)', `[N, ${h}, ${w}, ${c}]`);
      return { out: [1, 1, u], weights: [{ name: 'kernel', shape: [c, u], trainable: true }, ...bias(u, l.useBias)] };
    }
    case 'globalAveragePool':
      return { out: [1, 1, c], weights: [] };
    case 'flatten':
      return { out: [1, 1, h * w * c], weights: [] };
    case 'activation':
    case 'softmax':
      return { out: [h, w, c], weights: [] };
    case 'residual':
      throw new Error('residual shapes are resolved by the model builder');
  }
}
