// Pointwise as a GEMM without workgroup memory, K and N divisible by 4
// (shaders/pointwise_direct.wgsl: a 4×4 output block per invocation;
// shaders/pointwise_direct8.wgsl: 8×8, half the loads per multiply-add). The
// choice on software adapters, where staging in "workgroup memory" only adds
// copies and barriers (1.2–1.6× for direct8 over direct on SwiftShader).

import direct4Wgsl from '../../../shaders/pointwise_direct.wgsl?raw';
import direct8Wgsl from '../../../shaders/pointwise_direct8.wgsl?raw';
import type { PointwiseConv2dParams } from '../../backend.js';
import { UniformSchema } from '../../gpu/uniforms.js';
import { pixelBands } from '../bands.js';
import { epilogue, FLAT_WORKGROUP_SIZE, flatWorkgroups, kernelVariant, type Call } from '../descriptor.js';
import { activation, activationValues, flatGrid, pointwiseDirectStore } from '../fragments.js';
import { GEMM_FIELDS, gemmBandFields } from '../gemm-tiled.js';
import { assembleKernel, fragment, ioBindings } from '../wgsl.js';

const params = new UniformSchema('PointwiseParams', GEMM_FIELDS);

const BINDINGS = ioBindings({ x: 'vec4f', filter: 'vec4f', bias: 'vec4f', residual: 'vec4f', output: 'vec4f' });

/** A direct variant: `block`×`block` outputs per invocation, shaders/pointwise_<name>.wgsl. */
function directVariant<const N extends string>(name: N, block: 4 | 8, wgsl: string, rank: { software: number; gpu: number }, summary: string) {
  const file = `pointwise_${name}.wgsl`;
  const shader = assembleKernel({
    name: `pointwise_${name}`,
    uniforms: params,
    bindings: BINDINGS,
    fragments: [activation, flatGrid, pointwiseDirectStore, fragment(file, wgsl, { provides: ['run'], needs: ['x', 'w', 'store'] })],
  });
  return kernelVariant<PointwiseConv2dParams, N>({
    name,
    summary,
    tunables: {},
    supports: ({ params: p }: Call<PointwiseConv2dParams>) => p.inChannels % 4 === 0 && p.outChannels % 4 === 0,
    rank: (_c, t) => (t.cpuBased ? rank.software : rank.gpu),
    shaders: [shader],
  shader: () => shader,
    constants: (c) => ({ WG: FLAT_WORKGROUP_SIZE, ...epilogue(c, true) }),
    dispatches({ params: p }, _v, limits) {
      const { pixels, inChannels: K, outChannels: N } = p;
      return pixelBands('pointwiseConv2d', pixels, K, N, limits).map((b) => {
        const M = b.row1 - b.row0;
        // direct8 covers two vec4 column groups per invocation (the second clamped past N).
        const invocations = Math.ceil(M / block) * (block === 8 ? Math.ceil(N / 8) : N / 4);
        return {
          uniforms: params.pack({ M, K, N, groups: 1, outC: N, ...activationValues(p.act), ...gemmBandFields(b, 1) }),
          workgroups: flatWorkgroups(invocations),
          ranges: { x: b.x, residual: b.y, output: b.y },
        };
      });
    },
  });
}

export const pointwiseDirect8 = directVariant('direct8', 8, direct8Wgsl, { software: 0, gpu: 2 }, 'K, N divisible by 4: an 8×8 output block per invocation, no workgroup memory (the choice on software adapters)');

export const pointwiseDirect = directVariant('direct', 4, direct4Wgsl, { software: 1, gpu: 1 }, 'K, N divisible by 4: a 4×4 output block per invocation, no workgroup memory');
