// Parameter and FLOP counts of a convolution layer, from its description alone.

import { SepconvError, describe } from './errors.js';
import { convOutputSize, normalizePair, resolvePadding, type PaddingOption, type PairOption } from './shape.js';

/** A convolution layer, as {@link countParams} and {@link countFlops} take it. */
export interface ConvSpec {
  /** `'conv2d'` (standard or grouped), `'depthwise'`, `'pointwise'` (1×1) or `'separable'` (depthwise + pointwise). */
  op: 'conv2d' | 'depthwise' | 'pointwise' | 'separable';
  inChannels: number;
  /** Required for conv2d, pointwise and separable; for depthwise it must equal inChannels·depthMultiplier if given. */
  outChannels?: number;
  /** `k` or `[kh, kw]`; required except for pointwise (which is 1). */
  kernelSize?: number | readonly [number, number];
  /** Channel multiplier of the depthwise step. Default 1. */
  depthMultiplier?: number;
  /** Channel groups of conv2d. Default 1. */
  groups?: number;
  /** Whether the layer has a bias (separable: on the pointwise step only, as Keras). Default false. */
  bias?: boolean;
  /** `[H, W]` of the input, needed for FLOPs. */
  inputSize?: readonly [number, number];
  stride?: PairOption;
  dilation?: PairOption;
  /** Default `'valid'`. */
  padding?: PaddingOption;
}

interface Resolved {
  op: ConvSpec['op'];
  cin: number;
  cout: number;
  kh: number;
  kw: number;
  m: number;
  groups: number;
  bias: boolean;
}

function positiveInt(fn: string, arg: string, v: unknown): number {
  if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  throw new SepconvError('INVALID_ARGUMENT', { op: fn, arg, expected: 'a positive integer', given: describe(v) });
}

function resolve(fn: string, spec: ConvSpec): Resolved {
  if (spec === null || typeof spec !== 'object') {
    throw new SepconvError('INVALID_ARGUMENT', { op: fn, arg: 'spec', expected: 'an object', given: describe(spec) });
  }
  const ops = ['conv2d', 'depthwise', 'pointwise', 'separable'];
  if (!ops.includes(spec.op)) {
    throw new SepconvError('INVALID_ARGUMENT', {
      op: fn,
      arg: 'spec.op',
      expected: ops.map((o) => `'${o}'`).join(', '),
      given: describe(spec.op),
    });
  }
  const cin = positiveInt(fn, 'spec.inChannels', spec.inChannels);
  const m = positiveInt(fn, 'spec.depthMultiplier', spec.depthMultiplier ?? 1);
  const groups = positiveInt(fn, 'spec.groups', spec.groups ?? 1);
  let kh = 1;
  let kw = 1;
  if (spec.op === 'pointwise') {
    if (spec.kernelSize !== undefined && spec.kernelSize !== 1) {
      throw new SepconvError('INVALID_ARGUMENT', { op: fn, arg: 'spec.kernelSize', expected: '1 (or nothing) for pointwise', given: describe(spec.kernelSize) });
    }
  } else {
    if (spec.kernelSize === undefined) {
      throw new SepconvError('INVALID_ARGUMENT', { op: fn, arg: 'spec.kernelSize', expected: 'k or [kh, kw]', given: 'nothing' });
    }
    [kh, kw] = normalizePair(fn, 'spec.kernelSize', spec.kernelSize);
  }
  let cout: number;
  if (spec.op === 'depthwise') {
    cout = spec.outChannels === undefined ? cin * m : positiveInt(fn, 'spec.outChannels', spec.outChannels);
    if (cout !== cin * m) {
      throw new SepconvError('SHAPE_MISMATCH', { op: fn, arg: 'spec.outChannels', expected: `inChannels·depthMultiplier = ${cin * m}`, given: `${cout}` });
    }
  } else {
    cout = positiveInt(fn, 'spec.outChannels', spec.outChannels);
  }
  if (spec.op === 'conv2d' && (cin % groups !== 0 || cout % groups !== 0)) {
    throw new SepconvError('SHAPE_MISMATCH', { op: fn, arg: 'spec.groups', expected: `a divisor of inChannels (${cin}) and outChannels (${cout})`, given: `${groups}` });
  }
  return { op: spec.op, cin, cout, kh, kw, m, groups, bias: spec.bias === true };
}

/**
 * Number of weights (and biases) of a convolution layer.
 * @example countParams({ op: 'conv2d', inChannels: 3, outChannels: 32, kernelSize: 3 })    // 864
 * @example countParams({ op: 'separable', inChannels: 3, outChannels: 32, kernelSize: 3 }) // 123 = 27 + 96
 */
export function countParams(spec: ConvSpec): number {
  const r = resolve('countParams', spec);
  const biasCount = r.bias ? r.cout : 0;
  switch (r.op) {
    case 'conv2d':
      return r.kh * r.kw * (r.cin / r.groups) * r.cout + biasCount;
    case 'depthwise':
      return r.kh * r.kw * r.cin * r.m + biasCount;
    case 'pointwise':
      return r.cin * r.cout + biasCount;
    case 'separable':
      return r.kh * r.kw * r.cin * r.m + r.cin * r.m * r.cout + biasCount;
  }
}

/**
 * Floating-point operations of one forward pass over a single image: 2 per
 * multiply-add (bias additions and activations are not counted). Needs `inputSize`.
 * @example countFlops({ op: 'depthwise', inChannels: 32, kernelSize: 3, inputSize: [112, 112], padding: 'same' })
 */
export function countFlops(spec: ConvSpec): number {
  const fn = 'countFlops';
  const r = resolve(fn, spec);
  const size = spec.inputSize;
  if (!Array.isArray(size) || size.length !== 2) {
    throw new SepconvError('INVALID_ARGUMENT', { op: fn, arg: 'spec.inputSize', expected: '[H, W]', given: describe(size) });
  }
  const h = positiveInt(fn, 'spec.inputSize[0]', size[0]);
  const w = positiveInt(fn, 'spec.inputSize[1]', size[1]);
  const stride = normalizePair(fn, 'spec.stride', spec.stride);
  const dilation = normalizePair(fn, 'spec.dilation', spec.dilation);
  const pad = resolvePadding(fn, spec.padding, h, w, r.kh, r.kw, stride, dilation);
  const outH = convOutputSize(h, r.kh, stride[0], dilation[0], pad.top, pad.bottom);
  const outW = convOutputSize(w, r.kw, stride[1], dilation[1], pad.left, pad.right);
  const pixels = outH * outW;
  switch (r.op) {
    case 'conv2d':
      return 2 * pixels * r.kh * r.kw * (r.cin / r.groups) * r.cout;
    case 'depthwise':
      return 2 * pixels * r.kh * r.kw * r.cin * r.m;
    case 'pointwise':
      return 2 * pixels * r.cin * r.cout;
    case 'separable':
      return 2 * pixels * (r.kh * r.kw * r.cin * r.m + r.cin * r.m * r.cout);
  }
}
