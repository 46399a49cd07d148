// Output sizes, padding and stride/dilation normalisation for 2-D convolution.
// Pure arithmetic: every function here is unit-tested without a backend.

import { SepconvError, describe } from './errors.js';

/**
 * Padding of a convolution:
 * - `'same'`: TF/Keras rule, output size ceil(in / stride); the odd extra row or
 *   column goes to the bottom/right.
 * - `'valid'`: no padding.
 * - `p`: `p` zeros on every side.
 * - `[top, bottom, left, right]`: explicit zeros per side.
 */
export type PaddingOption = 'same' | 'valid' | number | readonly [number, number, number, number];

/** A stride or dilation: one number for both axes, or `[vertical, horizontal]`. */
export type PairOption = number | readonly [number, number];

/** Resolved zero padding per side, in input pixels. */
export interface Padding {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** Everything a backend needs to know about the spatial side of a 2-D convolution. */
export interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  pad: Padding;
  outH: number;
  outW: number;
}

function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

function isNonNegativeInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/** Normalises a stride or dilation to `[vertical, horizontal]` positive integers. */
export function normalizePair(op: string, arg: string, value: PairOption | undefined): [number, number] {
  if (value === undefined) return [1, 1];
  if (isPositiveInt(value)) return [value, value];
  if (Array.isArray(value) && value.length === 2 && isPositiveInt(value[0]) && isPositiveInt(value[1])) {
    return [value[0], value[1]];
  }
  throw new SepconvError('INVALID_ARGUMENT', {
    op,
    arg,
    expected: 'a positive integer or a pair [vertical, horizontal] of positive integers',
    given: describe(value),
  });
}

/** Extent of a dilated kernel: (k - 1)·d + 1. */
export function effectiveKernelSize(k: number, dilation: number): number {
  return (k - 1) * dilation + 1;
}

/**
 * TF/Keras 'same' padding along one axis (tensorflow/core/framework/kernel_shape_util.cc):
 * total = max((ceil(in/s) - 1)·s + (k - 1)·d + 1 - in, 0), before = floor(total / 2).
 */
export function samePadding(inSize: number, k: number, stride: number, dilation: number): [number, number] {
  const outSize = Math.ceil(inSize / stride);
  const total = Math.max((outSize - 1) * stride + effectiveKernelSize(k, dilation) - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** Output size along one axis: floor((in + padBefore + padAfter - effectiveK) / s) + 1, or ≤ 0 when empty. */
export function convOutputSize(
  inSize: number,
  k: number,
  stride: number,
  dilation: number,
  padBefore: number,
  padAfter: number,
): number {
  const span = inSize + padBefore + padAfter - effectiveKernelSize(k, dilation);
  return span < 0 ? 0 : Math.floor(span / stride) + 1;
}

/** Resolves a {@link PaddingOption} for the given input, kernel, stride and dilation. */
export function resolvePadding(
  op: string,
  padding: PaddingOption | undefined,
  inH: number,
  inW: number,
  kH: number,
  kW: number,
  stride: [number, number],
  dilation: [number, number],
  arg = 'options.padding',
): Padding {
  const value = padding === undefined ? 'valid' : padding;
  if (value === 'valid') return { top: 0, bottom: 0, left: 0, right: 0 };
  if (value === 'same') {
    const [top, bottom] = samePadding(inH, kH, stride[0], dilation[0]);
    const [left, right] = samePadding(inW, kW, stride[1], dilation[1]);
    return { top, bottom, left, right };
  }
  if (isNonNegativeInt(value)) return { top: value, bottom: value, left: value, right: value };
  if (Array.isArray(value) && value.length === 4 && value.every(isNonNegativeInt)) {
    const [top, bottom, left, right] = value as [number, number, number, number];
    return { top, bottom, left, right };
  }
  throw new SepconvError('INVALID_ARGUMENT', {
    op,
    arg,
    expected: "'same', 'valid', a non-negative integer or [top, bottom, left, right] of non-negative integers",
    given: describe(value),
  });
}

/** The argument names errors about a convolution's geometry report. */
export interface GeometryArgs {
  stride: string;
  dilation: string;
  padding: string;
  /** Blamed when the kernel does not fit the padded input. */
  kernel: string;
}

/** The Engine's names: its ops take `filter` and `options.{stride, dilation, padding}`. */
const ENGINE_ARGS: GeometryArgs = {
  stride: 'options.stride',
  dilation: 'options.dilation',
  padding: 'options.padding',
  kernel: 'filter',
};

/**
 * Computes the geometry of a 2-D convolution of an NHWC input `[N, H, W, *]` with a
 * `kH × kW` kernel, throwing `EMPTY_OUTPUT` when the kernel does not fit the padded input.
 * Errors name the arguments as `args` says (default: the Engine's option names).
 */
export function convGeometry(
  op: string,
  inputShape: readonly number[],
  kH: number,
  kW: number,
  options: { stride?: PairOption; dilation?: PairOption; padding?: PaddingOption },
  args: GeometryArgs = ENGINE_ARGS,
): ConvGeometry {
  const [batch, inH, inW] = inputShape as [number, number, number];
  const [strideH, strideW] = normalizePair(op, args.stride, options.stride);
  const [dilationH, dilationW] = normalizePair(op, args.dilation, options.dilation);
  const pad = resolvePadding(op, options.padding, inH, inW, kH, kW, [strideH, strideW], [dilationH, dilationW], args.padding);
  const outH = convOutputSize(inH, kH, strideH, dilationH, pad.top, pad.bottom);
  const outW = convOutputSize(inW, kW, strideW, dilationW, pad.left, pad.right);
  if (outH <= 0 || outW <= 0) {
    throw new SepconvError('EMPTY_OUTPUT', {
      op,
      arg: args.kernel,
      expected: `a dilated kernel no larger than the padded input (${inH + pad.top + pad.bottom}×${inW + pad.left + pad.right})`,
      given: `${effectiveKernelSize(kH, dilationH)}×${effectiveKernelSize(kW, dilationW)} (kernel ${kH}×${kW}, dilation ${dilationH}×${dilationW})`,
    });
  }
  return { batch, inH, inW, kH, kW, strideH, strideW, dilationH, dilationW, pad, outH, outW };
}
