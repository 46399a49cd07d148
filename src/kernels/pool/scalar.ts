// Pooling, any channel count (shaders/pool_scalar.wgsl): one output element per invocation.

import mainWgsl from '../../../shaders/pool_scalar.wgsl?raw';
import { poolVariant } from './window-pool.js';

export const poolScalar = poolVariant({
  name: 'scalar',
  summary: 'any shape: one output element per invocation',
  supports: () => true,
  file: 'pool_scalar.wgsl',
  wgsl: mainWgsl,
  fragments: [],
  needs: ['x'],
  xType: 'f32',
  perRow: (p) => p.outW * p.channels,
});
