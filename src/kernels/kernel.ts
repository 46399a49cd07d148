// What a kernel family hands the GPU backend for one op: the program to run, its
// uniform block, and how many workgroups it needs. Pure data, no GPU calls.

import type { Program } from '../gpu/pipelines.js';

export interface KernelRun {
  program: Program;
  /** The uniform block, laid out by the kernel's schema. */
  uniforms: ArrayBuffer;
  /** Total workgroups (the scheduler folds them into a grid). */
  workgroups: number;
}
