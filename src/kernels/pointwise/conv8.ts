// Pointwise as a 1×1 conv2d on the direct 8×8 conv kernel (conv2d/direct.ts):
// scalar loads of x, so any K; N divisible by 8; no residual binding. Replaces
// the tiled GEMM on software adapters when K is not a multiple of 4 (the
// 3-channel input layers: 3 → 32 runs 2.5× faster than tiled on SwiftShader).

import type { Conv2dParams, PointwiseConv2dParams } from '../../backend.js';
import type { BindingLimits } from '../bands.js';
import { conv2dDirectConstants, conv2dDirectDispatches, conv2dDirectShader } from '../conv2d/direct.js';
import { kernelVariant } from '../descriptor.js';

/**
 * The [pixels, K] matrix read as an image of H × W pixels with H·W = pixels and W
 * the largest divisor of pixels up to 512 whose image row fits one binding, so the
 * op can still run in bands of image rows.
 */
export function pointwiseAsConv2d(p: PointwiseConv2dParams, limits: BindingLimits): Conv2dParams {
  const fit = Math.floor(limits.maxBinding / (4 * Math.max(p.inChannels, p.outChannels)));
  let w = Math.max(1, Math.min(p.pixels, 512, fit));
  while (p.pixels % w !== 0) w--;
  const h = p.pixels / w;
  return {
    batch: 1,
    inH: h,
    inW: w,
    kH: 1,
    kW: 1,
    strideH: 1,
    strideW: 1,
    dilationH: 1,
    dilationW: 1,
    pad: { top: 0, bottom: 0, left: 0, right: 0 },
    outH: h,
    outW: w,
    inChannels: p.inChannels,
    outChannels: p.outChannels,
    groups: 1,
    act: p.act,
  };
}

export const pointwiseConv8 = kernelVariant<PointwiseConv2dParams, 'conv8'>({
  name: 'conv8',
  summary: 'N divisible by 8, no residual: the 8×8 direct conv kernel as a 1×1 conv, scalar loads of x (any K)',
  tunables: {},
  supports: ({ params: p, residual }) => p.outChannels % 8 === 0 && !residual,
  rank: (_c, t) => (t.cpuBased ? 1.5 : 3),
  shaders: [conv2dDirectShader],
  shader: () => conv2dDirectShader,
  // The geometry is a uniform: the 1×1 image's shape does not reach the constants.
  constants: (c) => conv2dDirectConstants({ ...c, params: pointwiseAsConv2d(c.params, { maxBinding: Infinity, align: 4 }) }, 8),
  dispatches: (c, _v, limits) => conv2dDirectDispatches('pointwiseConv2d', pointwiseAsConv2d(c.params, limits), 8, limits),
});
