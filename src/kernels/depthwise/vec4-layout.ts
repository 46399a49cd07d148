// What the depthwise vec4 kernels share (vec4.ts, strip3x3.ts, strip5x5.ts): 4
// output channels (a vec4) per invocation, so C·M divisible by 4; the filter,
// bias and output as arrays of vec4; the input through one of two loaders, vec4
// loads when M = 1 and a gather of input channel co / M when M > 1; one uniform
// block; bands of output image rows.

import type { DepthwiseConv2dParams } from '../../backend.js';
import { UniformSchema } from '../../gpu/uniforms.js';
import { convBands, type Band, type BindingLimits } from '../bands.js';
import { IMAGE_FIELDS, imageValues, PAD_FIELDS, padValues, ROW_BAND_FIELDS, rowBandValues } from '../conv-uniforms.js';
import { epilogue, FLAT_WORKGROUP_SIZE, flatWorkgroups, type Call, type KernelDispatch } from '../descriptor.js';
import { ACTIVATION_FIELDS, activation, activationValues, depthwiseTap, flatGrid, loadXGather, loadXVec4, vec4Store } from '../fragments.js';
import { assembleKernel, ioBindings, retype, type AssembledKernel, type Fragment } from '../wgsl.js';

export const depthwiseVec4Params = new UniformSchema('DepthwiseVec4Params', [
  ...IMAGE_FIELDS,
  ...PAD_FIELDS,
  ...ROW_BAND_FIELDS,
  ['inC4', 'u32'],
  ['outC4', 'u32'],
  ...ACTIVATION_FIELDS,
] as const);

const BINDINGS = ioBindings({ x: 'vec4f', filter: 'vec4f', bias: 'vec4f', output: 'vec4f' });

/** A vec4 depthwise kernel's two shaders: `main` with the vec4 loader (M = 1) and with the gather loader (M > 1). */
export interface Vec4Shaders {
  vec4: AssembledKernel;
  gather: AssembledKernel;
}

export function vec4Shaders(name: string, own: readonly Fragment[]): Vec4Shaders {
  const shared = [activation, flatGrid, vec4Store, depthwiseTap, ...own];
  return {
    vec4: assembleKernel({ name, uniforms: depthwiseVec4Params, bindings: BINDINGS, fragments: [...shared, loadXVec4] }),
    gather: assembleKernel({ name: `${name}_gather`, uniforms: depthwiseVec4Params, bindings: retype(BINDINGS, 'x', 'f32'), fragments: [...shared, loadXGather] }),
  };
}

/** The shader of a call: the gather loader when M > 1. */
export function pickLoader(s: Vec4Shaders, c: Call<DepthwiseConv2dParams>): AssembledKernel {
  return c.params.multiplier > 1 ? s.gather : s.vec4;
}

/** Every vec4 kernel needs whole vec4s of output channels. */
export function vec4Channels(p: DepthwiseConv2dParams): boolean {
  return (p.channels * p.multiplier) % 4 === 0;
}

/** Constants every vec4 kernel takes: workgroup size, epilogue, and MULT for the gather loader. */
export function vec4Constants(c: Call<DepthwiseConv2dParams>): Record<string, number> {
  return { WG: FLAT_WORKGROUP_SIZE, ...epilogue(c), ...(c.params.multiplier > 1 && { MULT: c.params.multiplier }) };
}

/** One dispatch per band of output rows; `invocations(band)` is the kernel's own count for a band. */
export function vec4Dispatches(c: Call<DepthwiseConv2dParams>, limits: BindingLimits, invocations: (b: Band) => number): KernelDispatch[] {
  const p = c.params;
  const outC = p.channels * p.multiplier;
  return convBands('depthwiseConv2d', p, p.channels, outC, limits).map((b) => ({
    uniforms: depthwiseVec4Params.pack({
      ...imageValues(p, p.channels),
      ...padValues(p),
      ...rowBandValues(b),
      inC4: p.channels / 4,
      outC4: outC / 4,
      ...activationValues(p.act),
    }),
    workgroups: flatWorkgroups(invocations(b)),
    ranges: { x: b.x, output: b.y },
  }));
}
