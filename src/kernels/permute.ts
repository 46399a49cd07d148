// Transpose kernel family (shaders/permute.wgsl), for layout conversions.

import permuteWgsl from '../../shaders/permute.wgsl?raw';
import type { PermuteParams } from '../backend.js';
import { defineKernel } from '../gpu/pipelines.js';
import { UniformSchema } from '../gpu/uniforms.js';
import type { KernelRun } from './kernel.js';

export const permuteParams = new UniformSchema('PermuteParams', [
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

export const permuteKernel = defineKernel('permute', [permuteParams.wgsl, permuteWgsl], ['uniform', 'read', 'write']);

const WORKGROUP_SIZE = 64;

export function permuteRun(p: PermuteParams): KernelRun {
  // Pad to rank 4 with leading dimensions of size 1.
  const lead = 4 - p.inShape.length;
  const inShape = [...new Array<number>(lead).fill(1), ...p.inShape];
  const perm = [...Array.from({ length: lead }, (_, i) => i), ...p.perm.map((d) => d + lead)];
  const inStrides = [1, 1, 1, 1];
  for (let d = 2; d >= 0; d--) inStrides[d] = (inStrides[d + 1] as number) * (inShape[d + 1] as number);
  const dims = perm.map((d) => inShape[d] as number);
  const strides = perm.map((d) => inStrides[d] as number);
  const total = dims.reduce((a, b) => a * b, 1);
  const uniforms = new ArrayBuffer(permuteParams.byteSize);
  const [dim0, dim1, dim2, dim3] = dims as [number, number, number, number];
  const [stride0, stride1, stride2, stride3] = strides as [number, number, number, number];
  permuteParams.write(
    { dim0, dim1, dim2, dim3, stride0, stride1, stride2, stride3, total },
    new DataView(uniforms),
    0,
  );
  return {
    program: { kernel: permuteKernel, constants: { WG: WORKGROUP_SIZE } },
    dispatches: [{ uniforms, workgroups: Math.ceil(total / WORKGROUP_SIZE), ranges: [null, null] }],
  };
}
