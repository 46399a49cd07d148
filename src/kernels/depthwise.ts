// Depthwise convolution kernel family (shaders/depthwise_conv2d.wgsl).
// Specialises on kernel size, bias and activation; every shape is a uniform.

import activationWgsl from '../../shaders/activation.wgsl?raw';
import depthwiseWgsl from '../../shaders/depthwise_conv2d.wgsl?raw';
import { activationId } from '../activation.js';
import type { DepthwiseConv2dParams } from '../backend.js';
import { defineKernel } from '../gpu/pipelines.js';
import { UniformSchema } from '../gpu/uniforms.js';
import type { KernelRun } from './kernel.js';

export const depthwiseParams = new UniformSchema('DepthwiseParams', [
  ['inH', 'u32'],
  ['inW', 'u32'],
  ['inC', 'u32'],
  ['outH', 'u32'],
  ['outW', 'u32'],
  ['outC', 'u32'],
  ['multiplier', 'u32'],
  ['strideH', 'u32'],
  ['strideW', 'u32'],
  ['dilationH', 'u32'],
  ['dilationW', 'u32'],
  ['padTop', 'u32'],
  ['padLeft', 'u32'],
  ['outSize', 'u32'],
  ['alpha', 'f32'],
] as const);

export const depthwiseKernel = defineKernel(
  'depthwise_conv2d',
  [depthwiseParams.wgsl, activationWgsl, depthwiseWgsl],
  ['uniform', 'read', 'read', 'read', 'write'],
);

const WORKGROUP_SIZE = 64;

export function depthwiseRun(p: DepthwiseConv2dParams, hasBias: boolean): KernelRun {
  const outC = p.channels * p.multiplier;
  const outSize = p.batch * p.outH * p.outW * outC;
  const uniforms = new ArrayBuffer(depthwiseParams.byteSize);
  depthwiseParams.write(
    {
      inH: p.inH,
      inW: p.inW,
      inC: p.channels,
      outH: p.outH,
      outW: p.outW,
      outC,
      multiplier: p.multiplier,
      strideH: p.strideH,
      strideW: p.strideW,
      dilationH: p.dilationH,
      dilationW: p.dilationW,
      padTop: p.pad.top,
      padLeft: p.pad.left,
      outSize,
      alpha: p.act.alpha,
    },
    new DataView(uniforms),
    0,
  );
  return {
    program: {
      kernel: depthwiseKernel,
      constants: {
        WG: WORKGROUP_SIZE,
        KH: p.kH,
        KW: p.kW,
        HAS_BIAS: hasBias ? 1 : 0,
        ACTIVATION: activationId(p.act.activation),
      },
    },
    uniforms,
    workgroups: Math.ceil(outSize / WORKGROUP_SIZE),
  };
}
