// ONNX ops that compute element by element: the activations (Relu, Clip,
// LeakyRelu, Sigmoid, HardSigmoid, HardSwish, Tanh, Elu), Add/Sub/Mul/Div with
// broadcasting, and inference BatchNormalization (a per-channel scale and shift).
// Each becomes its own IR node; fusing them into the op before is a pass's job.

import type { Activation } from '../../activation.js';
import type { OpAttrs } from '../ir.js';
import { act, type NodeContext } from './context.js';
import { broadcast } from './constants.js';
import { BATCH } from './decode.js';

/** ONNX's default Clip bounds: the lowest and largest float32. */
const FLT_MAX = 3.4028234663852886e38;

function finite(ctx: NodeContext, name: string, v: number): number {
  if (!Number.isFinite(v)) throw ctx.bad(`attribute '${name}' is ${v}, expected a finite number`);
  return v;
}

/** A one-input activation; `params` reads its alpha and beta from the attributes. */
export function activation(kind: Activation, params?: (ctx: NodeContext) => [number, number]): (ctx: NodeContext) => void {
  return (ctx) => {
    const [alpha, beta] = params ? params(ctx) : [0, 0];
    ctx.emit('activation', [ctx.value(0)], { act: act(kind, alpha, beta) });
  };
}

export const LeakyRelu = activation('leakyRelu', (ctx) => [finite(ctx, 'alpha', ctx.attrs.float('alpha', 0.01)), 0]);
export const Elu = activation('elu', (ctx) => [finite(ctx, 'alpha', ctx.attrs.float('alpha', 1)), 0]);
export const HardSigmoid = activation('hardSigmoid', (ctx) => [
  finite(ctx, 'alpha', ctx.attrs.float('alpha', 0.2)),
  finite(ctx, 'beta', ctx.attrs.float('beta', 0.5)),
]);

/**
 * Clip: bounds are attributes before opset 11 and optional constant inputs from
 * it on. [0, 6] is relu6, [0, none] relu; anything else the clip activation.
 */
export function Clip(ctx: NodeContext): void {
  let lo = -FLT_MAX;
  let hi = FLT_MAX;
  if (ctx.opset < 11) {
    lo = ctx.attrs.float('min', lo);
    hi = ctx.attrs.float('max', hi);
  } else {
    const bound = (i: number, what: string): number | null => {
      if (!ctx.has(i)) return null;
      const c = ctx.requireConstant(i, what);
      if (c.data.length !== 1) throw ctx.bad(`${what} ('${ctx.inputName(i)}') holds ${c.data.length} elements, expected a scalar`);
      return c.data[0] as number;
    };
    lo = bound(1, 'min') ?? lo;
    hi = bound(2, 'max') ?? hi;
  }
  if (Number.isNaN(lo) || Number.isNaN(hi)) throw ctx.bad(`bounds [${lo}, ${hi}] are not numbers`);
  lo = Math.max(lo, -FLT_MAX);
  hi = Math.min(hi, FLT_MAX);
  // ONNX: when min > max every output is max, which is clip(max, max).
  if (lo > hi) lo = hi;
  const spec = lo === 0 && hi === 6 ? act('relu6') : lo === 0 && hi === FLT_MAX ? act('relu') : act('clip', lo, hi);
  ctx.emit('activation', [ctx.value(0)], { act: spec });
}

const FOLD: Record<OpAttrs['binary']['kind'], (x: number, y: number, int: boolean) => number> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  // Integer division truncates toward zero, as ONNX's reference does.
  div: (x, y, int) => (int ? Math.trunc(x / y) : x / y),
};

/** Add, Sub, Mul or Div with NumPy broadcasting; folded when both operands are constants. */
export function binary(kind: OpAttrs['binary']['kind']): (ctx: NodeContext) => void {
  return (ctx) => {
    const a = ctx.constant(0);
    const b = ctx.constant(1);
    if (a !== null && b !== null) {
      if ((a.type === 'int' && a.data.includes(BATCH)) || (b.type === 'int' && b.data.includes(BATCH))) {
        throw ctx.bad('computes with the dynamic batch size, which is unknown until run time; give the model a fixed batch');
      }
      const int = a.type === 'int' && b.type === 'int';
      if (int && kind === 'div' && b.data.includes(0)) throw ctx.bad('divides an integer by zero');
      return ctx.setConstant(broadcast(ctx.name, a, b, (x, y) => FOLD[kind](x, y, int)));
    }
    ctx.emit('binary', [ctx.value(0), ctx.value(1)], { kind, act: act('linear') });
  };
}

/**
 * Inference batch norm over axis 1: y = x·scale + shift with
 * scale = gamma / √(var + ε) and shift = beta − mean·scale (computed in double).
 */
export function BatchNormalization(ctx: NodeContext): void {
  if (ctx.attrs.int('training_mode', 0) !== 0) throw ctx.unsupported('BatchNormalization in training mode');
  if (ctx.opset < 9 && ctx.attrs.int('spatial', 1) === 0) throw ctx.unsupported('BatchNormalization with spatial = 0 (statistics per element)');
  const shape = ctx.shape(0);
  if (shape.length < 2) throw ctx.bad(`normalizes axis 1 of a rank-${shape.length} input`);
  const c = shape[1] as number;
  const [gamma, beta, mean, variance] = (['scale', 'B', 'mean', 'var'] as const).map((what, k) => {
    const w = ctx.weights(k + 1, what);
    if (w.data.length !== c) throw ctx.bad(`${what} ('${ctx.inputName(k + 1)}') has ${w.data.length} elements for ${c} channels`);
    return w.data;
  }) as [Float32Array, Float32Array, Float32Array, Float32Array];
  const eps = ctx.attrs.float('epsilon', 1e-5);
  const scale = new Float32Array(c);
  const shift = new Float32Array(c);
  for (let i = 0; i < c; i++) {
    const s = (gamma[i] as number) / Math.sqrt((variance[i] as number) + eps);
    scale[i] = s;
    shift[i] = (beta[i] as number) - (mean[i] as number) * s;
  }
  ctx.emit('scaleShift', [ctx.value(0)], { axis: 1, scale, shift });
  ctx.unsupportedOutputs(1, 'a training statistic of BatchNormalization');
}
