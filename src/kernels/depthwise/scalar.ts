// Depthwise, any shape (shaders/depthwise_scalar.wgsl): one output element per
// invocation; specialises on kernel size only, everything else is a uniform.

import mainWgsl from '../../../shaders/depthwise_scalar.wgsl?raw';
import type { DepthwiseConv2dParams } from '../../backend.js';
import { UniformSchema } from '../../gpu/uniforms.js';
import { convBands } from '../bands.js';
import { epilogue, FLAT_WORKGROUP_SIZE, flatWorkgroups, kernelVariant } from '../descriptor.js';
import { activation, flatGrid } from '../fragments.js';
import { assembleKernel, fragment } from '../wgsl.js';

const params = new UniformSchema('DepthwiseParams', [
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

const shader = assembleKernel({
  name: 'depthwise_scalar',
  uniforms: params,
  bindings: [
    { name: 'x', input: 'x', type: 'f32' },
    { name: 'w', input: 'filter', type: 'f32' },
    { name: 'bias', input: 'bias', type: 'f32' },
    { name: 'y', input: 'output', type: 'f32' },
  ],
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
        }),
        workgroups: flatWorkgroups(outEnd - outStart),
        ranges: { x: b.x, output: b.y },
      };
    });
  },
});
