// An activation on its own (shaders/unary.wgsl), where no op before it could fuse
// it: one element per invocation, the input bound whole.

import mainWgsl from '../../../shaders/unary.wgsl?raw';
import { activationId } from '../../activation.js';
import type { UnaryParams } from '../../backend.js';
import { UniformSchema } from '../../gpu/uniforms.js';
import { FLAT_WORKGROUP_SIZE, flatWorkgroups, kernelVariant } from '../descriptor.js';
import { ACTIVATION_FIELDS, activation, activationValues, flatGrid } from '../fragments.js';
import { assembleKernel, fragment, ioBindings } from '../wgsl.js';

const params = new UniformSchema('UnaryParams', [['size', 'u32'], ...ACTIVATION_FIELDS] as const);

const shader = assembleKernel({
  name: 'unary',
  uniforms: params,
  bindings: ioBindings({ x: 'f32', output: 'f32' }),
  fragments: [activation, flatGrid, fragment('unary.wgsl', mainWgsl, { provides: ['run'], needs: ['x', 'y', 'activate'] })],
});

export const unary = kernelVariant<UnaryParams, 'elementwise'>({
  name: 'elementwise',
  summary: 'one element per invocation',
  tunables: {},
  supports: () => true,
  shaders: [shader],
  shader: () => shader,
  constants: (c) => ({ WG: FLAT_WORKGROUP_SIZE, ACTIVATION: activationId(c.params.act.activation) }),
  dispatches: ({ params: p }) => [{ uniforms: params.pack({ size: p.size, ...activationValues(p.act) }), workgroups: flatWorkgroups(p.size), ranges: {} }],
});
