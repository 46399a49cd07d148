// How each op becomes a backend call: the backend parameters built from resolved
// inputs (geometry, channels, activation), the rule that a conv2d which is really
// a pointwise or depthwise one runs as that op, and the unfused separable
// convolution. The Engine and the model runtime both build their calls here, so
// each op's call is defined once.

import type { ActivationSpec } from './activation.js';
import type {
  Backend,
  BinaryParams,
  Conv2dParams,
  DepthwiseConv2dParams,
  OpExtras,
  PointwiseConv2dParams,
  Pool2dParams,
  SeparableConv2dParams,
  SeparableWeights,
  Storage,
} from './backend.js';
import type { ConvGeometry } from './shape.js';

const LINEAR: ActivationSpec = { activation: 'linear', alpha: 0, beta: 0 };

/** The geometry fields of `p` alone, so a call built from a larger params object carries nothing else. */
function geometryOf(p: ConvGeometry): ConvGeometry {
  const { batch, inH, inW, kH, kW, strideH, strideW, dilationH, dilationW, pad, outH, outW } = p;
  return { batch, inH, inW, kH, kW, strideH, strideW, dilationH, dilationW, pad, outH, outW };
}

/** A depthwise convolution of `channels` channels, `multiplier` filters each. */
export function depthwiseParams(
  geometry: ConvGeometry,
  channels: number,
  multiplier: number,
  act: ActivationSpec,
): DepthwiseConv2dParams {
  return { ...geometry, channels, multiplier, act };
}

/** A 1×1 convolution of `pixels` = N·H·W pixels. */
export function pointwiseParams(pixels: number, inChannels: number, outChannels: number, act: ActivationSpec): PointwiseConv2dParams {
  return { pixels, inChannels, outChannels, act };
}

/**
 * A matrix product [m, k] × [k, n] as the pointwise convolution of m pixels of k
 * channels with a [k, n] filter (any tensor), no activation.
 */
export function matMulParams(m: number, k: number, n: number): PointwiseConv2dParams {
  return pointwiseParams(m, k, n, LINEAR);
}

/** Max or average pooling of `channels` channels over a window. */
export function pool2dParams(geometry: ConvGeometry, channels: number, kind: 'max' | 'avg', countIncludePad: boolean): Pool2dParams {
  return { ...geometryOf(geometry), channels, kind, countIncludePad };
}

/**
 * An elementwise binary op on operands of shapes `aShape` and `bShape` that broadcast
 * to `outShape` (checked by the caller), both given leading dimensions of 1 up to its rank.
 */
export function binaryParams(
  kind: BinaryParams['kind'],
  aShape: readonly number[],
  bShape: readonly number[],
  outShape: readonly number[],
  act: ActivationSpec,
): BinaryParams {
  const toRank = (s: readonly number[]) => [...new Array<number>(outShape.length - s.length).fill(1), ...s];
  return { kind, aShape: toRank(aShape), bShape: toRank(bShape), outShape: [...outShape], act };
}

/** A standard or grouped convolution. */
export function conv2dParams(
  geometry: ConvGeometry,
  inChannels: number,
  outChannels: number,
  groups: number,
  act: ActivationSpec,
): Conv2dParams {
  return { ...geometry, inChannels, outChannels, groups, act };
}

/** A separable convolution: depthwise `channels` × `multiplier`, then pointwise to `outChannels`. */
export function separableParams(
  geometry: ConvGeometry,
  channels: number,
  multiplier: number,
  outChannels: number,
  act: ActivationSpec,
): SeparableConv2dParams {
  return { ...geometry, channels, multiplier, outChannels, act };
}

/** True when a conv2d is a plain 1×1 convolution: 1×1 kernel, stride 1, no padding, one group. */
export function isPointwiseConv2d(p: Conv2dParams): boolean {
  const { pad } = p;
  return (
    p.groups === 1 && p.kH === 1 && p.kW === 1 && p.strideH === 1 && p.strideW === 1 &&
    pad.top + pad.bottom + pad.left + pad.right === 0
  );
}

/**
 * Runs a conv2d as the op it really is: a pointwise conv2d (see {@link isPointwiseConv2d})
 * on the pointwise kernels, one with `groups` = Cin on the depthwise ones, else as a
 * conv2d. HWIO `[1, 1, Cin, Cout]` is `[Cin, Cout]`, and grouped HWIO `[kh, kw, 1, C·M]`
 * with groups = C is the depthwise `[kh, kw, C, M]`: same data, no copy.
 */
export function runConv2d(
  be: Backend,
  x: Storage,
  filter: Storage,
  bias: Storage | null,
  p: Conv2dParams,
  extras?: OpExtras,
): Storage {
  if (isPointwiseConv2d(p)) {
    return be.pointwiseConv2d(x, filter, bias, pointwiseParams(p.batch * p.inH * p.inW, p.inChannels, p.outChannels, p.act), extras);
  }
  if (p.groups === p.inChannels) {
    return be.depthwiseConv2d(x, filter, bias, depthwiseParams(geometryOf(p), p.inChannels, p.outChannels / p.inChannels, p.act), extras);
  }
  return be.conv2d(x, filter, bias, p, extras);
}

/**
 * The two steps of a separable convolution as TF.js and Keras define it: depthwise
 * (its own bias, no activation), then pointwise over its output (bias, activation).
 */
export function separableSteps(p: SeparableConv2dParams): { depthwise: DepthwiseConv2dParams; pointwise: PointwiseConv2dParams } {
  return {
    depthwise: depthwiseParams(geometryOf(p), p.channels, p.multiplier, LINEAR),
    pointwise: pointwiseParams(p.batch * p.outH * p.outW, p.channels * p.multiplier, p.outChannels, p.act),
  };
}

/**
 * Runs a separable convolution unfused: its {@link separableSteps} as two ops. The
 * intermediate is released once the pointwise op is recorded; only `extras.out`
 * applies (to the pointwise op's output).
 */
export function separableUnfused(be: Backend, x: Storage, w: SeparableWeights, p: SeparableConv2dParams, extras: OpExtras = {}): Storage {
  const steps = separableSteps(p);
  const y = be.depthwiseConv2d(x, w.depthwiseFilter, w.depthwiseBias, steps.depthwise);
  const z = be.pointwiseConv2d(y, w.pointwiseFilter, w.bias, steps.pointwise, extras.out ? { out: extras.out } : {});
  be.release(y);
  return z;
}
