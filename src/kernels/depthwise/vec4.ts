// Depthwise, any kernel size, stride and dilation, C·M divisible by 4
// (shaders/depthwise_vec4.wgsl): 4 channels × 4 columns of one output row per
// invocation; kernel size, stride and dilation are override constants.

import mainWgsl from '../../../shaders/depthwise_vec4.wgsl?raw';
import type { DepthwiseConv2dParams } from '../../backend.js';
import { kernelVariant } from '../descriptor.js';
import { kernelWindow, windowConstants } from '../fragments.js';
import { fragment } from '../wgsl.js';
import { pickLoader, vec4Channels, vec4Constants, vec4Dispatches, vec4Shaders } from './vec4-layout.js';

const shaders = vec4Shaders('depthwise_vec4', [
  kernelWindow,
  fragment('depthwise_vec4.wgsl', mainWgsl, { provides: ['run'], needs: ['KH', 'KW', 'SH', 'SW', 'DH', 'DW', 'windowRow', 'OUTSIDE_ROW', 'tap', 'store', 'w'] }),
]);

export const depthwiseVec4 = kernelVariant<DepthwiseConv2dParams, 'vec4'>({
  name: 'vec4',
  summary: 'any kernel, stride and dilation with C·M divisible by 4: 4 channels × 4 columns per invocation',
  tunables: {},
  supports: ({ params: p }) => vec4Channels(p),
  shaders: [shaders.vec4, shaders.gather],
  shader: (c) => pickLoader(shaders, c),
  constants: (c) => ({ ...vec4Constants(c), ...windowConstants(c.params) }),
  dispatches: (c, _v, limits) =>
    vec4Dispatches(c, limits, (b) => (b.row1 - b.row0) * Math.ceil(c.params.outW / 4) * ((c.params.channels * c.params.multiplier) / 4)),
});
