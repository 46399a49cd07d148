// Fused separable convolution (shaders/gemm_tiled.wgsl with gemm_load_depthwise.wgsl):
// the pointwise GEMM with the depthwise output as A, computed on the fly for each
// element a tile stages, so the C·M intermediate never reaches global memory.

import loaderWgsl from '../../../shaders/gemm_load_depthwise.wgsl?raw';
import type { SeparableConv2dParams } from '../../backend.js';
import { UniformSchema } from '../../gpu/uniforms.js';
import { convBands } from '../bands.js';
import { kernelVariant } from '../descriptor.js';
import { GEMM_FIELDS, gemmBandFields, tiledConstants, tiledShader, tiledWorkgroups, tileWidth } from '../gemm-tiled.js';
import { fragment } from '../wgsl.js';

const params = new UniformSchema('SeparableParams', [
  ...GEMM_FIELDS,
  ['inH', 'u32'],
  ['inW', 'u32'],
  ['inC', 'u32'],
  ['outH', 'u32'],
  ['outW', 'u32'],
  ['multiplier', 'u32'],
  ['padTop', 'u32'],
  ['padLeft', 'u32'],
] as const);

const shader = tiledShader(
  'separable_fused',
  params,
  fragment('gemm_load_depthwise.wgsl', loaderWgsl, { provides: ['loadA', 'KH', 'KW', 'SH', 'SW', 'DH', 'DW', 'HAS_DW_BIAS'], needs: ['x', 'dwW', 'dwBias'] }),
  [
    { name: 'dwW', input: 'depthwiseFilter', type: 'f32' },
    { name: 'dwBias', input: 'depthwiseBias', type: 'f32' },
  ],
);

export const separableFused = kernelVariant<SeparableConv2dParams, 'fused', 'tileN'>({
  name: 'fused',
  summary: 'one kernel: the depthwise output is computed inside the pointwise GEMM tiles and never stored',
  tunables: { tileN: tileWidth((p) => p.outChannels) },
  supports: () => true,
  /**
   * Fusing saves writing and reading the C·M intermediate but recomputes each depthwise
   * element once per column tile of the output. It pays where the intermediate is large
   * and the extra depthwise work small next to the pointwise multiply-adds each element
   * feeds; on software adapters memory traffic is cheap next to the fused kernel's
   * barriers, so the two-kernel path goes first there.
   */
  rank({ params: p }, t) {
    if (t.cpuBased) return 1;
    const recompute = (Math.ceil(p.outChannels / 32) - 1) * p.kH * p.kW;
    return recompute <= p.outChannels / 4 ? -1 : 1;
  },
  shaders: [shader],
  shader: () => shader,
  constants: (c, v) => {
    const p = c.params;
    return {
      ...tiledConstants(c, p.channels * p.multiplier, v.tileN as number),
      KH: p.kH,
      KW: p.kW,
      SH: p.strideH,
      SW: p.strideW,
      DH: p.dilationH,
      DW: p.dilationW,
      HAS_DW_BIAS: c.depthwiseBias ? 1 : 0,
    };
  },
  dispatches({ params: p }, v, limits) {
    const K = p.channels * p.multiplier;
    const N = p.outChannels;
    return convBands('separableConv2d', p, p.channels, N, limits).map((b) => {
      const M = (b.row1 - b.row0) * p.outW;
      return {
        uniforms: params.pack({
          M,
          K,
          N,
          groups: 1,
          outC: N,
          alpha: p.act.alpha,
          ...gemmBandFields(b, p.outW),
          inH: p.inH,
          inW: p.inW,
          inC: p.channels,
          outH: p.outH,
          outW: p.outW,
          multiplier: p.multiplier,
          padTop: p.pad.top,
          padLeft: p.pad.left,
        }),
        workgroups: tiledWorkgroups(M, K, N, 1, v.tileN as number),
        ranges: { x: b.x, residual: b.y, output: b.y },
      };
    });
  },
});
