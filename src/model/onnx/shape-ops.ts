// ONNX ops that make or move tensors without arithmetic: Constant,
// ConstantOfShape, Shape, Gather, Unsqueeze, Squeeze, Concat, Reshape, Flatten,
// Transpose, Pad, Identity, Dropout. On constants they are evaluated now (a
// Shape → Gather → Unsqueeze → Concat chain becomes the shape it computes);
// on tensors they become IR reshape, transpose, concat, pad and identity nodes.

import { NodeContext } from './context.js';
import { concat, formatDims, gather, permute } from './constants.js';
import { BATCH, decodeTensor, size, type ConstTensor } from './decode.js';

const FLOAT_ZERO: ConstTensor = { type: 'float', dims: [1], data: new Float32Array(1) };

/**
 * The IR shape of a reshape of a tensor of IR shape `input` (-1: the batch) to
 * the ONNX shape `target` (0: copy the input's dimension unless `allowzero`;
 * -1: inferred; BATCH: the batch size, from a folded Shape). The IR keeps a
 * dynamic batch as dimension 0 only, so a reshape that moves or merges it
 * cannot be resolved.
 */
export function reshapeTarget(ctx: NodeContext, input: readonly number[], target: readonly number[], allowzero = false): number[] {
  const out = target.map((d, i) => {
    if (d !== 0 || allowzero) return d;
    if (i >= input.length) throw ctx.bad(`shape ${formatDims(target)} copies dimension ${i} (a 0) of a rank-${input.length} input`);
    return input[i] === -1 ? BATCH : (input[i] as number);
  });
  if (out.includes(0)) throw ctx.unsupported(`a reshape to ${formatDims(out)}, an empty tensor`);
  if (out.some((d) => d < -1 && d !== BATCH) || out.filter((d) => d === -1).length > 1) {
    throw ctx.bad(`shape ${formatDims(target)} has a negative size or more than one -1`);
  }
  const cannot = () =>
    ctx.bad(`cannot resolve a reshape of [${input.join(', ')}] (-1: any batch) to ${formatDims(target)}: with a dynamic batch, sepconv keeps the batch as dimension 0`);
  const infer = (dims: number[], total: number): number[] => {
    const known = size(dims.filter((d) => d !== -1));
    if (dims.includes(-1)) {
      if (known === 0 || total % known !== 0) throw ctx.bad(`shape ${formatDims(target)} does not divide the ${total} elements of [${input.join(', ')}]`);
      return dims.map((d) => (d === -1 ? total / known : d));
    }
    if (known !== total) throw ctx.bad(`shape ${formatDims(target)} holds ${known} elements, the input [${input.join(', ')}] ${total}`);
    return dims;
  };
  if (!input.includes(-1)) {
    if (out.includes(BATCH)) throw cannot();
    return infer(out, size(input));
  }
  if (input[0] !== -1 || input.slice(1).includes(-1)) throw cannot();
  const rest = out.slice(1);
  if (rest.includes(BATCH)) throw cannot();
  const restIn = size(input.slice(1));
  if (out[0] === BATCH) return [-1, ...infer(rest, restIn)];
  if (out[0] === -1 && !rest.includes(-1) && size(rest) === restIn) return [-1, ...rest];
  throw cannot();
}

/** Output 0 is input 0 reshaped to the ONNX shape `target` (folded for a constant). */
function reshapeTo(ctx: NodeContext, target: readonly number[], allowzero = false): void {
  const c = ctx.constant(0);
  if (c !== null) {
    ctx.setConstant({ ...c, dims: reshapeTarget(ctx, c.dims, target, allowzero) } as ConstTensor);
    return;
  }
  ctx.emit('reshape', [ctx.value(0)], { shape: reshapeTarget(ctx, ctx.shape(0), target, allowzero) });
}

/** The input's dimensions in ONNX terms (the batch as BATCH). */
const symbolic = (shape: readonly number[]) => shape.map((d) => (d === -1 ? BATCH : d));

/** The axes of Unsqueeze/Squeeze: an attribute before opset 13, an input from it on. */
function axesOf(ctx: NodeContext): number[] | null {
  if (ctx.opset < 13) return ctx.attrs.ints('axes', null);
  return ctx.has(1) ? ctx.ints(1, 'axes') : null;
}

export function Constant(ctx: NodeContext): void {
  const t = ctx.attrs.tensor('value');
  if (t !== null) return ctx.setConstant(decodeTensor(t, `${ctx.where}, attribute 'value'`));
  if (ctx.attrs.has('value_float')) return ctx.setConstant({ type: 'float', dims: [], data: Float32Array.of(ctx.attrs.float('value_float', 0)) });
  const floats = ctx.attrs.floats('value_floats');
  if (floats !== null) return ctx.setConstant({ type: 'float', dims: [floats.length], data: Float32Array.from(floats) });
  if (ctx.attrs.has('value_int')) return ctx.setConstant({ type: 'int', dims: [], data: [ctx.attrs.int('value_int', 0)] });
  const ints = ctx.attrs.ints('value_ints', null);
  if (ints !== null) return ctx.setConstant({ type: 'int', dims: [ints.length], data: ints });
  const given = ctx.attrs.names();
  if (given.length > 0) throw ctx.unsupported(`a Constant given as '${given.join("', '")}' (sepconv reads value, value_float(s) and value_int(s))`);
  throw ctx.bad('has no value attribute');
}

export function ConstantOfShape(ctx: NodeContext): void {
  const dims = ctx.ints(0, 'the shape');
  if (dims.includes(BATCH)) throw ctx.bad(`cannot make a constant of the dynamic batch size (shape ${formatDims(dims)}); give the model a fixed batch`);
  if (dims.some((d) => d < 0)) throw ctx.bad(`shape ${formatDims(dims)} has a negative size`);
  const t = ctx.attrs.tensor('value');
  const fill = t === null ? FLOAT_ZERO : decodeTensor(t, `${ctx.where}, attribute 'value'`);
  if (fill.data.length !== 1) throw ctx.bad(`attribute 'value' holds ${fill.data.length} elements, expected 1`);
  const v = fill.data[0] as number;
  ctx.setConstant(fill.type === 'float' ? { type: 'float', dims, data: new Float32Array(size(dims)).fill(v) } : { type: 'int', dims, data: new Array<number>(size(dims)).fill(v) });
}

export function Shape(ctx: NodeContext): void {
  const dims = symbolic(ctx.shape(0));
  const rank = dims.length;
  // start/end (opset 15) slice the dimensions, clamped like Python slices.
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  const picked = dims.slice(clamp(ctx.attrs.int('start', 0)), clamp(ctx.attrs.int('end', rank)));
  ctx.setConstant({ type: 'int', dims: [picked.length], data: picked });
}

export function Gather(ctx: NodeContext): void {
  const data = ctx.requireConstant(0, 'the data (sepconv evaluates Gather on shapes and constants only)');
  const indices = ctx.requireConstant(1, 'the indices');
  if (indices.type !== 'int') throw ctx.bad('indices are floats, expected integers');
  const axis = ctx.axis(ctx.attrs.int('axis', 0), data.dims.length);
  const n = data.dims[axis] as number;
  const picked = indices.data.map((i) => {
    if (i < -n || i >= n) throw ctx.bad(`index ${i} is out of range for axis ${axis} of size ${n}`);
    return i < 0 ? i + n : i;
  });
  ctx.setConstant(gather(data, axis, picked, indices.dims));
}

export function Unsqueeze(ctx: NodeContext): void {
  const axes = axesOf(ctx);
  if (axes === null) throw ctx.bad('has no axes');
  const input = symbolic(ctx.shape(0));
  const rank = input.length + axes.length;
  const at = new Set(axes.map((a) => ctx.axis(a, rank, 'axes entry')));
  if (at.size !== axes.length) throw ctx.bad(`axes [${axes.join(', ')}] repeat an axis`);
  const out: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(at.has(i) ? 1 : (input[k++] as number));
  reshapeTo(ctx, out);
}

export function Squeeze(ctx: NodeContext): void {
  const input = symbolic(ctx.shape(0));
  const axes = axesOf(ctx);
  const drop = new Set(axes === null ? input.flatMap((d, i) => (d === 1 ? [i] : [])) : axes.map((a) => ctx.axis(a, input.length, 'axes entry')));
  for (const a of drop) {
    if (input[a] !== 1) throw input[a] === BATCH ? ctx.bad(`squeezes axis ${a}, the dynamic batch`) : ctx.bad(`squeezes axis ${a} of size ${input[a]}`);
  }
  reshapeTo(
    ctx,
    input.filter((_, i) => !drop.has(i)),
  );
}

export function Reshape(ctx: NodeContext): void {
  // allowzero (opset 14): a 0 in the shape is a size, not "copy the input's dimension".
  reshapeTo(ctx, ctx.ints(1, 'the shape'), ctx.attrs.int('allowzero', 0) !== 0);
}

export function Flatten(ctx: NodeContext): void {
  const input = symbolic(ctx.shape(0));
  const axis = ctx.attrs.int('axis', 1);
  const a = axis < 0 ? axis + input.length : axis;
  if (!Number.isInteger(a) || a < 0 || a > input.length) throw ctx.bad(`axis ${axis} is out of range for a rank-${input.length} input`);
  const head = input.slice(0, a);
  // [d0·…·d(axis−1), rest]; a batch alone at the head stays the batch.
  if (head.includes(BATCH) && head.length > 1) throw ctx.bad(`flattens the dynamic batch together with other dimensions (axis ${axis})`);
  reshapeTo(ctx, [head.length === 1 && head[0] === BATCH ? BATCH : size(head), -1]);
}

export function Transpose(ctx: NodeContext): void {
  const rank = ctx.shape(0).length;
  const perm = ctx.attrs.ints('perm', null) ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  if (perm.length !== rank || [...perm].sort((x, y) => x - y).some((p, i) => p !== i)) {
    throw ctx.bad(`perm [${perm.join(', ')}] is not a permutation of the ${rank} axes`);
  }
  const c = ctx.constant(0);
  if (c !== null) return ctx.setConstant(permute(c, perm));
  ctx.emit('transpose', [ctx.value(0)], { perm });
}

export function Concat(ctx: NodeContext): void {
  const given = ctx.proto.input.map((_, i) => i).filter((i) => ctx.has(i));
  if (given.length === 0) throw ctx.bad('has no inputs');
  const shapes = given.map((i) => ctx.shape(i));
  const rank = (shapes[0] as number[]).length;
  if (!ctx.attrs.has('axis')) throw ctx.bad('has no axis attribute');
  const axis = ctx.axis(ctx.attrs.int('axis', 0), rank);
  const constants = given.map((i) => ctx.constant(i));
  if (constants.every((c) => c !== null)) {
    for (const s of shapes) {
      if (s.length !== rank || s.some((d, i) => i !== axis && d !== (shapes[0] as number[])[i])) {
        throw ctx.bad(`inputs ${formatDims(shapes[0] as number[])} and ${formatDims(s)} differ on an axis other than ${axis}`);
      }
    }
    return ctx.setConstant(concat(constants as ConstTensor[], axis));
  }
  ctx.emit(
    'concat',
    given.map((i) => ctx.value(i)),
    { axis },
  );
}

export function Pad(ctx: NodeContext): void {
  const mode = ctx.attrs.string('mode', 'constant');
  if (mode !== 'constant') throw ctx.unsupported(`Pad mode '${mode}' (sepconv pads with a constant)`);
  const rank = ctx.shape(0).length;
  let pads: number[];
  let value = 0;
  if (ctx.opset < 11) {
    // Opsets 2–10: pads and value are attributes.
    pads = ctx.attrs.ints('pads', null) ?? [];
    value = ctx.attrs.float('value', 0);
  } else {
    pads = ctx.ints(1, 'pads');
    if (ctx.has(2)) {
      const v = ctx.requireConstant(2, 'constant_value');
      if (v.data.length !== 1) throw ctx.bad(`constant_value holds ${v.data.length} elements, expected 1`);
      value = v.data[0] as number;
    }
    if (ctx.has(3)) {
      // Opset 18: pads for the listed axes only.
      const axes = ctx.ints(3, 'axes').map((a) => ctx.axis(a, rank, 'axes entry'));
      if (pads.length !== 2 * axes.length) throw ctx.bad(`has ${pads.length} pads for ${axes.length} axes`);
      const full = new Array<number>(2 * rank).fill(0);
      axes.forEach((a, i) => {
        full[a] = pads[i] as number;
        full[a + rank] = pads[i + axes.length] as number;
      });
      pads = full;
    }
  }
  if (pads.length !== 2 * rank) throw ctx.bad(`has ${pads.length} pads for a rank-${rank} input, expected ${2 * rank}`);
  if (pads.some((p) => p < 0)) throw ctx.unsupported(`negative pads [${pads.join(', ')}] (cropping)`);
  ctx.emit('pad', [ctx.value(0)], { pads, value });
}

export function Identity(ctx: NodeContext): void {
  if (ctx.constant(0) !== null) return ctx.alias(0);
  ctx.emit('identity', [ctx.value(0)], {});
}

/** Inference Dropout is the identity; its mask output is not computed. */
export function Dropout(ctx: NodeContext): void {
  if (ctx.opset >= 12 && ctx.has(2)) {
    const training = ctx.requireConstant(2, 'training_mode');
    if (training.data[0] !== 0) throw ctx.unsupported('Dropout in training mode');
  }
  Identity(ctx);
  ctx.unsupportedOutputs(1, "the Dropout mask, which inference does not compute");
}
