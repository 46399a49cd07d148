// Each Keras layer sepconv runs, as a function from one call of the layer
// (its config, input values, weights) to IR nodes. The table's keys are the
// supported class names: the UNSUPPORTED_OP error lists them.
//
// Semantics follow Keras (and tfjs-layers, which ports it):
// - Weights as Keras stores them: Conv2D kernel [kh, kw, Cin/groups, filters];
//   DepthwiseConv2D depthwise_kernel [kh, kw, C, M] (output channel c·M + m, the
//   same bytes as the IR's HWIO [kh, kw, 1, C·M] with groups = C);
//   SeparableConv2D depthwise_kernel [kh, kw, C, M], pointwise_kernel
//   [1, 1, C·M, filters]; Dense kernel [in, units]; BatchNormalization gamma,
//   beta, moving_mean, moving_variance [C].
// - padding 'same' is TF's rule (src/shape.ts samePadding), resolved here from
//   the input size; average pooling divides by the window's valid elements only.
// - data_format 'channels_last' is the IR's NHWC, 'channels_first' NCHW;
//   Flatten with channels_first moves channels last before flattening.
// - An activation attribute becomes activation nodes after the op.

import { samePadding } from '../../shape.js';
import { imageDims } from '../infer.js';
import type { ImageLayout, OpAttrs, OpKind, Window } from '../ir.js';
import { activate, LINEAR, spec } from './activations.js';
import type { LayerConfig } from './config.js';
import { badModel, unsupported } from './errors.js';

/** One call of a layer, as the translators see it. */
export interface LayerCall {
  readonly cfg: LayerConfig;
  readonly inputs: readonly number[];
  shape(value: number): number[];
  /**
   * The layer's weights in Keras' order: one entry per [name, expected shape]
   * (-1: any size), null where the layer has no such weight (use_bias false).
   * BAD_MODEL when one is missing or its shape differs.
   */
  weights(wanted: readonly ([string, readonly number[]] | null)[]): (Float32Array | null)[];
  /** Adds a node named after the layer (`layer/suffix` when suffix is set) and returns its output. */
  emit<K extends OpKind>(op: K, suffix: string, inputs: readonly number[], attrs: OpAttrs[K]): number;
  /** hard_sigmoid's slope: 0.2 (Keras 2, tfjs-layers) or 1/6 (Keras 3). */
  readonly hardSigmoidSlope: number;
}

export type Translator = (call: LayerCall) => number;

/** data_format → the IR layout of the layer's image operands. */
export function layoutOf(cfg: LayerConfig): ImageLayout {
  return cfg.string('data_format', ['channels_last', 'channels_first'], 'channels_last') === 'channels_first' ? 'NCHW' : 'NHWC';
}

function one(call: LayerCall): number {
  if (call.inputs.length !== 1) {
    throw badModel(call.cfg.where, `it is called on ${call.inputs.length} tensors`, 'one input tensor', `${call.inputs.length}`);
  }
  return call.inputs[0] as number;
}

function image(call: LayerCall, x: number, layout: ImageLayout): { n: number; c: number; h: number; w: number } {
  const s = call.shape(x);
  if (s.length !== 4) throw badModel(call.cfg.where, `its input has shape [${s.join(', ')}], not a rank-4 image`, `a rank-4 ${layout} input`);
  const d = imageDims(s, layout);
  if (d.c <= 0) throw badModel(call.cfg.where, `its input's channel count is unknown ([${s.join(', ')}])`, 'a known channel count');
  return d;
}

/** The window of a conv or pool: kernel, strides, dilation, and padding resolved for the input's size. */
function window(call: LayerCall, d: { h: number; w: number }, k: [number, number], s: [number, number], dil: [number, number]): Window {
  const padding = call.cfg.string('padding', ['valid', 'same'], 'valid');
  const base = { kH: k[0], kW: k[1], strideH: s[0], strideW: s[1], dilationH: dil[0], dilationW: dil[1] };
  if (padding === 'valid') return { ...base, pad: { top: 0, bottom: 0, left: 0, right: 0 } };
  if (d.h <= 0 || d.w <= 0) {
    throw badModel(call.cfg.where, `padding 'same' needs the input's height and width, which are unknown (${d.h}×${d.w})`, 'a fixed input size (layersToGraph options.inputShapes)');
  }
  const [top, bottom] = samePadding(d.h, k[0], s[0], dil[0]);
  const [left, right] = samePadding(d.w, k[1], s[1], dil[1]);
  return { ...base, pad: { top, bottom, left, right } };
}

/** The window of a conv layer from its kernel_size, strides, dilation_rate and padding. */
function convWindow(call: LayerCall, d: { h: number; w: number }): Window {
  const k = call.cfg.pair('kernel_size');
  return window(call, d, k, call.cfg.pair('strides', [1, 1]), call.cfg.pair('dilation_rate', [1, 1]));
}

const conv2d: Translator = (call) => {
  const x = one(call);
  const layout = layoutOf(call.cfg);
  const d = image(call, x, layout);
  const win = convWindow(call, d);
  const filters = call.cfg.positiveInt('filters');
  const groups = call.cfg.positiveInt('groups', 1);
  if (d.c % groups !== 0 || filters % groups !== 0) {
    throw badModel(call.cfg.where, `groups ${groups} does not divide its ${d.c} input channels and ${filters} filters`, 'groups dividing both');
  }
  const useBias = call.cfg.bool('use_bias', true);
  const [kernel, bias] = call.weights([['kernel', [win.kH, win.kW, d.c / groups, filters]], useBias ? ['bias', [filters]] : null]);
  const y = call.emit('conv', '', [x], {
    ...win,
    layout,
    filter: kernel as Float32Array,
    bias: bias ?? null,
    groups,
    outChannels: filters,
    act: LINEAR,
    residual: null,
  });
  return activate(call, y);
};

const depthwiseConv2d: Translator = (call) => {
  const x = one(call);
  const layout = layoutOf(call.cfg);
  const d = image(call, x, layout);
  const win = convWindow(call, d);
  const m = call.cfg.positiveInt('depth_multiplier', 1);
  const useBias = call.cfg.bool('use_bias', true);
  const [kernel, bias] = call.weights([['depthwise_kernel', [win.kH, win.kW, d.c, m]], useBias ? ['bias', [d.c * m]] : null]);
  const y = call.emit('conv', '', [x], {
    ...win,
    layout,
    filter: kernel as Float32Array,
    bias: bias ?? null,
    groups: d.c,
    outChannels: d.c * m,
    act: LINEAR,
    residual: null,
  });
  return activate(call, y);
};

const separableConv2d: Translator = (call) => {
  const x = one(call);
  const layout = layoutOf(call.cfg);
  const d = image(call, x, layout);
  const win = convWindow(call, d);
  const filters = call.cfg.positiveInt('filters');
  const useBias = call.cfg.bool('use_bias', true);
  // tfjs-layers (4.22) leaves depth_multiplier out of a saved SeparableConv2D config;
  // without it, the multiplier is what the depthwise kernel holds (-1: any size).
  const declared = call.cfg.has('depth_multiplier') ? call.cfg.positiveInt('depth_multiplier') : -1;
  const [dw, pw, bias] = call.weights([
    ['depthwise_kernel', [win.kH, win.kW, d.c, declared]],
    ['pointwise_kernel', [1, 1, declared === -1 ? -1 : d.c * declared, filters]],
    useBias ? ['bias', [filters]] : null,
  ]) as [Float32Array, Float32Array, Float32Array | null];
  const m = dw.length / (win.kH * win.kW * d.c);
  if (pw.length !== d.c * m * filters) {
    throw badModel(call.cfg.where, `its pointwise_kernel holds ${pw.length} values, not [1, 1, ${d.c * m}, ${filters}] for a depthwise multiplier of ${m}`, `${d.c * m * filters} values`);
  }
  const y = call.emit('separable', '', [x], {
    ...win,
    layout,
    depthwiseFilter: dw,
    pointwiseFilter: pw,
    bias,
    multiplier: m,
    outChannels: filters,
    act: LINEAR,
  });
  return activate(call, y);
};

/** Inference batch norm: y = x·scale + shift with scale = γ/√(var + ε), shift = β − mean·scale. */
const batchNormalization: Translator = (call) => {
  const x = one(call);
  const s = call.shape(x);
  const axis = call.cfg.axis('axis', -1, s.length);
  const c = s[axis] as number;
  if (c <= 0) throw badModel(call.cfg.where, `the size of its axis ${axis} is unknown ([${s.join(', ')}])`, 'a known channel count');
  const eps = call.cfg.number('epsilon', 1e-3);
  const hasScale = call.cfg.bool('scale', true);
  const hasCenter = call.cfg.bool('center', true);
  const [gamma, beta, mean, variance] = call.weights([
    hasScale ? ['gamma', [c]] : null,
    hasCenter ? ['beta', [c]] : null,
    ['moving_mean', [c]],
    ['moving_variance', [c]],
  ]) as [Float32Array | null, Float32Array | null, Float32Array, Float32Array];
  const scale = new Float32Array(c);
  const shift = new Float32Array(c);
  for (let i = 0; i < c; i++) {
    const k = (gamma ? (gamma[i] as number) : 1) / Math.sqrt((variance[i] as number) + eps);
    scale[i] = k;
    shift[i] = (beta ? (beta[i] as number) : 0) - (mean[i] as number) * k;
  }
  return call.emit('scaleShift', '', [x], { axis, scale, shift });
};

/** The largest finite f32: clip's lower bound when only an upper one is meant. */
const F32_MAX = 3.4028234663852886e38;

/**
 * Keras ReLU: x ≥ max_value → max_value; threshold ≤ x < max_value → x;
 * otherwise negative_slope·(x − threshold). With threshold 0 that is
 * leakyRelu (or relu) clipped at max_value; a threshold ≠ 0 makes it
 * discontinuous, which no IR activation computes.
 */
const relu: Translator = (call) => {
  const x = one(call);
  const max = call.cfg.optionalNumber('max_value');
  const slope = call.cfg.number('negative_slope', 0);
  const threshold = call.cfg.number('threshold', 0);
  if (threshold !== 0) {
    throw unsupported(`${call.cfg.where}: threshold`, `ReLU with threshold ${threshold} (only threshold 0 is supported: x below a nonzero threshold jumps to 0)`, [
      'ReLU with threshold 0',
    ]);
  }
  if (max !== null && max < 0) throw badModel(`${call.cfg.where}: max_value`, `${max} is negative`, 'max_value ≥ 0');
  if (slope < 0) throw badModel(`${call.cfg.where}: negative_slope`, `${slope} is negative`, 'negative_slope ≥ 0');
  const node = (x: number, suffix: string, a: ReturnType<typeof spec>) => call.emit('activation', suffix, [x], { act: a });
  if (slope === 0) {
    if (max === null) return node(x, '', spec('relu'));
    return node(x, '', max === 6 ? spec('relu6') : spec('clip', 0, max));
  }
  const leaky = node(x, max === null ? '' : 'leaky', spec('leakyRelu', slope));
  // slope·x < 0 ≤ max_value for x < 0, so clipping the leaky output from above is Keras' rule.
  return max === null ? leaky : node(leaky, '', spec('clip', -F32_MAX, max));
};

const activation: Translator = (call) => {
  const x = one(call);
  const y = activate(call, x, 'activation', true);
  // Activation('linear') still gets a node, so the layer has an output of its own.
  return y === x ? call.emit('identity', '', [x], {}) : y;
};

const leakyRelu: Translator = (call) => {
  // tfjs-layers and Keras 2 write alpha (default 0.3); Keras 3 writes negative_slope.
  const slope = call.cfg.has('negative_slope') ? call.cfg.number('negative_slope') : call.cfg.number('alpha', 0.3);
  return call.emit('activation', '', [one(call)], { act: spec('leakyRelu', slope) });
};

const elu: Translator = (call) => call.emit('activation', '', [one(call)], { act: spec('elu', call.cfg.number('alpha', 1)) });

/** ZeroPadding2D's padding: p, [ph, pw] (symmetric), or [[top, bottom], [left, right]]. */
function zeroPads(call: LayerCall): [number, number, number, number] {
  const v = call.cfg.raw('padding') ?? 1;
  const n = (d: unknown): d is number => typeof d === 'number' && Number.isInteger(d) && d >= 0;
  if (n(v)) return [v, v, v, v];
  if (Array.isArray(v) && v.length === 2) {
    const [a, b] = v as [unknown, unknown];
    if (n(a) && n(b)) return [a, a, b, b];
    if (Array.isArray(a) && Array.isArray(b) && a.length === 2 && b.length === 2 && [...a, ...b].every(n)) {
      return [a[0], a[1], b[0], b[1]] as [number, number, number, number];
    }
  }
  return call.cfg.fail('padding', 'p, [ph, pw] or [[top, bottom], [left, right]] of non-negative integers');
}

const zeroPadding2d: Translator = (call) => {
  const x = one(call);
  const layout = layoutOf(call.cfg);
  image(call, x, layout);
  const [top, bottom, left, right] = zeroPads(call);
  // pads: begin of each axis, then end of each axis, over the logical (N, …) dimensions.
  const pads = layout === 'NHWC' ? [0, top, left, 0, 0, bottom, right, 0] : [0, 0, top, left, 0, 0, bottom, right];
  return call.emit('pad', '', [x], { pads, value: 0 });
};

function merge(kind: OpAttrs['binary']['kind'], exactly?: number): Translator {
  return (call) => {
    const n = call.inputs.length;
    if (n < 2 || (exactly !== undefined && n !== exactly)) {
      throw badModel(call.cfg.where, `it is called on ${n} tensor${n === 1 ? '' : 's'}`, exactly ? `${exactly} inputs` : 'at least 2 inputs', `${n}`);
    }
    let y = call.inputs[0] as number;
    for (let i = 1; i < n; i++) {
      y = call.emit('binary', n > 2 && i < n - 1 ? `${i}` : '', [y, call.inputs[i] as number], { kind, act: LINEAR });
    }
    return y;
  };
}

const concatenate: Translator = (call) => {
  if (call.inputs.length < 2) throw badModel(call.cfg.where, `it is called on ${call.inputs.length} tensor`, 'at least 2 inputs');
  const rank = call.shape(call.inputs[0] as number).length;
  return call.emit('concat', '', call.inputs, { axis: call.cfg.axis('axis', -1, rank) });
};

function pooling(kind: 'max' | 'avg'): Translator {
  return (call) => {
    const x = one(call);
    const layout = layoutOf(call.cfg);
    const d = image(call, x, layout);
    const k = call.cfg.pair('pool_size', [2, 2]);
    const win = window(call, d, k, call.cfg.pair('strides', k), [1, 1]);
    // TF averages over the window's elements inside the input (padding not counted).
    return call.emit('pool', '', [x], { ...win, layout, kind, countIncludePad: false });
  };
}

const globalAveragePooling2d: Translator = (call) => {
  const x = one(call);
  const layout = layoutOf(call.cfg);
  const d = image(call, x, layout);
  const y = call.emit('globalAveragePool', call.cfg.bool('keepdims', false) ? '' : 'pool', [x], { layout });
  if (call.cfg.bool('keepdims', false)) return y;
  return call.emit('reshape', '', [y], { shape: [d.n, d.c] });
};

const flatten: Translator = (call) => {
  let x = one(call);
  let s = call.shape(x);
  if (layoutOf(call.cfg) === 'NCHW' && s.length >= 3) {
    // Keras' Flatten(data_format='channels_first') moves channels last first, so that
    // weights after it read the same order in either data format.
    const perm = [0, ...s.slice(2).map((_, i) => i + 2), 1];
    x = call.emit('transpose', 'channels_last', [x], { perm });
    s = call.shape(x);
  }
  const rest = s.slice(1);
  if (rest.some((d) => d <= 0)) throw badModel(call.cfg.where, `its input shape [${s.join(', ')}] has an unknown dimension besides the batch`, 'a fixed input size');
  return call.emit('reshape', '', [x], { shape: [s[0] as number, rest.reduce((p, d) => p * d, 1)] });
};

const reshape: Translator = (call) => {
  const x = one(call);
  const s = call.shape(x);
  const raw = call.cfg.raw('target_shape');
  // target_shape excludes the batch; one size may be -1 (tfjs-layers saves it as null), taking what the others leave.
  const target = Array.isArray(raw) ? raw.map((d) => (d === null ? -1 : d)) : raw;
  if (!Array.isArray(target) || !target.every((d) => Number.isInteger(d) && (d === -1 || d > 0)) || target.filter((d) => d === -1).length > 1) {
    return call.cfg.fail('target_shape', 'a list of positive sizes with at most one -1');
  }
  const rest = s.slice(1);
  const size = rest.reduce((p, d) => p * d, 1);
  if (rest.some((d) => d <= 0)) throw badModel(call.cfg.where, `its input shape [${s.join(', ')}] has an unknown dimension besides the batch`, 'a fixed input size');
  const known = (target as number[]).filter((d) => d > 0).reduce((p, d) => p * d, 1);
  const resolved = (target as number[]).map((d) => (d === -1 ? size / known : d));
  if (resolved.some((d) => !Number.isInteger(d)) || resolved.reduce((p, d) => p * d, 1) !== size) {
    throw badModel(call.cfg.where, `target_shape ${JSON.stringify(raw)} does not hold the ${size} elements of [${s.join(', ')}]`, `a shape of ${size} elements`);
  }
  return call.emit('reshape', '', [x], { shape: [s[0] as number, ...resolved] });
};

const dense: Translator = (call) => {
  const x = one(call);
  const s = call.shape(x);
  const k = s[s.length - 1] as number;
  if (s.length < 2 || k <= 0) throw badModel(call.cfg.where, `its input shape [${s.join(', ')}] has no known last dimension`, '[batch, …, features]');
  const units = call.cfg.positiveInt('units');
  const useBias = call.cfg.bool('use_bias', true);
  const [kernel, bias] = call.weights([['kernel', [k, units]], useBias ? ['bias', [units]] : null]);
  const y = call.emit('dense', '', [x], { weights: kernel as Float32Array, bias: bias ?? null, units, act: LINEAR, residual: null });
  return activate(call, y);
};

/** Layers that are the identity at inference. */
const identity: Translator = (call) => call.emit('identity', '', [one(call)], {});

const softmax: Translator = (call) => {
  const x = one(call);
  return call.emit('softmax', '', [x], { axis: call.cfg.axis('axis', -1, call.shape(x).length) });
};

/** The layers sepconv translates, by Keras class name (InputLayer and nested models are handled by the model walk). */
export const LAYERS: Readonly<Record<string, Translator>> = {
  Activation: activation,
  Add: merge('add'),
  AveragePooling2D: pooling('avg'),
  BatchNormalization: batchNormalization,
  Concatenate: concatenate,
  Conv2D: conv2d,
  Dense: dense,
  DepthwiseConv2D: depthwiseConv2d,
  Dropout: identity,
  ELU: elu,
  Flatten: flatten,
  GaussianDropout: identity,
  GaussianNoise: identity,
  GlobalAveragePooling2D: globalAveragePooling2d,
  LeakyReLU: leakyRelu,
  MaxPooling2D: pooling('max'),
  Multiply: merge('mul'),
  ReLU: relu,
  Reshape: reshape,
  SeparableConv2D: separableConv2d,
  Softmax: softmax,
  SpatialDropout2D: identity,
  Subtract: merge('sub', 2),
  ZeroPadding2D: zeroPadding2d,
};
