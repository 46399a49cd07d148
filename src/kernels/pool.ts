// Global average pooling and softmax (shaders/global_average_pool.wgsl,
// shaders/softmax.wgsl): the heads of classification networks.

import poolWgsl from '../../shaders/global_average_pool.wgsl?raw';
import softmaxWgsl from '../../shaders/softmax.wgsl?raw';
import type { PoolParams, SoftmaxParams } from '../backend.js';
import { defineKernel } from '../gpu/pipelines.js';
import { UniformSchema } from '../gpu/uniforms.js';
import type { KernelRun } from './kernel.js';

export const poolParams = new UniformSchema('PoolParams', [
  ['batch', 'u32'],
  ['pixels', 'u32'],
  ['channels', 'u32'],
] as const);

export const softmaxParams = new UniformSchema('SoftmaxParams', [
  ['rows', 'u32'],
  ['size', 'u32'],
] as const);

export const poolKernel = defineKernel('global_average_pool', [poolParams.wgsl, poolWgsl], ['uniform', 'read', 'write']);
export const softmaxKernel = defineKernel('softmax', [softmaxParams.wgsl, softmaxWgsl], ['uniform', 'read', 'write']);

export function globalAveragePoolRun(p: PoolParams): KernelRun {
  const uniforms = new ArrayBuffer(poolParams.byteSize);
  poolParams.write({ batch: p.batch, pixels: p.height * p.width, channels: p.channels }, new DataView(uniforms), 0);
  return {
    program: { kernel: poolKernel, constants: { WG: 64 } },
    dispatches: [{ uniforms, workgroups: Math.ceil((p.batch * p.channels) / 64), ranges: [null, null] }],
  };
}

export function softmaxRun(p: SoftmaxParams): KernelRun {
  const uniforms = new ArrayBuffer(softmaxParams.byteSize);
  softmaxParams.write({ rows: p.rows, size: p.size }, new DataView(uniforms), 0);
  return {
    program: { kernel: softmaxKernel, constants: {} },
    dispatches: [{ uniforms, workgroups: p.rows, ranges: [null, null] }],
  };
}
