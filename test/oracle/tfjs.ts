// The independent oracle: TF.js's CPU backend (@tensorflow/tfjs-core +
// @tensorflow/tfjs-backend-cpu), code nobody here wrote. Where TF.js lacks a case
// we rewrite the problem into an equivalent one it has, never into our own code:
// - explicit (possibly asymmetric) padding: tf.pad the input, then 'valid';
// - stride > 1 together with dilation > 1 (TF.js allows only one): dilate the
//   filter by inserting zeros between taps, then dilation 1 (same output exactly);
// - groups: split channels, convolve each group, concatenate;
// - hardSwish: x · relu6(x + 3) / 6 from TF.js ops; elu with alpha ≠ 1: TF.js elu
//   with its negative part scaled; clip: tf.clipByValue; hardSigmoid: max(0, min(1,
//   alpha·x + beta)) from TF.js ops (tfjsActivation, bench/engines/tfjs-ops.ts);
// - elementwise binary ops: tf.add/sub/mul/div, which broadcast by the same NumPy rules.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { tfjsActivation } from '../../bench/engines/tfjs-ops.js';
import type { Activation, PaddingOption } from '../../src/index.js';

await tf.setBackend('cpu');

export interface Spatial {
  stride: [number, number];
  dilation: [number, number];
  padding: PaddingOption;
}

type T4 = tf.Tensor4D;

/** Returns [input, padding, dilation, filter] rewritten so TF.js accepts them. */
function tfSpatial(x: T4, f: T4, s: Spatial): [T4, 'same' | 'valid', [number, number], T4] {
  let input = x;
  let pad: 'same' | 'valid';
  if (s.padding === 'same' || s.padding === 'valid') pad = s.padding;
  else {
    const [t, b, l, r] = typeof s.padding === 'number' ? [s.padding, s.padding, s.padding, s.padding] : s.padding;
    input = tf.pad(x, [[0, 0], [t, b], [l, r], [0, 0]]);
    pad = 'valid';
  }
  let filter = f;
  let dilation = s.dilation;
  const strided = s.stride[0] > 1 || s.stride[1] > 1;
  if (strided && (dilation[0] > 1 || dilation[1] > 1)) {
    filter = dilateFilter(f, dilation);
    dilation = [1, 1];
  }
  return [input, pad, dilation, filter];
}

/** Inserts d−1 zero taps between the taps of an HWIO-like filter [kh, kw, a, b]. */
function dilateFilter(f: T4, [dh, dw]: [number, number]): T4 {
  const [kh, kw, a, b] = f.shape;
  const src = f.dataSync();
  const eh = (kh - 1) * dh + 1;
  const ew = (kw - 1) * dw + 1;
  const out = new Float32Array(eh * ew * a * b);
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      for (let k = 0; k < a * b; k++) out[((i * dh) * ew + j * dw) * a * b + k] = src[(i * kw + j) * a * b + k] as number;
  return tf.tensor4d(out, [eh, ew, a, b]);
}

function epilogue(y: T4, bias: Float32Array | null, activation: Activation, alpha: number, beta: number): Float32Array {
  const withBias = (bias ? tf.add(y, tf.tensor1d(bias)) : y) as T4;
  return tfjsActivation(withBias, activation, alpha, beta).dataSync() as Float32Array;
}

export interface OracleConv {
  x: Float32Array;
  xShape: [number, number, number, number];
  filter: Float32Array;
  filterShape: [number, number, number, number];
  bias: Float32Array | null;
  activation: Activation;
  alpha: number;
  beta: number;
}

function depthwiseTf(x: T4, f: T4, s: Spatial): T4 {
  const [input, pad, dilation, filter] = tfSpatial(x, f, s);
  return tf.depthwiseConv2d(input, filter, s.stride, pad, 'NHWC', dilation);
}

function conv2dTf(x: T4, f: T4, s: Spatial, groups: number): T4 {
  const [input, pad, dilation, filter] = tfSpatial(x, f, s);
  if (groups === 1) return tf.conv2d(input, filter, s.stride, pad, 'NHWC', dilation);
  const xs = tf.split(input, groups, 3);
  const fs = tf.split(filter, groups, 3);
  return tf.concat(xs.map((xg, g) => tf.conv2d(xg as T4, fs[g] as T4, s.stride, pad, 'NHWC', dilation)), 3) as T4;
}

export function oracleDepthwise(c: OracleConv, s: Spatial): Float32Array {
  return tf.tidy(() => {
    const y = depthwiseTf(tf.tensor4d(c.x, c.xShape), tf.tensor4d(c.filter, c.filterShape), s);
    return epilogue(y, c.bias, c.activation, c.alpha, c.beta);
  });
}

export function oracleConv2d(c: OracleConv, s: Spatial, groups: number): Float32Array {
  return tf.tidy(() => {
    const y = conv2dTf(tf.tensor4d(c.x, c.xShape), tf.tensor4d(c.filter, c.filterShape), s, groups);
    return epilogue(y, c.bias, c.activation, c.alpha, c.beta);
  });
}

/** Pointwise: filter given as [Cin, Cout]. */
export function oraclePointwise(c: Omit<OracleConv, 'filterShape'> & { filterShape: [number, number] }): Float32Array {
  return tf.tidy(() => {
    const [cin, cout] = c.filterShape;
    const y = tf.conv2d(tf.tensor4d(c.x, c.xShape), tf.tensor4d(c.filter, [1, 1, cin, cout]), 1, 'valid');
    return epilogue(y, c.bias, c.activation, c.alpha, c.beta);
  });
}

export interface OracleSeparable extends OracleConv {
  pointwise: Float32Array;
  pointwiseShape: [number, number];
  depthwiseBias: Float32Array | null;
}

/** Separable as TF.js defines it: depthwise (+ depthwise bias), then 1×1 conv, bias, activation. */
export function oracleSeparable(c: OracleSeparable, s: Spatial): Float32Array {
  return tf.tidy(() => {
    let y = depthwiseTf(tf.tensor4d(c.x, c.xShape), tf.tensor4d(c.filter, c.filterShape), s);
    if (c.depthwiseBias) y = tf.add(y, tf.tensor1d(c.depthwiseBias)) as T4;
    const [mid, cout] = c.pointwiseShape;
    const z = tf.conv2d(y, tf.tensor4d(c.pointwise, [1, 1, mid, cout]), 1, 'valid');
    return epilogue(z, c.bias, c.activation, c.alpha, c.beta);
  });
}

export interface OracleBinary {
  kind: 'add' | 'sub' | 'mul' | 'div';
  a: Float32Array;
  aShape: number[];
  b: Float32Array;
  bShape: number[];
  activation: Activation;
  alpha: number;
  beta: number;
}

/** tf.add / sub / mul / div (NumPy broadcasting), then the activation. */
export function oracleBinary(c: OracleBinary): Float32Array {
  return tf.tidy(() => {
    const op = { add: tf.add, sub: tf.sub, mul: tf.mul, div: tf.div }[c.kind];
    const y = op(tf.tensor(c.a, c.aShape), tf.tensor(c.b, c.bShape));
    return tfjsActivation(y, c.activation, c.alpha, c.beta).dataSync() as Float32Array;
  });
}

/** The activation alone, on a 1-D tensor. */
export function oracleActivation(x: Float32Array, activation: Activation, alpha: number, beta: number): Float32Array {
  return tf.tidy(() => tfjsActivation(tf.tensor1d(x), activation, alpha, beta).dataSync() as Float32Array);
}

/** tf.concat of row-major tensors of the given shapes along `axis`. */
export function oracleConcat(xs: readonly Float32Array[], shapes: readonly number[][], axis: number): Float32Array {
  return tf.tidy(() => tf.concat(xs.map((x, i) => tf.tensor(x, shapes[i])), axis).dataSync() as Float32Array);
}

/** tf.pad with TF.js paddings [[before, after], …] and a constant. */
export function oraclePad(x: Float32Array, shape: number[], paddings: [number, number][], value: number): Float32Array {
  return tf.tidy(() => tf.pad(tf.tensor(x, shape), paddings, value).dataSync() as Float32Array);
}

export interface OraclePool {
  x: Float32Array;
  xShape: [number, number, number, number];
  kind: 'max' | 'avg';
  kernel: [number, number];
  stride: [number, number];
  dilation: [number, number];
  padding: PaddingOption;
  countIncludePad: boolean;
}

/**
 * tf.maxPool / tf.avgPool (tf.pool with dilation). Explicit padding goes to TF.js as
 * its ExplicitPadding (padded cells left out, as ours). countIncludePad, which TF.js
 * lacks, is tf.pad with zeros then 'valid' (the zeros become cells of every window),
 * with 'same' resolved by TF.js's own computePool2DInfo. TF.js takes dilation only at
 * stride 1, and pools dilated windows by space-to-batch, which pads with zeros (its
 * dilated 'same' max pooling sees padded zeros, not −∞): here dilation is taken only
 * once no padding is left (after the countIncludePad rewrite); other cases throw.
 */
export function oraclePool(c: OraclePool): Float32Array {
  return tf.tidy(() => {
    let x = tf.tensor4d(c.x, c.xShape);
    type Explicit = [[number, number], [number, number], [number, number], [number, number]];
    let pad: 'same' | 'valid' | Explicit;
    if (c.padding === 'same' || c.padding === 'valid') pad = c.padding;
    else {
      const [t, b, l, r] = typeof c.padding === 'number' ? [c.padding, c.padding, c.padding, c.padding] : c.padding;
      pad = [[0, 0], [t, b], [l, r], [0, 0]];
    }
    const dilated = c.dilation[0] > 1 || c.dilation[1] > 1;
    if (c.countIncludePad && pad !== 'valid') {
      if (pad === 'same') {
        const p = tf.backend_util.computePool2DInfo(c.xShape, c.kernel, c.stride, c.dilation, 'same').padInfo;
        pad = [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]];
      }
      x = tf.pad(x, pad);
      pad = 'valid';
    }
    if (dilated) {
      if (pad !== 'valid') throw new Error('oraclePool: TF.js pads dilated windows with zeros: no padding with dilation');
      return tf.pool(x, c.kernel, c.kind, pad, c.dilation, c.stride).dataSync() as Float32Array;
    }
    const y = c.kind === 'max' ? tf.maxPool(x, c.kernel, c.stride, pad) : tf.avgPool(x, c.kernel, c.stride, pad);
    return y.dataSync() as Float32Array;
  });
}

/** tf.matMul of [m, k] and [k, n]. */
export function oracleMatMul(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  return tf.tidy(() => tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])).dataSync() as Float32Array);
}
