// Transpose of a tensor of rank ≤ 4 (shaders/permute.wgsl), for layout
// conversions: one invocation per output element.

import permuteWgsl from '../../../shaders/permute.wgsl?raw';
import type { PermuteParams } from '../../backend.js';
import { UniformSchema } from '../../gpu/uniforms.js';
import { FLAT_WORKGROUP_SIZE, flatWorkgroups, kernelVariant } from '../descriptor.js';
import { flatGrid } from '../fragments.js';
import { assembleKernel, fragment } from '../wgsl.js';

const params = new UniformSchema('PermuteParams', [
  ['dim0', 'u32'],
  ['dim1', 'u32'],
  ['dim2', 'u32'],
  ['dim3', 'u32'],
  ['stride0', 'u32'],
  ['stride1', 'u32'],
  ['stride2', 'u32'],
  ['stride3', 'u32'],
  ['total', 'u32'],
] as const);

const shader = assembleKernel({
  name: 'permute',
  uniforms: params,
  bindings: [
    // A transpose reads all of its input for any slice of its output: bound whole.
    { name: 'x', input: 'x', type: 'f32' },
    { name: 'y', input: 'output', type: 'f32' },
  ],
  fragments: [flatGrid, fragment('permute.wgsl', permuteWgsl, { provides: ['run'], needs: ['x', 'y'] })],
});

export const permute = kernelVariant<PermuteParams, 'gather'>({
  name: 'gather',
  summary: 'one invocation per output element, gathering from the input',
  tunables: {},
  supports: () => true,
  shaders: [shader],
  shader: () => shader,
  constants: () => ({ WG: FLAT_WORKGROUP_SIZE }),
  dispatches({ params: p }) {
    // Pad to rank 4 with leading dimensions of size 1.
    const lead = 4 - p.inShape.length;
    const inShape = [...new Array<number>(lead).fill(1), ...p.inShape];
    const perm = [...Array.from({ length: lead }, (_, i) => i), ...p.perm.map((d) => d + lead)];
    const inStrides = [1, 1, 1, 1];
    for (let d = 2; d >= 0; d--) inStrides[d] = (inStrides[d + 1] as number) * (inShape[d + 1] as number);
    const [dim0, dim1, dim2, dim3] = perm.map((d) => inShape[d] as number) as [number, number, number, number];
    const [stride0, stride1, stride2, stride3] = perm.map((d) => inStrides[d] as number) as [number, number, number, number];
    const total = dim0 * dim1 * dim2 * dim3;
    return [
      {
        uniforms: params.pack({ dim0, dim1, dim2, dim3, stride0, stride1, stride2, stride3, total }),
        workgroups: flatWorkgroups(total),
        ranges: {},
      },
    ];
  },
});
