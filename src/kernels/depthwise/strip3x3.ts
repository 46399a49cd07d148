// Depthwise 3×3, stride ≤ 2, dilation 1 (shaders/depthwise_3x3.wgsl): 4 channels ×
// 8 columns (stride 1) or 4 (stride 2) × a strip of output rows per invocation.

import mainWgsl from '../../../shaders/depthwise_3x3.wgsl?raw';
import type { DepthwiseConv2dParams } from '../../backend.js';
import { kernelVariant } from '../descriptor.js';
import { depthwiseStrip } from '../fragments.js';
import { fragment } from '../wgsl.js';
import { stripInvocations, stripRows, stripShape } from './strips.js';
import { pickLoader, vec4Constants, vec4Dispatches, vec4Shaders } from './vec4-layout.js';

const shaders = vec4Shaders('depthwise_3x3', [
  depthwiseStrip,
  fragment('depthwise_3x3.wgsl', mainWgsl, { provides: ['run', 'SW', 'SH'], needs: ['stripOf', 'tap', 'store', 'w'] }),
]);

const cols = (p: DepthwiseConv2dParams) => (p.strideW === 1 ? 8 : 4);

export const depthwise3x3 = kernelVariant<DepthwiseConv2dParams, '3x3', 'stripRows'>({
  name: '3x3',
  summary: '3×3, stride ≤ 2: taps in registers, strips of rows, each input row loaded once for every output row it feeds',
  tunables: { stripRows: stripRows(cols) },
  supports: ({ params: p }) => stripShape(p, 3, 2),
  shaders: [shaders.vec4, shaders.gather],
  shader: (c) => pickLoader(shaders, c),
  constants: (c, v) => ({ ...vec4Constants(c), SH: c.params.strideH, SW: c.params.strideW, ROWS: v.stripRows as number }),
  dispatches: (c, v, limits) => vec4Dispatches(c, limits, (b) => stripInvocations(c.params, v.stripRows as number, cols(c.params), b)),
});
