// Standard and grouped convolution as an implicit GEMM without workgroup memory
// (shaders/conv2d_direct.wgsl): 4 pixels × 4 output channels per invocation
// ('direct', Cout/groups divisible by 4) or 8 × 8 ('direct8', Cout/groups
// divisible by 8: half the loads per multiply-add). The choice on software
// adapters; the tiled implicit GEMM elsewhere.

import mainWgsl from '../../../shaders/conv2d_direct.wgsl?raw';
import type { Conv2dParams } from '../../backend.js';
import { UniformSchema } from '../../gpu/uniforms.js';
import { convBands, type BindingLimits } from '../bands.js';
import { IMAGE_FIELDS, imageValues, PAD_FIELDS, padValues, ROW_BAND_FIELDS, rowBandValues } from '../conv-uniforms.js';
import { epilogue, FLAT_WORKGROUP_SIZE, flatWorkgroups, kernelVariant, type Call, type KernelDispatch } from '../descriptor.js';
import { ACTIVATION_FIELDS, activation, activationValues, flatGrid, kernelWindow, vec4Store, windowConstants } from '../fragments.js';
import { assembleKernel, fragment, ioBindings } from '../wgsl.js';

const params = new UniformSchema('Conv2dDirectParams', [
  ...IMAGE_FIELDS,
  ...PAD_FIELDS,
  ...ROW_BAND_FIELDS,
  ['outC4', 'u32'],
  ['cinG', 'u32'],
  ['coutG', 'u32'],
  ...ACTIVATION_FIELDS,
] as const);

/** The direct conv kernel; pointwise/conv8.ts runs pointwise convs on it too. */
export const conv2dDirectShader = assembleKernel({
  name: 'conv2d_direct',
  uniforms: params,
  bindings: ioBindings({ x: 'f32', filter: 'vec4f', bias: 'vec4f', output: 'vec4f' }),
  fragments: [
    activation,
    flatGrid,
    vec4Store,
    kernelWindow,
    fragment('conv2d_direct.wgsl', mainWgsl, { provides: ['run', 'BLOCK8'], needs: ['KH', 'KW', 'SH', 'SW', 'DH', 'DW', 'windowRow', 'OUTSIDE_ROW', 'x', 'w', 'store'] }),
  ],
});

/** Constants of the direct kernel: kernel geometry, block size, epilogue. */
export function conv2dDirectConstants(c: Call<Conv2dParams>, block: 4 | 8): Record<string, number> {
  const p = c.params;
  return { WG: FLAT_WORKGROUP_SIZE, ...windowConstants(p), BLOCK8: block === 8 ? 1 : 0, ...epilogue(c) };
}

/** Dispatches of the direct kernel: bands of output rows; `op` names the public op in errors. */
export function conv2dDirectDispatches(op: string, p: Conv2dParams, block: 4 | 8, limits: BindingLimits): KernelDispatch[] {
  const outC4 = p.outChannels / 4;
  const colGroups = Math.ceil(p.outW / block);
  const channelGroups = block === 8 ? outC4 / 2 : outC4;
  return convBands(op, p, p.inChannels, p.outChannels, limits).map((b) => ({
    uniforms: params.pack({
      ...imageValues(p, p.inChannels),
      ...padValues(p),
      ...rowBandValues(b),
      outC4,
      cinG: p.inChannels / p.groups,
      coutG: p.outChannels / p.groups,
      ...activationValues(p.act),
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
