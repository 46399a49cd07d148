// What the elementwise binary kernels share (scalar.ts, vec4.ts): the operation
// as an override constant (shaders/binary_op.wgsl), the broadcast indexing
// (shaders/binary_index.wgsl: a rank-4 output grid and one stride per operand
// dimension, 0 where it is broadcast), and one uniform block. No bands: every
// operand and the output are bound whole (the backend checks they fit).

import binaryIndexWgsl from '../../../shaders/binary_index.wgsl?raw';
import binaryOpWgsl from '../../../shaders/binary_op.wgsl?raw';
import { activationId } from '../../activation.js';
import type { BinaryParams } from '../../backend.js';
import { UniformSchema } from '../../gpu/uniforms.js';
import { FLAT_WORKGROUP_SIZE, flatWorkgroups, type Call, type KernelDispatch } from '../descriptor.js';
import { ACTIVATION_FIELDS, activationValues } from '../fragments.js';
import { fragment } from '../wgsl.js';

/** The operations, in id order (the OP override of shaders/binary_op.wgsl). */
export const BINARY_KINDS: readonly BinaryParams['kind'][] = ['add', 'sub', 'mul', 'div'];

/** The OP ids as WGSL constants, generated from the one TS list. */
const opIds = BINARY_KINDS.map((k, i) => `const OP_${k.toUpperCase()}: u32 = ${i}u;`).join('\n');

/** `combine(a, b)` and `combine4`: the OP override's operation on scalars and vec4s. */
export const binaryOp = fragment('binary_op.wgsl', `${opIds}\n${binaryOpWgsl}`, {
  provides: ['OP', 'combine', 'combine4', ...BINARY_KINDS.map((k) => `OP_${k.toUpperCase()}`)],
});

/** `operandIndices(i)`: where output item i reads x (.x) and b (.y); reads the outDim and stride fields of {@link binaryParams}. */
export const binaryIndex = fragment('binary_index.wgsl', binaryIndexWgsl, { provides: ['operandIndices'] });

export const binaryParams = new UniformSchema('BinaryParams', [
  ['outDim1', 'u32'],
  ['outDim2', 'u32'],
  ['outDim3', 'u32'],
  ['aStride0', 'u32'],
  ['aStride1', 'u32'],
  ['aStride2', 'u32'],
  ['aStride3', 'u32'],
  ['bStride0', 'u32'],
  ['bStride1', 'u32'],
  ['bStride2', 'u32'],
  ['bStride3', 'u32'],
  ['total', 'u32'],
  ...ACTIVATION_FIELDS,
] as const);

/** `shape` with leading 1s up to rank 4. */
function rank4(shape: readonly number[]): [number, number, number, number] {
  return [...new Array<number>(4 - shape.length).fill(1), ...shape] as [number, number, number, number];
}

/** Row-major strides of a rank-4 shape, 0 along the dimensions of size 1 (where it is broadcast, or the index is 0 anyway). */
function broadcastStrides(shape: readonly [number, number, number, number]): [number, number, number, number] {
  const s: [number, number, number, number] = [0, 0, 0, 0];
  let step = 1;
  for (let d = 3; d >= 0; d--) {
    s[d] = shape[d] === 1 ? 0 : step;
    step *= shape[d] as number;
  }
  return s;
}

/** True when the operand is broadcast along the output's last dimension (its last dimension is 1, the output's is not). */
export function splatsLast(shape: readonly number[], outShape: readonly number[]): boolean {
  return shape.at(-1) === 1 && outShape.at(-1) !== 1;
}

/**
 * The one dispatch of a binary kernel that computes `perItem` elements of the last
 * dimension per invocation (1, or 4 for the vec4 kernel, whose operands not broadcast
 * along the last dimension are bound as vec4s: their strides count vec4s).
 */
export function binaryDispatch(p: BinaryParams, perItem: 1 | 4): KernelDispatch {
  const out = rank4(p.outShape);
  out[3] /= perItem;
  const strides = (shape: readonly number[]) => {
    const s = broadcastStrides(rank4(shape));
    // Bound as vec4s: every stride is a multiple of the last dimension, itself of 4.
    return perItem === 4 && !splatsLast(shape, p.outShape) ? s.map((v, d) => (d === 3 ? v : v / 4)) : s;
  };
  const [aStride0, aStride1, aStride2, aStride3] = strides(p.aShape) as [number, number, number, number];
  const [bStride0, bStride1, bStride2, bStride3] = strides(p.bShape) as [number, number, number, number];
  const total = out.reduce((a, b) => a * b, 1);
  return {
    uniforms: binaryParams.pack({
      outDim1: out[1],
      outDim2: out[2],
      outDim3: out[3],
      aStride0,
      aStride1,
      aStride2,
      aStride3,
      bStride0,
      bStride1,
      bStride2,
      bStride3,
      total,
      ...activationValues(p.act),
    }),
    workgroups: flatWorkgroups(total),
    ranges: {},
  };
}

/** Override constants of a binary kernel: workgroup size, operation, activation. */
export function binaryConstants(c: Call<BinaryParams>): Record<string, number> {
  return { WG: FLAT_WORKGROUP_SIZE, OP: BINARY_KINDS.indexOf(c.params.kind), ACTIVATION: activationId(c.params.act.activation) };
}
