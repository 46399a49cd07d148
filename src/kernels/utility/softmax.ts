// Softmax over the last dimension (shaders/softmax.wgsl): one workgroup per row,
// reductions in workgroup memory.

import softmaxWgsl from '../../../shaders/softmax.wgsl?raw';
import type { SoftmaxParams } from '../../backend.js';
import { UniformSchema } from '../../gpu/uniforms.js';
import { kernelVariant } from '../descriptor.js';
import { assembleKernel, fragment } from '../wgsl.js';

const params = new UniformSchema('SoftmaxParams', [
  ['rows', 'u32'],
  ['size', 'u32'],
] as const);

const shader = assembleKernel({
  name: 'softmax',
  uniforms: params,
  bindings: [
    { name: 'x', input: 'x', type: 'f32' },
    { name: 'y', input: 'output', type: 'f32' },
  ],
  fragments: [fragment('softmax.wgsl', softmaxWgsl, { provides: ['main', 'WG', 'partial'], needs: ['x', 'y'] })],
});

export const softmax = kernelVariant<SoftmaxParams, 'rows'>({
  name: 'rows',
  summary: 'one workgroup per row',
  tunables: {},
  supports: () => true,
  shaders: [shader],
  shader: () => shader,
  constants: () => ({}),
  dispatches: ({ params: p }) => [{ uniforms: params.pack({ rows: p.rows, size: p.size }), workgroups: p.rows, ranges: {} }],
});
