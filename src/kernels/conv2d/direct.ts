// Standard and grouped convolution as an implicit GEMM without workgroup memory
// (shaders/conv2d_direct.wgsl): 4 pixels × 4 output channels per invocation
// ('direct', Cout/groups divisible by 4) or 8 × 8 ('direct8', Cout/groups
// divisible by 8: half the loads per multiply-add). The choice on software
// adapters; the tiled implicit GEMM elsewhere.

import mainWgsl from '../../../shaders/conv2d_direct.wgsl?raw';
import type { Conv2dParams } from '../../backend.js';
import { UniformSchema } from '../../gpu/uniforms.js';
import { convBands, type BindingLimits } from '../bands.js';
import { epilogue, FLAT_WORKGROUP_SIZE, flatWorkgroups, kernelVariant, type Call, type KernelDispatch } from '../descriptor.js';
import { activation, flatGrid, vec4Store } from '../fragments.js';
import { assembleKernel, fragment } from '../wgsl.js';

const params = new UniformSchema('Conv2dDirectParams', [
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

/** The direct conv kernel; pointwise/conv8.ts runs pointwise convs on it too. */
export const conv2dDirectShader = assembleKernel({
  name: 'conv2d_direct',
  uniforms: params,
  bindings: [
    { name: 'x', input: 'x', type: 'f32' },
    { name: 'w', input: 'filter', type: 'vec4f' },
    { name: 'bias', input: 'bias', type: 'vec4f' },
    { name: 'y', input: 'output', type: 'vec4f' },
  ],
  fragments: [
    activation,
    flatGrid,
    vec4Store,
    fragment('conv2d_direct.wgsl', mainWgsl, { provides: ['run', 'KH', 'KW', 'SH', 'SW', 'DH', 'DW', 'BLOCK8'], needs: ['x', 'w', 'store'] }),
  ],
});

/** Constants of the direct kernel: kernel geometry, block size, epilogue. */
export function conv2dDirectConstants(c: Call<Conv2dParams>, block: 4 | 8): Record<string, number> {
  const p = c.params;
  return {
    WG: FLAT_WORKGROUP_SIZE,
    KH: p.kH,
    KW: p.kW,
    SH: p.strideH,
    SW: p.strideW,
    DH: p.dilationH,
    DW: p.dilationW,
    BLOCK8: block === 8 ? 1 : 0,
    ...epilogue(c),
  };
}

/** Dispatches of the direct kernel: bands of output rows; `op` names the public op in errors. */
export function conv2dDirectDispatches(op: string, p: Conv2dParams, block: 4 | 8, limits: BindingLimits): KernelDispatch[] {
  const outC4 = p.outChannels / 4;
  const colGroups = Math.ceil(p.outW / block);
  const channelGroups = block === 8 ? outC4 / 2 : outC4;
  return convBands(op, p, p.inChannels, p.outChannels, limits).map((b) => ({
    uniforms: params.pack({
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
    }),
    workgroups: flatWorkgroups((b.row1 - b.row0) * colGroups * channelGroups),
    ranges: { x: b.x, output: b.y },
  }));
}

function directVariant<const N extends string>(name: N, block: 4 | 8, summary: string, rank: { software: number; gpu: number }) {
  return kernelVariant<Conv2dParams, N>({
    name,
    summary,
    tunables: {},
    supports: ({ params: p }) => (p.outChannels / p.groups) % block === 0,
    rank: (_c, t) => (t.cpuBased ? rank.software : rank.gpu),
    shaders: [conv2dDirectShader],
    shader: () => conv2dDirectShader,
    constants: (c) => conv2dDirectConstants(c, block),
    dispatches: (c, _v, limits) => conv2dDirectDispatches('conv2d', c.params, block, limits),
  });
}

export const conv2dDirect8 = directVariant('direct8', 8, 'Cout/groups divisible by 8: 8 pixels × 8 channels per invocation, no workgroup memory', {
  software: 0,
  gpu: 2,
});

export const conv2dDirect = directVariant('direct', 4, 'Cout/groups divisible by 4: 4 pixels × 4 channels per invocation, no workgroup memory', {
  software: 1,
  gpu: 1,
});
