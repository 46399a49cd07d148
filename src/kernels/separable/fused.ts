// Fused separable convolution (shaders/gemm_tiled.wgsl with gemm_load_depthwise.wgsl):
// the pointwise GEMM with the depthwise output as A, computed on the fly for each
// element a tile stages, so the C·M intermediate never reaches global memory.

import loaderWgsl from '../../../shaders/gemm_load_depthwise.wgsl?raw';
import type { SeparableConv2dParams } from '../../backend.js';
import { UniformSchema } from '../../gpu/uniforms.js';
import { convBands } from '../bands.js';
import { IMAGE_FIELDS, imageValues, PAD_FIELDS, padValues } from '../conv-uniforms.js';
import { kernelVariant } from '../descriptor.js';
import { GEMM_FIELDS, gemmBandFields, tiledConstants, tiledShader, tiledWorkgroups, tileWidth } from '../gemm-tiled.js';
import { activationValues, gemmPixel, kernelWindow, windowConstants } from '../fragments.js';
import { fragment } from '../wgsl.js';

const params = new UniformSchema('SeparableParams', [...GEMM_FIELDS, ...IMAGE_FIELDS, ...PAD_FIELDS, ['multiplier', 'u32']] as const);

const shader = tiledShader(
  'separable_fused',
  params,
  [
    kernelWindow,
    gemmPixel,
    fragment('gemm_load_depthwise.wgsl', loaderWgsl, { provides: ['loadA', 'HAS_DW_BIAS'], needs: ['outputPixel', 'KH', 'KW', 'SH', 'SW', 'DH', 'DW', 'x', 'dwW', 'dwBias'] }),
  ],
  true,
  { filter: 'pointwiseFilter' },
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
      ...windowConstants(p),
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
          ...activationValues(p.act),
          ...gemmBandFields(b, p.outW),
          ...imageValues(p, p.channels),
          ...padValues(p),
          multiplier: p.multiplier,
        }),
        workgroups: tiledWorkgroups(M, K, N, 1, v.tileN as number),
        ranges: { x: b.x, residual: b.y, output: b.y },
      };
    });
  },
});
