// Pointwise for any K and N without workgroup memory (shaders/pointwise_scalar.wgsl:
// one output channel of 4 pixels per invocation, scalar loads). On software
// adapters it replaces the tiled GEMM for the shapes the vec4 kernels cannot take:
// about as fast there on such (small) layers, and an order of magnitude cheaper to
// compile, which is most of a small network's first run.

import mainWgsl from '../../../shaders/pointwise_scalar.wgsl?raw';
import type { PointwiseConv2dParams } from '../../backend.js';
import { UniformSchema } from '../../gpu/uniforms.js';
import { pixelBands } from '../bands.js';
import { epilogue, FLAT_WORKGROUP_SIZE, flatWorkgroups, kernelVariant } from '../descriptor.js';
import { activation, activationValues, flatGrid } from '../fragments.js';
import { GEMM_FIELDS, gemmBandFields } from '../gemm-tiled.js';
import { assembleKernel, fragment, ioBindings } from '../wgsl.js';

const params = new UniformSchema('PointwiseParams', GEMM_FIELDS);

const shader = assembleKernel({
  name: 'pointwise_scalar',
  uniforms: params,
  bindings: ioBindings({ x: 'f32', filter: 'f32', bias: 'f32', residual: 'f32', output: 'f32' }),
  fragments: [
    activation,
    flatGrid,
    fragment('pointwise_scalar.wgsl', mainWgsl, { provides: ['run', 'store', 'HAS_BIAS', 'HAS_RESIDUAL'], needs: ['x', 'w', 'bias', 'residual', 'y', 'activate'] }),
  ],
});

export const pointwiseScalar = kernelVariant<PointwiseConv2dParams, 'scalar'>({
  name: 'scalar',
  summary: 'any K and N: one output channel of 4 pixels per invocation, no workgroup memory (software adapters, shapes the vec4 kernels cannot take)',
  tunables: {},
  supports: () => true,
  // After the vec4 kernels and conv8 on software adapters, before the tiled GEMM; last on GPUs.
  rank: (_c, t) => (t.cpuBased ? 1.8 : 4),
  shaders: [shader],
  shader: () => shader,
  constants: (c) => ({ WG: FLAT_WORKGROUP_SIZE, ...epilogue(c, true) }),
  dispatches({ params: p }, _v, limits) {
    const { pixels, inChannels: K, outChannels: N } = p;
    return pixelBands('pointwiseConv2d', pixels, K, N, limits).map((b) => {
      const M = b.row1 - b.row0;
      return {
        uniforms: params.pack({ M, K, N, groups: 1, outC: N, ...activationValues(p.act), ...gemmBandFields(b, 1) }),
        workgroups: flatWorkgroups(Math.ceil(M / 4) * N),
        ranges: { x: b.x, residual: b.y, output: b.y },
      };
    });
  },
});
