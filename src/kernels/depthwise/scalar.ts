// Depthwise, any shape (shaders/depthwise_scalar.wgsl): one output element per
// invocation; specialises on kernel size only, everything else is a uniform.

import mainWgsl from '../../../shaders/depthwise_scalar.wgsl?raw';
import type { DepthwiseConv2dParams } from '../../backend.js';
import { UniformSchema } from '../../gpu/uniforms.js';
import { convBands } from '../bands.js';
import { IMAGE_FIELDS, imageValues, PAD_FIELDS, padValues, WINDOW_FIELDS, windowValues } from '../conv-uniforms.js';
import { epilogue, FLAT_WORKGROUP_SIZE, flatWorkgroups, kernelVariant } from '../descriptor.js';
import { ACTIVATION_FIELDS, activation, activationValues, flatGrid } from '../fragments.js';
import { assembleKernel, fragment, ioBindings } from '../wgsl.js';

const params = new UniformSchema('DepthwiseParams', [
  ...IMAGE_FIELDS,
  ...WINDOW_FIELDS,
  ...PAD_FIELDS,
  ['outC', 'u32'],
  ['multiplier', 'u32'],
  ['outStart', 'u32'],
  ['outEnd', 'u32'],
  ['xOrigin', 'u32'],
  ['yOrigin', 'u32'],
  ...ACTIVATION_FIELDS,
] as const);

const shader = assembleKernel({
  name: 'depthwise_scalar',
  uniforms: params,
  bindings: ioBindings({ x: 'f32', filter: 'f32', bias: 'f32', output: 'f32' }),
  fragments: [activation, flatGrid, fragment('depthwise_scalar.wgsl', mainWgsl, { provides: ['run', 'KH', 'KW', 'HAS_BIAS'], needs: ['x', 'w', 'bias', 'y', 'activate'] })],
});

export const depthwiseScalar = kernelVariant<DepthwiseConv2dParams, 'scalar'>({
  name: 'scalar',
  summary: 'any shape: one output element per invocation',
  tunables: {},
  supports: () => true,
  shaders: [shader],
  shader: () => shader,
  constants: (c) => ({ WG: FLAT_WORKGROUP_SIZE, KH: c.params.kH, KW: c.params.kW, ...epilogue(c) }),
  dispatches({ params: p }, _v, limits) {
    const outC = p.channels * p.multiplier;
    const rowElements = p.outW * outC;
    return convBands('depthwiseConv2d', p, p.channels, outC, limits).map((b) => {
      const outStart = b.row0 * rowElements;
      const outEnd = b.row1 * rowElements;
      return {
        uniforms: params.pack({
          ...imageValues(p, p.channels),
          ...windowValues(p),
          ...padValues(p),
          outC,
          multiplier: p.multiplier,
          outStart,
          outEnd,
          xOrigin: b.xOrigin,
          yOrigin: b.yOrigin,
          ...activationValues(p.act),
        }),
        workgroups: flatWorkgroups(outEnd - outStart),
        ranges: { x: b.x, output: b.y },
      };
    });
  },
});
