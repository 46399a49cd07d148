// GEMM kernel family (shaders/gemm_tiled.wgsl): the pointwise convolution and
// the implicit-GEMM standard/grouped convolution share the tiled core and differ
// only in how they load A. Specialises on the A loader, tile shape, bias and
// activation; every shape is a uniform.

import activationWgsl from '../../shaders/activation.wgsl?raw';
import conv2dWgsl from '../../shaders/conv2d.wgsl?raw';
import conv2dDirectWgsl from '../../shaders/conv2d_direct.wgsl?raw';
import vec4OutWgsl from '../../shaders/vec4_out.wgsl?raw';
import gemmWgsl from '../../shaders/gemm_tiled.wgsl?raw';
import pointwiseWgsl from '../../shaders/pointwise_conv2d.wgsl?raw';
import pointwiseDirectWgsl from '../../shaders/pointwise_direct.wgsl?raw';
import pointwiseDirectIoWgsl from '../../shaders/pointwise_direct_io.wgsl?raw';
import pointwiseDirect8Wgsl from '../../shaders/pointwise_direct8.wgsl?raw';
import separableWgsl from '../../shaders/separable_fused.wgsl?raw';
import { activationId, type ActivationSpec } from '../activation.js';
import type { Conv2dParams, PointwiseConv2dParams, SeparableConv2dParams } from '../backend.js';
import { defineKernel, type BindingKind } from '../gpu/pipelines.js';
import { UniformSchema } from '../gpu/uniforms.js';
import { convInputRange, planBands, type Band, type BindingLimits } from './bands.js';
import type { PointwiseVariant } from './choice.js';
import type { KernelDispatch, KernelRun } from './kernel.js';

/** Fields the GEMM core reads; every GEMM kernel's schema starts with them. */
const GEMM_FIELDS = [
  ['M', 'u32'],
  ['K', 'u32'],
  ['N', 'u32'],
  ['groups', 'u32'],
  ['outC', 'u32'],
  ['alpha', 'f32'],
  ['rowStart', 'u32'],
  ['xOrigin', 'u32'],
  ['yOrigin', 'u32'],
] as const;

export const pointwiseParams = new UniformSchema('PointwiseParams', GEMM_FIELDS);

export const conv2dParams = new UniformSchema('Conv2dParams', [
  ...GEMM_FIELDS,
  ['inH', 'u32'],
  ['inW', 'u32'],
  ['inC', 'u32'],
  ['outH', 'u32'],
  ['outW', 'u32'],
  ['kW', 'u32'],
  ['cinG', 'u32'],
  ['strideH', 'u32'],
  ['strideW', 'u32'],
  ['dilationH', 'u32'],
  ['dilationW', 'u32'],
  ['padTop', 'u32'],
  ['padLeft', 'u32'],
] as const);

export const separableParams = new UniformSchema('SeparableParams', [
  ...GEMM_FIELDS,
  ['inH', 'u32'],
  ['inW', 'u32'],
  ['inC', 'u32'],
  ['outH', 'u32'],
  ['outW', 'u32'],
  ['multiplier', 'u32'],
  ['padTop', 'u32'],
  ['padLeft', 'u32'],
] as const);

// uniform, x, w, bias, residual, y
const BINDINGS: readonly BindingKind[] = ['uniform', 'read', 'read', 'read', 'read', 'write'];

export const pointwiseKernel = defineKernel(
  'pointwise_conv2d',
  [pointwiseParams.wgsl, activationWgsl, pointwiseWgsl, gemmWgsl],
  BINDINGS,
);

export const pointwiseDirectKernel = defineKernel(
  'pointwise_direct',
  [pointwiseParams.wgsl, activationWgsl, pointwiseDirectIoWgsl, pointwiseDirectWgsl],
  BINDINGS,
);

export const conv2dDirectParams = new UniformSchema('Conv2dDirectParams', [
  ['inH', 'u32'],
  ['inW', 'u32'],
  ['inC', 'u32'],
  ['outH', 'u32'],
  ['outW', 'u32'],
  ['outC4', 'u32'],
  ['cinG', 'u32'],
  ['coutG', 'u32'],
  ['padTop', 'u32'],
  ['padLeft', 'u32'],
  ['rowStart', 'u32'],
  ['rowEnd', 'u32'],
  ['xOrigin', 'u32'],
  ['yOrigin', 'u32'],
  ['alpha', 'f32'],
] as const);

export const conv2dDirectKernel = defineKernel('conv2d_direct', [conv2dDirectParams.wgsl, activationWgsl, vec4OutWgsl, conv2dDirectWgsl], [
  'uniform',
  'read',
  'read',
  'read',
  'write',
]);

export const pointwiseDirect8Kernel = defineKernel(
  'pointwise_direct8',
  [pointwiseParams.wgsl, activationWgsl, pointwiseDirectIoWgsl, pointwiseDirect8Wgsl],
  BINDINGS,
);

/** Bindings: uniform, x, pointwise w, bias, depthwise w, depthwise bias, residual, y. */
export const separableKernel = defineKernel(
  'separable_fused',
  [separableParams.wgsl, activationWgsl, separableWgsl, gemmWgsl],
  ['uniform', 'read', 'read', 'read', 'read', 'read', 'read', 'write'],
);

export const conv2dKernel = defineKernel('conv2d', [conv2dParams.wgsl, activationWgsl, conv2dWgsl, gemmWgsl], BINDINGS);

/**
 * Tile shape for an M×K·K×N problem. 64 invocations of 4×4 outputs each, so
 * TILE_M·TILE_N = 1024: square 32×32 tiles for wide outputs, tall thin ones for
 * few output channels (N = 4 → 256×4), so narrow layers do not compute 87% padding.
 * TILE_K follows K up to 16, and keeps the staged tiles within 8 KiB of
 * workgroup memory (half the 16 KiB default).
 */
export function gemmTile(k: number, n: number): { TILE_M: number; TILE_N: number; TILE_K: number } {
  const pow2 = (v: number) => 2 ** Math.ceil(Math.log2(Math.max(v, 1)));
  const TILE_N = Math.min(32, Math.max(4, pow2(n)));
  const TILE_M = 1024 / TILE_N;
  const TILE_K = Math.min(16, Math.max(4, pow2(k)), 2048 / TILE_M);
  return { TILE_M, TILE_N, TILE_K };
}

function gemmConstants(act: ActivationSpec, hasBias: boolean, k: number, n: number, hasResidual = false) {
  return {
    ...gemmTile(k, n),
    HAS_BIAS: hasBias ? 1 : 0,
    HAS_RESIDUAL: hasResidual ? 1 : 0,
    ACTIVATION: activationId(act.activation),
  };
}

function gemmWorkgroups(m: number, k: number, n: number, groups: number): number {
  const t = gemmTile(k, n);
  return Math.ceil(m / t.TILE_M) * Math.ceil(n / t.TILE_N) * groups;
}

/** Uniform fields of one band, shared by both GEMM kernels. */
function bandFields(b: Band, rowsPerBandRow: number) {
  return { rowStart: b.row0 * rowsPerBandRow, xOrigin: b.xOrigin, yOrigin: b.yOrigin };
}

/**
 * A pointwise convolution as the 1×1 conv2d that the direct 8×8 conv kernel runs
 * (variant 'conv8': scalar input loads, so any K; N divisible by 8). The [rows, K]
 * matrix is read as an image of H × W pixels with H·W = rows and W the largest
 * divisor of rows up to 512 whose image row fits one binding, so the op can still
 * run in bands of image rows.
 */
export function pointwiseAsConv2d(p: PointwiseConv2dParams, limits: BindingLimits): Conv2dParams {
  const fit = Math.floor(limits.maxBinding / (4 * Math.max(p.inChannels, p.outChannels)));
  let w = Math.max(1, Math.min(p.pixels, 512, fit));
  while (p.pixels % w !== 0) w--;
  const h = p.pixels / w;
  return {
    batch: 1,
    inH: h,
    inW: w,
    kH: 1,
    kW: 1,
    strideH: 1,
    strideW: 1,
    dilationH: 1,
    dilationW: 1,
    pad: { top: 0, bottom: 0, left: 0, right: 0 },
    outH: h,
    outW: w,
    inChannels: p.inChannels,
    outChannels: p.outChannels,
    groups: 1,
    act: p.act,
  };
}

export function pointwiseRun(
  p: PointwiseConv2dParams,
  hasBias: boolean,
  limits: BindingLimits,
  variant: Exclude<PointwiseVariant, 'conv8'> = 'tiled',
  hasResidual = false,
): KernelRun {
  const { pixels, inChannels: K, outChannels: N } = p;
  const bands = planBands(
    {
      op: 'pointwiseConv2d',
      rows: pixels,
      outRowElements: N,
      inputRange: (r0, r1) => [r0 * K, r1 * K],
      inputElements: pixels * K,
      outputElements: pixels * N,
    },
    limits,
  );
  const dispatches = bands.map((b): KernelDispatch => {
    const M = b.row1 - b.row0;
    const uniforms = new ArrayBuffer(pointwiseParams.byteSize);
    pointwiseParams.write(
      { M, K, N, groups: 1, outC: N, alpha: p.act.alpha, ...bandFields(b, 1) },
      new DataView(uniforms),
      0,
    );
    const workgroups =
      variant === 'direct8'
        ? Math.ceil((Math.ceil(M / 8) * Math.ceil(N / 8)) / 64)
        : variant === 'direct'
          ? Math.ceil((Math.ceil(M / 4) * (N / 4)) / 64)
          : gemmWorkgroups(M, K, N, 1);
    // The residual has y's shape, so it is bound over y's band too.
    return { uniforms, workgroups, ranges: [b.x, null, null, hasResidual ? b.y : null, b.y] };
  });
  if (variant === 'direct' || variant === 'direct8') {
    const constants = {
      WG: 64,
      HAS_BIAS: hasBias ? 1 : 0,
      HAS_RESIDUAL: hasResidual ? 1 : 0,
      ACTIVATION: activationId(p.act.activation),
    };
    return { program: { kernel: variant === 'direct8' ? pointwiseDirect8Kernel : pointwiseDirectKernel, constants }, dispatches };
  }
  return { program: { kernel: pointwiseKernel, constants: gemmConstants(p.act, hasBias, K, N, hasResidual) }, dispatches };
}

/**
 * Direct implicit GEMM (shaders/conv2d_direct.wgsl): 4 pixels × 4 output channels
 * per invocation, no workgroup memory; needs Cout/groups divisible by 4. `wide`:
 * 8 pixels × 8 output channels, Cout/groups divisible by 8.
 */
export function conv2dDirectRun(p: Conv2dParams, hasBias: boolean, limits: BindingLimits, wide = false): KernelRun {
  const bands = planBands(
    {
      op: 'conv2d',
      rows: p.batch * p.outH,
      outRowElements: p.outW * p.outChannels,
      inputRange: convInputRange({ ...p, padTop: p.pad.top }, p.inChannels),
      inputElements: p.batch * p.inH * p.inW * p.inChannels,
      outputElements: p.batch * p.outH * p.outW * p.outChannels,
    },
    limits,
  );
  const outC4 = p.outChannels / 4;
  const colGroups = Math.ceil(p.outW / (wide ? 8 : 4));
  const chunks = wide ? outC4 / 2 : outC4;
  const dispatches = bands.map((b): KernelDispatch => {
    const uniforms = new ArrayBuffer(conv2dDirectParams.byteSize);
    conv2dDirectParams.write(
      {
        inH: p.inH,
        inW: p.inW,
        inC: p.inChannels,
        outH: p.outH,
        outW: p.outW,
        outC4,
        cinG: p.inChannels / p.groups,
        coutG: p.outChannels / p.groups,
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
    const threads = (b.row1 - b.row0) * colGroups * chunks;
    return { uniforms, workgroups: Math.ceil(threads / 64), ranges: [b.x, null, null, b.y] };
  });
  return {
    program: {
      kernel: conv2dDirectKernel,
      constants: {
        WG: 64,
        KH: p.kH,
        KW: p.kW,
        SH: p.strideH,
        SW: p.strideW,
        DH: p.dilationH,
        DW: p.dilationW,
        WIDE: wide ? 1 : 0,
        HAS_BIAS: hasBias ? 1 : 0,
        ACTIVATION: activationId(p.act.activation),
      },
    },
    dispatches,
  };
}

export function conv2dRun(p: Conv2dParams, hasBias: boolean, limits: BindingLimits): KernelRun {
  const cinG = p.inChannels / p.groups;
  const N = p.outChannels / p.groups;
  // A band row is one output row of one image: outW GEMM rows.
  const K = p.kH * p.kW * cinG;
  const bands = planBands(
    {
      op: 'conv2d',
      rows: p.batch * p.outH,
      outRowElements: p.outW * p.outChannels,
      inputRange: convInputRange({ ...p, padTop: p.pad.top }, p.inChannels),
      inputElements: p.batch * p.inH * p.inW * p.inChannels,
      outputElements: p.batch * p.outH * p.outW * p.outChannels,
    },
    limits,
  );
  const dispatches = bands.map((b): KernelDispatch => {
    const M = (b.row1 - b.row0) * p.outW;
    const uniforms = new ArrayBuffer(conv2dParams.byteSize);
    conv2dParams.write(
      {
        M,
        K,
        N,
        groups: p.groups,
        outC: p.outChannels,
        alpha: p.act.alpha,
        ...bandFields(b, p.outW),
        inH: p.inH,
        inW: p.inW,
        inC: p.inChannels,
        outH: p.outH,
        outW: p.outW,
        kW: p.kW,
        cinG,
        strideH: p.strideH,
        strideW: p.strideW,
        dilationH: p.dilationH,
        dilationW: p.dilationW,
        padTop: p.pad.top,
        padLeft: p.pad.left,
      },
      new DataView(uniforms),
      0,
    );
    return { uniforms, workgroups: gemmWorkgroups(M, K, N, p.groups), ranges: [b.x, null, null, null, b.y] };
  });
  return { program: { kernel: conv2dKernel, constants: gemmConstants(p.act, hasBias, K, N) }, dispatches };
}

/**
 * Fused separable convolution: the pointwise GEMM with the depthwise output as A,
 * computed on the fly (shaders/separable_fused.wgsl). Runs in bands of output rows
 * like conv2d. Inputs: x, pointwise w, bias, depthwise w, depthwise bias.
 */
export function separableFusedRun(
  p: SeparableConv2dParams,
  hasBias: boolean,
  hasDepthwiseBias: boolean,
  limits: BindingLimits,
): KernelRun {
  const K = p.channels * p.multiplier;
  const N = p.outChannels;
  const bands = planBands(
    {
      op: 'separableConv2d',
      rows: p.batch * p.outH,
      outRowElements: p.outW * N,
      inputRange: convInputRange({ ...p, padTop: p.pad.top }, p.channels),
      inputElements: p.batch * p.inH * p.inW * p.channels,
      outputElements: p.batch * p.outH * p.outW * N,
    },
    limits,
  );
  const dispatches = bands.map((b): KernelDispatch => {
    const M = (b.row1 - b.row0) * p.outW;
    const uniforms = new ArrayBuffer(separableParams.byteSize);
    separableParams.write(
      {
        M,
        K,
        N,
        groups: 1,
        outC: N,
        alpha: p.act.alpha,
        ...bandFields(b, p.outW),
        inH: p.inH,
        inW: p.inW,
        inC: p.channels,
        outH: p.outH,
        outW: p.outW,
        multiplier: p.multiplier,
        padTop: p.pad.top,
        padLeft: p.pad.left,
      },
      new DataView(uniforms),
      0,
    );
    return { uniforms, workgroups: gemmWorkgroups(M, K, N, 1), ranges: [b.x, null, null, null, null, null, b.y] };
  });
  return {
    program: {
      kernel: separableKernel,
      constants: {
        ...gemmConstants(p.act, hasBias, K, N),
        KH: p.kH,
        KW: p.kW,
        SH: p.strideH,
        SW: p.strideW,
        DH: p.dilationH,
        DW: p.dilationW,
        HAS_DW_BIAS: hasDepthwiseBias ? 1 : 0,
      },
    },
    dispatches,
  };
}
