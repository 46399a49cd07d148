// Pointwise as the tiled GEMM (shaders/gemm_tiled.wgsl with gemm_load_pointwise.wgsl):
// any K and N; the workgroup stages tiles of x and w in workgroup memory.

import loaderWgsl from '../../../shaders/gemm_load_pointwise.wgsl?raw';
import type { PointwiseConv2dParams } from '../../backend.js';
import { UniformSchema } from '../../gpu/uniforms.js';
import { pixelBands } from '../bands.js';
import { kernelVariant } from '../descriptor.js';
import { GEMM_FIELDS, gemmBandFields, tiledConstants, tiledShader, tiledWorkgroups, tileWidth } from '../gemm-tiled.js';
import { activationValues } from '../fragments.js';
import { fragment } from '../wgsl.js';

const params = new UniformSchema('PointwiseParams', GEMM_FIELDS);
const shader = tiledShader('pointwise_tiled', params, [fragment('gemm_load_pointwise.wgsl', loaderWgsl, { provides: ['loadA'], needs: ['x'] })]);

export const pointwiseTiled = kernelVariant<PointwiseConv2dParams, 'tiled', 'tileN'>({
  name: 'tiled',
  summary: 'any K and N: tiles of x and w staged in workgroup memory (the choice on hardware GPUs)',
  tunables: { tileN: tileWidth((p) => p.outChannels) },
  supports: () => true,
  rank: (_c, t) => (t.cpuBased ? 2 : 0),
  shaders: [shader],
  shader: () => shader,
  constants: (c, v) => tiledConstants(c, c.params.inChannels, v.tileN as number),
  dispatches({ params: p }, v, limits) {
    const { pixels, inChannels: K, outChannels: N } = p;
    return pixelBands('pointwiseConv2d', pixels, K, N, limits).map((b) => {
      const M = b.row1 - b.row0;
      return {
        uniforms: params.pack({ M, K, N, groups: 1, outC: N, ...activationValues(p.act), ...gemmBandFields(b, 1) }),
        workgroups: tiledWorkgroups(M, K, N, 1, v.tileN as number),
        // The residual has y's shape, so it is bound over y's band too.
        ranges: { x: b.x, residual: b.y, output: b.y },
      };
    });
  },
});
