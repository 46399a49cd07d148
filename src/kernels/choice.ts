// Kernel choice: which variant of each op runs a given shape on a given adapter,
// best first. The rules are a small cost model checked against measurements:
// `npm run bench:variants` times every variant on the suite and records the
// winners in bench/results/variants.md; tests force every variant regardless.

import type { Conv2dParams, DepthwiseConv2dParams, PointwiseConv2dParams, SeparableConv2dParams } from '../backend.js';
import type { AdapterDescription } from '../gpu/device.js';

/** What the choice depends on besides the shape. */
export interface AdapterTraits {
  /**
   * A software adapter (SwiftShader, llvmpipe, WARP): "workgroup memory" is ordinary
   * memory and barriers are costly, so kernels without tiles and barriers win.
   */
  cpuBased: boolean;
}

export function adapterTraits(a: AdapterDescription): AdapterTraits {
  const text = `${a.vendor} ${a.architecture} ${a.description}`.toLowerCase();
  return { cpuBased: /swiftshader|llvmpipe|lavapipe|warp|basic render|software/.test(text) };
}

export type DepthwiseVariant = '3x3' | '5x5' | 'vec4' | 'scalar';
export type PointwiseVariant = 'tiled' | 'direct' | 'direct8' | 'conv8';
export type SeparableVariant = 'fused' | 'unfused';
export type Conv2dVariant = 'tiled' | 'direct' | 'direct8';

/**
 * vec4 (4 channels × 4 columns per invocation) needs C·M divisible by 4; the strip
 * kernels 3x3 (stride ≤ 2) and 5x5 (stride 1) also that kernel size and dilation 1;
 * scalar runs anything.
 */
export function depthwiseVariants(p: DepthwiseConv2dParams): DepthwiseVariant[] {
  if ((p.channels * p.multiplier) % 4 !== 0) return ['scalar'];
  const plain = p.dilationH === 1 && p.dilationW === 1;
  if (plain && p.kH === 3 && p.kW === 3 && p.strideH <= 2 && p.strideW <= 2) return ['3x3', 'vec4', 'scalar'];
  if (plain && p.kH === 5 && p.kW === 5 && p.strideH === 1 && p.strideW === 1) return ['5x5', 'vec4', 'scalar'];
  return ['vec4', 'scalar'];
}

/**
 * Output rows per invocation of the 3×3 and 5×5 depthwise kernels. More rows load each input
 * row segment once for more outputs (stride 1: 4.9 vec4 loads per output at 1 row,
 * 1.4 at 16) but leave fewer invocations. On software adapters a few hundred
 * invocations keep every core busy and loads dominate: 16 rows run the stride-1
 * MobileNet layers 2.4–4.3× faster than 1 row, the 5×5 layer 3.5× (bench/results/variants.md). GPUs
 * need tens of thousands of invocations in flight, so there the strip is as tall
 * as keeps at least 16384 (a rule of thumb not yet measured on a GPU).
 */
export function depthwiseStripRows(p: DepthwiseConv2dParams, t: AdapterTraits): number {
  if (t.cpuBased) return 16;
  const colGroups = Math.ceil(p.outW / (p.kW === 3 && p.strideW === 1 ? 8 : 4));
  const invocations = (rows: number) => p.batch * Math.ceil(p.outH / rows) * colGroups * ((p.channels * p.multiplier) / 4);
  let rows = 8;
  while (rows > 1 && invocations(rows) < 16384) rows /= 2;
  return rows;
}

/**
 * direct (4 rows × 4 columns per invocation, no workgroup memory) and direct8 (8 × 8)
 * need K and N divisible by 4; on software adapters direct8 wins (half the loads per
 * multiply-add of direct, 1.2–1.6× faster on SwiftShader: bench/results/variants.md).
 * conv8 (the 8 × 8 direct conv2d kernel as a 1×1 conv: scalar loads of x, any K) needs
 * N divisible by 8 and no residual; it replaces the tiled kernel on software adapters
 * when K is not a multiple of 4 (the 3-channel input layers).
 */
export function pointwiseVariants(p: PointwiseConv2dParams, t: AdapterTraits): PointwiseVariant[] {
  const conv8: PointwiseVariant[] = p.outChannels % 8 === 0 ? ['conv8'] : [];
  if (p.inChannels % 4 !== 0 || p.outChannels % 4 !== 0) return t.cpuBased ? [...conv8, 'tiled'] : ['tiled', ...conv8];
  return t.cpuBased ? ['direct8', 'direct', 'tiled', ...conv8] : ['tiled', 'direct', 'direct8', ...conv8];
}

/**
 * Fusing saves writing and reading the C·M intermediate but recomputes each
 * depthwise element once per 32-wide column tile of the output. It pays where the
 * intermediate is large and the extra depthwise work small next to the pointwise
 * multiply-adds each element feeds; on software adapters memory traffic is cheap
 * next to the fused kernel's barriers, so the two-kernel path is preferred there.
 */
export function separableVariants(p: SeparableConv2dParams, t: AdapterTraits): SeparableVariant[] {
  if (t.cpuBased) return ['unfused', 'fused'];
  const tilesN = Math.ceil(p.outChannels / 32);
  const recompute = (tilesN - 1) * p.kH * p.kW;
  return recompute <= p.outChannels / 4 ? ['fused', 'unfused'] : ['unfused', 'fused'];
}

/**
 * direct (4 pixels × 4 output channels, no workgroup memory) needs Cout/groups
 * divisible by 4, direct8 (8 × 8) by 8; on software adapters direct8 wins (half the
 * loads per multiply-add).
 */
export function conv2dVariants(p: Conv2dParams, t: AdapterTraits): Conv2dVariant[] {
  const coutG = p.outChannels / p.groups;
  if (coutG % 4 !== 0) return ['tiled'];
  if (coutG % 8 !== 0) return t.cpuBased ? ['direct', 'tiled'] : ['tiled', 'direct'];
  return t.cpuBased ? ['direct8', 'direct', 'tiled'] : ['tiled', 'direct', 'direct8'];
}
