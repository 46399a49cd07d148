// Elementwise binary op, any shapes (shaders/binary_scalar.wgsl): one output
// element per invocation.

import mainWgsl from '../../../shaders/binary_scalar.wgsl?raw';
import type { BinaryParams } from '../../backend.js';
import { kernelVariant } from '../descriptor.js';
import { activation, flatGrid } from '../fragments.js';
import { assembleKernel, fragment, ioBindings } from '../wgsl.js';
import { binaryConstants, binaryDispatch, binaryIndex, binaryOp, binaryParams } from './broadcast.js';

const shader = assembleKernel({
  name: 'binary_scalar',
  uniforms: binaryParams,
  bindings: ioBindings({ x: 'f32', b: 'f32', output: 'f32' }, { x: 'a' }),
  fragments: [activation, flatGrid, binaryOp, binaryIndex, fragment('binary_scalar.wgsl', mainWgsl, { provides: ['run'], needs: ['x', 'b', 'y', 'operandIndices', 'combine', 'activate'] })],
});

export const binaryScalar = kernelVariant<BinaryParams, 'scalar'>({
  name: 'scalar',
  summary: 'any shapes: one output element per invocation',
  tunables: {},
  supports: () => true,
  shaders: [shader],
  shader: () => shader,
  constants: binaryConstants,
  dispatches: ({ params }) => [binaryDispatch(params, 1)],
});
