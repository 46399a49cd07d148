// The independent oracle: TF.js's CPU backend (@tensorflow/tfjs-core +
// @tensorflow/tfjs-backend-cpu), code nobody here wrote. Where TF.js lacks a case
// we rewrite the problem into an equivalent one it has, never into our own code:
// - explicit (possibly asymmetric) padding: tf.pad the input, then 'valid';
// - stride > 1 together with dilation > 1 (TF.js allows only one): dilate the
//   filter by inserting zeros between taps, then dilation 1 (same output exactly);
// - groups: split channels, convolve each group, concatenate;
// - hardSwish: x · relu6(x + 3) / 6 from TF.js ops; elu with alpha ≠ 1: TF.js elu
//   with its negative part scaled (tfjsActivation, bench/engines/tfjs-ops.ts).
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

function epilogue(y: T4, bias: Float32Array | null, activation: Activation, alpha: number): Float32Array {
  const withBias = (bias ? tf.add(y, tf.tensor1d(bias)) : y) as T4;
  return tfjsActivation(withBias, activation, alpha).dataSync() as Float32Array;
}

export interface OracleConv {
  x: Float32Array;
  xShape: [number, number, number, number];
  filter: Float32Array;
  filterShape: [number, number, number, number];
  bias: Float32Array | null;
  activation: Activation;
  alpha: number;
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
    return epilogue(y, c.bias, c.activation, c.alpha);
  });
}

export function oracleConv2d(c: OracleConv, s: Spatial, groups: number): Float32Array {
  return tf.tidy(() => {
    const y = conv2dTf(tf.tensor4d(c.x, c.xShape), tf.tensor4d(c.filter, c.filterShape), s, groups);
    return epilogue(y, c.bias, c.activation, c.alpha);
  });
}

/** Pointwise: filter given as [Cin, Cout]. */
export function oraclePointwise(c: Omit<OracleConv, 'filterShape'> & { filterShape: [number, number] }): Float32Array {
  return tf.tidy(() => {
    const [cin, cout] = c.filterShape;
    const y = tf.conv2d(tf.tensor4d(c.x, c.xShape), tf.tensor4d(c.filter, [1, 1, cin, cout]), 1, 'valid');
    return epilogue(y, c.bias, c.activation, c.alpha);
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
    return epilogue(z, c.bias, c.activation, c.alpha);
  });
}
