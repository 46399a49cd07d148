// Transpose of a tensor of rank ≤ 4 (shaders/permute.wgsl), for layout
// conversions: one invocation per output element, gathering from the input
// (which it reads whole for any slice of its output: no bands).

import permuteWgsl from '../../../shaders/permute.wgsl?raw';
import type { PermuteParams } from '../../backend.js';
import { flatWorkgroups } from '../descriptor.js';
import { singleInputKernel, u32Fields } from './single-input.js';

export const permute = singleInputKernel({
  kernel: 'permute',
  name: 'gather',
  summary: 'one invocation per output element, gathering from the input',
  uniforms: u32Fields('PermuteParams', ['dim0', 'dim1', 'dim2', 'dim3', 'stride0', 'stride1', 'stride2', 'stride3', 'total']),
  file: 'permute.wgsl',
  wgsl: permuteWgsl,
  flat: true,
  dispatch(p: PermuteParams) {
    // Pad to rank 4 with leading dimensions of size 1; strides of the input, in output order.
    const lead = 4 - p.inShape.length;
    const inShape = [...new Array<number>(lead).fill(1), ...p.inShape];
    const perm = [...Array.from({ length: lead }, (_, i) => i), ...p.perm.map((d) => d + lead)];
    const inStrides = [1, 1, 1, 1];
    for (let d = 2; d >= 0; d--) inStrides[d] = (inStrides[d + 1] as number) * (inShape[d + 1] as number);
    const [dim0, dim1, dim2, dim3] = perm.map((d) => inShape[d] as number) as [number, number, number, number];
    const [stride0, stride1, stride2, stride3] = perm.map((d) => inStrides[d] as number) as [number, number, number, number];
    const total = dim0 * dim1 * dim2 * dim3;
    return { uniforms: { dim0, dim1, dim2, dim3, stride0, stride1, stride2, stride3, total }, workgroups: flatWorkgroups(total) };
  },
});
