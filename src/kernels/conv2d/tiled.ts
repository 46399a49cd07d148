// Standard and grouped convolution as the tiled implicit GEMM (shaders/gemm_tiled.wgsl
// with gemm_load_im2col.wgsl): any shape; im2col is gathered on the fly, never
// materialised.

import loaderWgsl from '../../../shaders/gemm_load_im2col.wgsl?raw';
import type { Conv2dParams } from '../../backend.js';
import { UniformSchema } from '../../gpu/uniforms.js';
import { convBands } from '../bands.js';
import { IMAGE_FIELDS, imageValues, PAD_FIELDS, padValues, WINDOW_FIELDS, windowValues } from '../conv-uniforms.js';
import { kernelVariant } from '../descriptor.js';
import { GEMM_FIELDS, gemmBandFields, tiledConstants, tiledShader, tiledWorkgroups, tileWidth } from '../gemm-tiled.js';
import { activationValues, gemmPixel } from '../fragments.js';
import { fragment } from '../wgsl.js';

const params = new UniformSchema('Conv2dParams', [...GEMM_FIELDS, ...IMAGE_FIELDS, ...WINDOW_FIELDS, ...PAD_FIELDS, ['kW', 'u32'], ['cinG', 'u32']] as const);

const shader = tiledShader('conv2d_tiled', params, [gemmPixel, fragment('gemm_load_im2col.wgsl', loaderWgsl, { provides: ['loadA'], needs: ['outputPixel', 'x'] })]);

/** K of the implicit GEMM: every tap of every input channel of a group. */
const gemmK = (p: Conv2dParams) => p.kH * p.kW * (p.inChannels / p.groups);

export const conv2dTiled = kernelVariant<Conv2dParams, 'tiled', 'tileN'>({
  name: 'tiled',
  summary: 'any shape: implicit GEMM with tiles staged in workgroup memory (the choice on hardware GPUs)',
  tunables: { tileN: tileWidth((p) => p.outChannels / p.groups) },
  supports: () => true,
  rank: (_c, t) => (t.cpuBased ? 2 : 0),
  shaders: [shader],
  shader: () => shader,
  constants: (c, v) => tiledConstants(c, gemmK(c.params), v.tileN as number),
  dispatches({ params: p }, v, limits) {
    const K = gemmK(p);
    const N = p.outChannels / p.groups;
    // A band row is one output row of one image: outW GEMM rows.
    return convBands('conv2d', p, p.inChannels, p.outChannels, limits).map((b) => {
      const M = (b.row1 - b.row0) * p.outW;
      return {
        uniforms: params.pack({
          M,
          K,
          N,
          groups: p.groups,
          outC: p.outChannels,
          ...activationValues(p.act),
          ...gemmBandFields(b, p.outW),
          ...imageValues(p, p.inChannels),
          ...windowValues(p),
          ...padValues(p),
          kW: p.kW,
          cinG: p.inChannels / p.groups,
        }),
        workgroups: tiledWorkgroups(M, K, N, p.groups, v.tileN as number),
        ranges: { x: b.x, output: b.y },
      };
    });
  },
});
