// One input of a concatenation (shaders/concat.wgsl): one invocation per input
// element, scattering it to its place in the output. The backend dispatches it
// once per input into the same output; each binds its input and the output whole.

import concatWgsl from '../../../shaders/concat.wgsl?raw';
import { flatWorkgroups } from '../descriptor.js';
import { singleInputKernel, u32Fields } from './single-input.js';

/** One input's part of a concatenation, in elements: `outer` slabs of `slab` values, at `offset` in output slabs of `outSlab`. */
export interface ConcatPart {
  outer: number;
  slab: number;
  outSlab: number;
  offset: number;
}

export const concatPart = singleInputKernel({
  kernel: 'concat',
  name: 'scatter',
  summary: 'one invocation per input element, written to its place in the output',
  uniforms: u32Fields('ConcatParams', ['slab', 'outSlab', 'offset', 'total']),
  file: 'concat.wgsl',
  wgsl: concatWgsl,
  flat: true,
  dispatch: (p: ConcatPart) => {
    const total = p.outer * p.slab;
    return { uniforms: { slab: p.slab, outSlab: p.outSlab, offset: p.offset, total }, workgroups: flatWorkgroups(total) };
  },
});
