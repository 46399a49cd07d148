// Constant padding of a tensor of rank ≤ 4 (shaders/pad.wgsl): one invocation per
// output element, gathering from the input or writing the value.

import padWgsl from '../../../shaders/pad.wgsl?raw';
import type { PadParams } from '../../backend.js';
import { UniformSchema } from '../../gpu/uniforms.js';
import { flatWorkgroups } from '../descriptor.js';
import { singleInputKernel } from './single-input.js';

const params = new UniformSchema('PadParams', [
  ...(['in0', 'in1', 'in2', 'in3', 'out0', 'out1', 'out2', 'out3', 'before0', 'before1', 'before2', 'before3', 'total'] as const).map((f) => [f, 'u32'] as const),
  ['value', 'f32'],
]);

export const pad = singleInputKernel({
  kernel: 'pad',
  name: 'gather',
  summary: 'one invocation per output element, gathering from the input or writing the value',
  uniforms: params,
  file: 'pad.wgsl',
  wgsl: padWgsl,
  flat: true,
  dispatch(p: PadParams) {
    // Rank 4 with leading dimensions of size 1 (no padding on them).
    const rank = p.inShape.length;
    const lead = 4 - rank;
    const inShape = [...new Array<number>(lead).fill(1), ...p.inShape];
    const before = [...new Array<number>(lead).fill(0), ...p.pads.slice(0, rank)];
    const after = [...new Array<number>(lead).fill(0), ...p.pads.slice(rank)];
    const [out0, out1, out2, out3] = inShape.map((d, i) => d + (before[i] as number) + (after[i] as number)) as [number, number, number, number];
    const [in0, in1, in2, in3] = inShape as [number, number, number, number];
    const [before0, before1, before2, before3] = before as [number, number, number, number];
    const total = out0 * out1 * out2 * out3;
    return {
      uniforms: { in0, in1, in2, in3, out0, out1, out2, out3, before0, before1, before2, before3, total, value: p.value },
      workgroups: flatWorkgroups(total),
    };
  },
});
