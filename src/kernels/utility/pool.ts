// Global average pooling (shaders/global_average_pool.wgsl): one invocation per (n, c).

import poolWgsl from '../../../shaders/global_average_pool.wgsl?raw';
import type { PoolParams } from '../../backend.js';
import { UniformSchema } from '../../gpu/uniforms.js';
import { FLAT_WORKGROUP_SIZE, flatWorkgroups, kernelVariant } from '../descriptor.js';
import { flatGrid } from '../fragments.js';
import { assembleKernel, fragment } from '../wgsl.js';

const params = new UniformSchema('PoolParams', [
  ['batch', 'u32'],
  ['pixels', 'u32'],
  ['channels', 'u32'],
] as const);

const shader = assembleKernel({
  name: 'global_average_pool',
  uniforms: params,
  bindings: [
    { name: 'x', input: 'x', type: 'f32' },
    { name: 'y', input: 'output', type: 'f32' },
  ],
  fragments: [flatGrid, fragment('global_average_pool.wgsl', poolWgsl, { provides: ['run'], needs: ['x', 'y'] })],
});

export const globalAveragePool = kernelVariant<PoolParams, 'sum'>({
  name: 'sum',
  summary: 'one invocation per (image, channel), summing its pixels in order',
  tunables: {},
  supports: () => true,
  shaders: [shader],
  shader: () => shader,
  constants: () => ({ WG: FLAT_WORKGROUP_SIZE }),
  dispatches: ({ params: p }) => [
    {
      uniforms: params.pack({ batch: p.batch, pixels: p.height * p.width, channels: p.channels }),
      workgroups: flatWorkgroups(p.batch * p.channels),
      ranges: {},
    },
  ],
});
