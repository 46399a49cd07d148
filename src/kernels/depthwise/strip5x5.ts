// Depthwise 5×5, stride 1, dilation 1 (shaders/depthwise_5x5.wgsl): 4 channels ×
// 4 columns × a strip of output rows per invocation.

import mainWgsl from '../../../shaders/depthwise_5x5.wgsl?raw';
import type { DepthwiseConv2dParams } from '../../backend.js';
import { kernelVariant } from '../descriptor.js';
import { depthwiseStrip } from '../fragments.js';
import { fragment } from '../wgsl.js';
import { stripInvocations, stripRows, stripShape } from './strips.js';
import { pickLoader, vec4Constants, vec4Dispatches, vec4Shaders } from './vec4-layout.js';

const shaders = vec4Shaders('depthwise_5x5', [
  depthwiseStrip,
  fragment('depthwise_5x5.wgsl', mainWgsl, { provides: ['run'], needs: ['stripOf', 'tap', 'store', 'w'] }),
]);

export const depthwise5x5 = kernelVariant<DepthwiseConv2dParams, '5x5', 'stripRows'>({
  name: '5x5',
  summary: '5×5, stride 1: 25 taps in registers, strips of rows with 4 open rows rolling down the strip',
  tunables: { stripRows: stripRows(() => 4) },
  supports: ({ params: p }) => stripShape(p, 5, 1),
  shaders: [shaders.vec4, shaders.gather],
  shader: (c) => pickLoader(shaders, c),
  constants: (c, v) => ({ ...vec4Constants(c), ROWS: v.stripRows as number }),
  dispatches: (c, v, limits) => vec4Dispatches(c, limits, (b) => stripInvocations(c.params, v.stripRows as number, 4, b)),
});
