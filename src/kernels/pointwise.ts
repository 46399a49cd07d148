// Pointwise (1×1) convolution kernel family (shaders/pointwise_conv2d.wgsl): a
// tiled GEMM. Specialises on tile shape, bias and activation.

import activationWgsl from '../../shaders/activation.wgsl?raw';
import pointwiseWgsl from '../../shaders/pointwise_conv2d.wgsl?raw';
import { activationId } from '../activation.js';
import type { PointwiseConv2dParams } from '../backend.js';
import { defineKernel } from '../gpu/pipelines.js';
import { UniformSchema } from '../gpu/uniforms.js';
import type { KernelRun } from './kernel.js';

export const pointwiseParams = new UniformSchema('PointwiseParams', [
  ['M', 'u32'],
  ['K', 'u32'],
  ['N', 'u32'],
] as const);

export const pointwiseKernel = defineKernel(
  'pointwise_conv2d',
  [pointwiseParams.wgsl, activationWgsl, pointwiseWgsl],
  ['uniform', 'read', 'read', 'read', 'write'],
);

// 32×32 output tile, 8×8 invocations of 4×4 each; a 16-deep K slice keeps the two
// staged tiles at 4 KiB, well inside the 16 KiB workgroup-memory default.
const TILE_M = 32;
const TILE_N = 32;
const TILE_K = 16;

export function pointwiseRun(p: PointwiseConv2dParams, hasBias: boolean): KernelRun {
  const uniforms = new ArrayBuffer(pointwiseParams.byteSize);
  pointwiseParams.write({ M: p.rows, K: p.inChannels, N: p.outChannels }, new DataView(uniforms), 0);
  return {
    program: {
      kernel: pointwiseKernel,
      constants: {
        TILE_M,
        TILE_N,
        TILE_K,
        HAS_BIAS: hasBias ? 1 : 0,
        ACTIVATION: activationId(p.activation),
      },
    },
    uniforms,
    workgroups: Math.ceil(p.rows / TILE_M) * Math.ceil(p.outChannels / TILE_N),
  };
}
