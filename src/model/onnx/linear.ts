// ONNX's matrix ops and Softmax. A Gemm or MatMul by constant weights is a
// dense op (weights [K, N]: Gemm's transB and alpha are applied to the weights
// now, a one-row C becomes the bias); by a tensor computed at run time it is a
// matmul, with alpha and C as elementwise ops after it.

import { LINEAR, type NodeContext } from './context.js';
import { permute } from './constants.js';
import { BATCH, size } from './decode.js';
import { reshapeTarget } from './shape-ops.js';

const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

export function Gemm(ctx: NodeContext): void {
  const alpha = ctx.attrs.float('alpha', 1);
  const beta = ctx.attrs.float('beta', 1);
  const transA = ctx.attrs.int('transA', 0) !== 0;
  const transB = ctx.attrs.int('transB', 0) !== 0;
  const aShape = ctx.shape(0);
  const bShape = ctx.shape(1);
  if (aShape.length !== 2 || bShape.length !== 2) throw ctx.bad(`A ${fmt(aShape)} and B ${fmt(bShape)} are not both matrices`);
  const k = aShape[transA ? 0 : 1] as number;
  const kb = bShape[transB ? 1 : 0] as number;
  const n = bShape[transB ? 0 : 1] as number;
  if (k !== kb) {
    throw ctx.bad(`A ${fmt(aShape)}${transA ? ' (transposed)' : ''} and B ${fmt(bShape)}${transB ? ' (transposed)' : ''} do not multiply`);
  }
  const b = ctx.constant(1);
  const c = ctx.has(2) && beta !== 0 ? ctx.constant(2) : null;
  const constant = (suffix: string, dims: readonly number[], data: Float32Array) => ctx.t.builder.constant(`${ctx.name}/${suffix}`, dims, data);

  let a = ctx.value(0);
  if (transA) a = ctx.step('transpose', 'transA', [a], { perm: [1, 0] });
  let y: number;
  let cDone = !ctx.has(2) || beta === 0;
  if (b !== null) {
    const w = ctx.weights(1, 'B');
    const kn = transB ? permute(w, [1, 0]) : w;
    const weights = alpha === 1 ? (kn.data as Float32Array) : (kn.data as Float32Array).map((x) => x * alpha);
    // C is the bias when it is a constant holding one value or one row of N.
    let bias: Float32Array | null = null;
    if (!cDone && c !== null && c.type === 'float' && (size(c.dims) === 1 || (size(c.dims) === n && c.dims[c.dims.length - 1] === n))) {
      bias = size(c.dims) === 1 ? new Float32Array(n).fill((c.data[0] as number) * beta) : c.data.map((x) => x * beta);
      cDone = true;
    }
    y = ctx.step('dense', 'dense', [a], { weights, bias, units: n, act: LINEAR, residual: null });
  } else {
    let bv = ctx.value(1);
    if (transB) bv = ctx.step('transpose', 'transB', [bv], { perm: [1, 0] });
    y = ctx.step('matmul', 'matmul', [a, bv], {});
    if (alpha !== 1) y = ctx.step('binary', 'alpha', [y, constant('alpha', [], Float32Array.of(alpha))], { kind: 'mul', act: LINEAR });
  }
  if (!cDone) {
    let cv: number;
    if (c !== null) {
      cv = constant('C', c.dims, c.type === 'float' ? c.data.map((x) => x * beta) : Float32Array.from(c.data, (x) => x * beta));
    } else {
      cv = ctx.value(2);
      if (beta !== 1) cv = ctx.step('binary', 'beta', [cv, constant('beta', [], Float32Array.of(beta))], { kind: 'mul', act: LINEAR });
    }
    y = ctx.step('binary', 'C', [y, cv], { kind: 'add', act: LINEAR });
  }
  ctx.finish(y);
}

export function MatMul(ctx: NodeContext): void {
  const aShape = ctx.shape(0);
  const bShape = ctx.shape(1);
  const b = ctx.constant(1);
  if (b !== null && bShape.length === 2 && aShape.length >= 2) {
    const w = ctx.weights(1, 'B');
    const [k, n] = bShape as [number, number];
    if (aShape[aShape.length - 1] !== k) throw ctx.bad(`A ${fmt(aShape)} and B ${fmt(bShape)} do not multiply`);
    ctx.emit('dense', [ctx.value(0)], { weights: w.data, bias: null, units: n, act: LINEAR, residual: null });
    return;
  }
  if (aShape.length === 2 && bShape.length === 2) {
    if (aShape[1] !== bShape[0]) throw ctx.bad(`A ${fmt(aShape)} and B ${fmt(bShape)} do not multiply`);
    ctx.emit('matmul', [ctx.value(0), ctx.value(1)], {});
    return;
  }
  throw ctx.unsupported(`a MatMul of ${fmt(aShape)} by ${b === null ? '' : 'constant '}${fmt(bShape)} (sepconv multiplies two matrices, or a tensor by a constant matrix)`);
}

/**
 * Softmax. From opset 13 it normalizes along one axis (default -1); before, the
 * input is seen as a matrix [d0·…·d(axis−1), d(axis)·…] (default axis 1) and
 * each row is normalized, which is a reshape, a softmax and a reshape back
 * unless the axis is the last.
 */
export function Softmax(ctx: NodeContext): void {
  const shape = ctx.shape(0);
  const rank = shape.length;
  const axis = ctx.axis(ctx.attrs.int('axis', ctx.opset >= 13 ? -1 : 1), rank);
  if (ctx.opset >= 13 || axis === rank - 1) {
    ctx.emit('softmax', [ctx.value(0)], { axis });
    return;
  }
  const head = shape.slice(0, axis);
  if (head.includes(-1) && head.length > 1) throw ctx.bad(`normalizes rows that merge the dynamic batch with other dimensions (axis ${axis})`);
  const rows = head.length === 1 && head[0] === -1 ? BATCH : size(head);
  const flat = ctx.step('reshape', 'rows', [ctx.value(0)], { shape: reshapeTarget(ctx, shape, [rows, -1]) });
  const soft = ctx.step('softmax', 'softmax', [flat], { axis: 1 });
  ctx.emit('reshape', [soft], { shape: [...shape] });
}
