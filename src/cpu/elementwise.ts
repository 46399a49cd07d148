import type { BinaryParams, UnaryParams } from '../backend.js';
import { cpuActivation } from './activation.js';

// Written from the definitions: NumPy broadcasting over shapes of equal rank ≤ 4
// (an operand dimension of 1 repeats along the output's), each result computed in
// float64 from the two f32 operands and rounded to f32 once, after the activation.
// Plain IEEE arithmetic: NaN and ±Inf propagate (x / 0 is ±Inf, 0 / 0 is NaN).

const OPERATIONS: Readonly<Record<BinaryParams['kind'], (a: number, b: number) => number>> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
};

/** Row-major strides of `shape` padded to rank 4, with 0 along its dimensions of size 1 (broadcast). */
function strides4(shape: readonly number[]): [number, number, number, number] {
  const s4 = [...new Array<number>(4 - shape.length).fill(1), ...shape];
  const out: [number, number, number, number] = [0, 0, 0, 0];
  let step = 1;
  for (let d = 3; d >= 0; d--) {
    out[d] = s4[d] === 1 ? 0 : step;
    step *= s4[d] as number;
  }
  return out;
}

/** y = act(a ∘ b) of shape `p.outShape` (written into `out` when given: the wasm backend's memory). */
export function binaryCpu(a: Float32Array, b: Float32Array, p: BinaryParams, out?: Float32Array): Float32Array {
  const op = OPERATIONS[p.kind];
  const act = cpuActivation(p.act);
  const [d0, d1, d2, d3] = [...new Array<number>(4 - p.outShape.length).fill(1), ...p.outShape] as [number, number, number, number];
  const [a0, a1, a2, a3] = strides4(p.aShape);
  const [b0, b1, b2, b3] = strides4(p.bShape);
  const y = out ?? new Float32Array(d0 * d1 * d2 * d3);
  let o = 0;
  for (let i0 = 0; i0 < d0; i0++) {
    for (let i1 = 0; i1 < d1; i1++) {
      for (let i2 = 0; i2 < d2; i2++) {
        const ia = i0 * a0 + i1 * a1 + i2 * a2;
        const ib = i0 * b0 + i1 * b1 + i2 * b2;
        for (let i3 = 0; i3 < d3; i3++) y[o++] = act(op(a[ia + i3 * a3] as number, b[ib + i3 * b3] as number));
      }
    }
  }
  return y;
}

/** y = act(x) over the first `p.size` elements (into `out` when given). */
export function unaryCpu(x: Float32Array, p: UnaryParams, out?: Float32Array): Float32Array {
  const act = cpuActivation(p.act);
  const y = out ?? new Float32Array(p.size);
  for (let i = 0; i < p.size; i++) y[i] = act(x[i] as number);
  return y;
}
