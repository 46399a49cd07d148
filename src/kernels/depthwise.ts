// Depthwise convolution kernel family:
// - '3x3' (shaders/depthwise_3x3.wgsl, stride ≤ 2) and '5x5' (depthwise_5x5.wgsl,
//   stride 1), dilation 1, C·M divisible by 4: 4 channels × 8 or 4 columns × a
//   strip of output rows per invocation, each input row loaded once for every
//   output row it feeds; specialise on stride and strip height.
// - 'vec4' (shaders/depthwise_vec4.wgsl): C·M divisible by 4; 4 channels × 4
//   columns per invocation; specialises on kernel size, stride, dilation.
//   These three specialise on the input loader too (vec4 for M = 1, gather for M > 1).
// - 'scalar' (shaders/depthwise_conv2d.wgsl): any shape, one output per invocation;
//   specialises on kernel size.
// All specialise on bias and activation; every shape is a uniform.

import activationWgsl from '../../shaders/activation.wgsl?raw';
import depthwiseWgsl from '../../shaders/depthwise_conv2d.wgsl?raw';
import depthwise3x3Wgsl from '../../shaders/depthwise_3x3.wgsl?raw';
import depthwise5x5Wgsl from '../../shaders/depthwise_5x5.wgsl?raw';
import depthwiseVec4Wgsl from '../../shaders/depthwise_vec4.wgsl?raw';
import xGatherWgsl from '../../shaders/x_gather.wgsl?raw';
import xVec4Wgsl from '../../shaders/x_vec4.wgsl?raw';
import tapWgsl from '../../shaders/depthwise_tap.wgsl?raw';
import vec4OutWgsl from '../../shaders/vec4_out.wgsl?raw';
import { activationId } from '../activation.js';
import type { DepthwiseConv2dParams } from '../backend.js';
import { defineKernel } from '../gpu/pipelines.js';
import { UniformSchema } from '../gpu/uniforms.js';
import { convInputRange, planBands, type BindingLimits } from './bands.js';
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
  ['outStart', 'u32'],
  ['outEnd', 'u32'],
  ['xOrigin', 'u32'],
  ['yOrigin', 'u32'],
  ['alpha', 'f32'],
] as const);

export const depthwiseKernel = defineKernel(
  'depthwise_conv2d',
  [depthwiseParams.wgsl, activationWgsl, depthwiseWgsl],
  ['uniform', 'read', 'read', 'read', 'write'],
);

const WORKGROUP_SIZE = 64;

export const depthwiseVec4Params = new UniformSchema('DepthwiseVec4Params', [
  ['inH', 'u32'],
  ['inW', 'u32'],
  ['inC', 'u32'],
  ['inC4', 'u32'],
  ['outH', 'u32'],
  ['outW', 'u32'],
  ['outC4', 'u32'],
  ['padTop', 'u32'],
  ['padLeft', 'u32'],
  ['rowStart', 'u32'],
  ['rowEnd', 'u32'],
  ['xOrigin', 'u32'],
  ['yOrigin', 'u32'],
  ['alpha', 'f32'],
] as const);

const BINDINGS = ['uniform', 'read', 'read', 'read', 'write'] as const;

export const depthwiseVec4Kernel = defineKernel(
  'depthwise_vec4',
  [depthwiseVec4Params.wgsl, activationWgsl, xVec4Wgsl, tapWgsl, vec4OutWgsl, depthwiseVec4Wgsl],
  BINDINGS,
);

export const depthwise3x3Kernel = defineKernel(
  'depthwise_3x3',
  [depthwiseVec4Params.wgsl, activationWgsl, xVec4Wgsl, tapWgsl, vec4OutWgsl, depthwise3x3Wgsl],
  BINDINGS,
);

export const depthwise3x3GatherKernel = defineKernel(
  'depthwise_3x3_gather',
  [depthwiseVec4Params.wgsl, activationWgsl, xGatherWgsl, tapWgsl, vec4OutWgsl, depthwise3x3Wgsl],
  BINDINGS,
);

export const depthwise5x5Kernel = defineKernel(
  'depthwise_5x5',
  [depthwiseVec4Params.wgsl, activationWgsl, xVec4Wgsl, tapWgsl, vec4OutWgsl, depthwise5x5Wgsl],
  BINDINGS,
);

export const depthwise5x5GatherKernel = defineKernel(
  'depthwise_5x5_gather',
  [depthwiseVec4Params.wgsl, activationWgsl, xGatherWgsl, tapWgsl, vec4OutWgsl, depthwise5x5Wgsl],
  BINDINGS,
);

export const depthwiseGatherKernel = defineKernel(
  'depthwise_vec4_gather',
  [depthwiseVec4Params.wgsl, activationWgsl, xGatherWgsl, tapWgsl, vec4OutWgsl, depthwiseVec4Wgsl],
  BINDINGS,
);

const STRIP_KERNELS = {
  '3x3': { vec4: depthwise3x3Kernel, gather: depthwise3x3GatherKernel },
  '5x5': { vec4: depthwise5x5Kernel, gather: depthwise5x5GatherKernel },
};

/**
 * The vec4 kernels: the general one, or the 3×3 / 5×5 strip kernels with `rows`
 * output rows per invocation (src/kernels/choice.ts).
 */
export function depthwiseVec4Run(
  p: DepthwiseConv2dParams,
  hasBias: boolean,
  limits: BindingLimits,
  variant: 'vec4' | '3x3' | '5x5' = 'vec4',
  rows = 1,
): KernelRun {
  const outC = p.channels * p.multiplier;
  const rowElements = p.outW * outC;
  const bands = planBands(
    {
      op: 'depthwiseConv2d',
      rows: p.batch * p.outH,
      outRowElements: rowElements,
      inputRange: convInputRange({ ...p, padTop: p.pad.top }, p.channels),
      inputElements: p.batch * p.inH * p.inW * p.channels,
      outputElements: p.batch * p.outH * rowElements,
    },
    limits,
  );
  const gather = p.multiplier > 1;
  const strips = variant !== 'vec4';
  // The 3×3 kernel covers 8 columns per invocation at stride 1, 4 at stride 2;
  // the 5×5 and the general kernel 4.
  const cols = variant === '3x3' && p.strideW === 1 ? 8 : 4;
  const colGroups = Math.ceil(p.outW / cols);
  const kernel = variant === 'vec4' ? (gather ? depthwiseGatherKernel : depthwiseVec4Kernel) : STRIP_KERNELS[variant][gather ? 'gather' : 'vec4'];
  const shapeConstants: Record<string, number> =
    variant === '3x3'
      ? { SH: p.strideH, SW: p.strideW, ROWS: rows }
      : variant === '5x5'
        ? { ROWS: rows }
        : { KH: p.kH, KW: p.kW, SH: p.strideH, SW: p.strideW, DH: p.dilationH, DW: p.dilationW };
  return {
    program: {
      kernel,
      constants: {
        WG: WORKGROUP_SIZE,
        ...shapeConstants,
        HAS_BIAS: hasBias ? 1 : 0,
        ACTIVATION: activationId(p.act.activation),
        ...(gather && { MULT: p.multiplier }),
      },
    },
    dispatches: bands.map((b) => {
      const uniforms = new ArrayBuffer(depthwiseVec4Params.byteSize);
      depthwiseVec4Params.write(
        {
          inH: p.inH,
          inW: p.inW,
          inC: p.channels,
          inC4: p.channels / 4,
          outH: p.outH,
          outW: p.outW,
          outC4: outC / 4,
          padTop: p.pad.top,
          padLeft: p.pad.left,
          rowStart: b.row0,
          rowEnd: b.row1,
          xOrigin: b.xOrigin,
          yOrigin: b.yOrigin,
          alpha: p.act.alpha,
        },
        new DataView(uniforms),
        0,
      );
      // Strips never straddle two images; a band covers the strips its first and
      // last rows are in (the shader skips rows outside the band).
      const stripOf = (r: number) => Math.floor(r / p.outH) * Math.ceil(p.outH / rows) + Math.floor((r % p.outH) / rows);
      const units = strips ? stripOf(b.row1 - 1) + 1 - stripOf(b.row0) : b.row1 - b.row0;
      const threads = units * colGroups * (outC / 4);
      return { uniforms, workgroups: Math.ceil(threads / WORKGROUP_SIZE), ranges: [b.x, null, null, b.y] };
    }),
  };
}

export function depthwiseRun(p: DepthwiseConv2dParams, hasBias: boolean, limits: BindingLimits): KernelRun {
  const outC = p.channels * p.multiplier;
  const rowElements = p.outW * outC;
  const bands = planBands(
    {
      op: 'depthwiseConv2d',
      rows: p.batch * p.outH,
      outRowElements: rowElements,
      inputRange: convInputRange({ ...p, padTop: p.pad.top }, p.channels),
      inputElements: p.batch * p.inH * p.inW * p.channels,
      outputElements: p.batch * p.outH * rowElements,
    },
    limits,
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
    dispatches: bands.map((b) => {
      const outStart = b.row0 * rowElements;
      const outEnd = b.row1 * rowElements;
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
          outStart,
          outEnd,
          xOrigin: b.xOrigin,
          yOrigin: b.yOrigin,
          alpha: p.act.alpha,
        },
        new DataView(uniforms),
        0,
      );
      return { uniforms, workgroups: Math.ceil((outEnd - outStart) / WORKGROUP_SIZE), ranges: [b.x, null, null, b.y] };
    }),
  };
}
