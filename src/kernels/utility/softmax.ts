// Softmax over the last dimension (shaders/softmax.wgsl): one workgroup per row,
// reductions in workgroup memory.

import softmaxWgsl from '../../../shaders/softmax.wgsl?raw';
import type { SoftmaxParams } from '../../backend.js';
import { singleInputKernel, u32Fields } from './single-input.js';

export const softmax = singleInputKernel({
  kernel: 'softmax',
  name: 'rows',
  summary: 'one workgroup per row',
  uniforms: u32Fields('SoftmaxParams', ['rows', 'size']),
  file: 'softmax.wgsl',
  wgsl: softmaxWgsl,
  flat: false,
  dispatch: (p: SoftmaxParams) => ({ uniforms: { rows: p.rows, size: p.size }, workgroups: p.rows }),
});
