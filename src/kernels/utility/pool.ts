// Global average pooling (shaders/global_average_pool.wgsl): one invocation per (n, c).

import poolWgsl from '../../../shaders/global_average_pool.wgsl?raw';
import type { PoolParams } from '../../backend.js';
import { flatWorkgroups } from '../descriptor.js';
import { singleInputKernel, u32Fields } from './single-input.js';

export const globalAveragePool = singleInputKernel({
  kernel: 'global_average_pool',
  name: 'sum',
  summary: 'one invocation per (image, channel), summing its pixels in order',
  uniforms: u32Fields('PoolParams', ['batch', 'pixels', 'channels']),
  file: 'global_average_pool.wgsl',
  wgsl: poolWgsl,
  flat: true,
  dispatch: (p: PoolParams) => ({
    uniforms: { batch: p.batch, pixels: p.height * p.width, channels: p.channels },
    workgroups: flatWorkgroups(p.batch * p.channels),
  }),
});
