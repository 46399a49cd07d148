// What a kernel family hands the GPU backend for one op: the program to run and
// one or more dispatches (several when the op is split into bands to respect the
// device's binding-size limit). Pure data, no GPU calls.

import type { Program } from '../gpu/pipelines.js';
import type { BindRange } from './bands.js';

export interface KernelDispatch {
  /** The uniform block, laid out by the kernel's schema. */
  uniforms: ArrayBuffer;
  /** Total workgroups (the scheduler folds them into a grid). */
  workgroups: number;
  /** Byte range bound for each storage binding (inputs, then output); null binds all the data. */
  ranges: readonly (BindRange | null)[];
}

export interface KernelRun {
  program: Program;
  dispatches: KernelDispatch[];
}
