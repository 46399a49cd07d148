// Pooling with C divisible by 4 (shaders/pool_vec4.wgsl): 4 channels of one output
// pixel per invocation, vec4 loads and stores.

import mainWgsl from '../../../shaders/pool_vec4.wgsl?raw';
import { loadXVec4 } from '../fragments.js';
import { poolVariant } from './window-pool.js';

export const poolVec4 = poolVariant({
  name: 'vec4',
  summary: 'C divisible by 4: 4 channels of one output pixel per invocation, vec4 loads',
  supports: (p) => p.channels % 4 === 0,
  file: 'pool_vec4.wgsl',
  wgsl: mainWgsl,
  fragments: [loadXVec4],
  needs: ['loadX'],
  xType: 'vec4f',
  perRow: (p) => p.outW * (p.channels / 4),
});
