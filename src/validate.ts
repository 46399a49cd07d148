// Argument validation: the checks of every user argument the Engine takes (shapes,
// filters, biases, options, tensors, data) and the errors they raise. Each check
// throws a SepconvError naming the op and the argument, or returns the value
// resolved. Nothing below the Engine checks user input again.

import type { Backend, Storage } from './backend.js';
import type { Engine } from './engine.js';
import { SepconvError, describe } from './errors.js';
import { nhwcShape, type FilterLayout } from './layout.js';
import { normalizePair, type GeometryArgs, type PairOption } from './shape.js';
import type { TensorData } from './options.js';
import { Tensor, type Layout } from './tensor.js';

/** INVALID_ARGUMENT: a value of the wrong type, rank, size or range. */
export function invalid(op: string, arg: string, expected: string, given: string): SepconvError {
  return new SepconvError('INVALID_ARGUMENT', { op, arg, expected, given });
}

/** SHAPE_MISMATCH: two arguments disagree. */
export function mismatch(op: string, arg: string, expected: string, given: string): SepconvError {
  return new SepconvError('SHAPE_MISMATCH', { op, arg, expected, given });
}

/** ENGINE_DESTROYED, for any use of an engine after destroy(). */
export function destroyedError(op: string): SepconvError {
  return new SepconvError('ENGINE_DESTROYED', { op }, `sepconv.${op}: the engine was destroyed; create a new one`);
}

/** DEVICE_LOST, for a call on an engine whose device `lost` reports the loss of. */
export function deviceLostError(op: string, lost: SepconvError): SepconvError {
  return new SepconvError('DEVICE_LOST', { op, cause: lost }, `sepconv.${op}: ${lost.message.replace(/^sepconv: /, '')}`);
}

export function checkOptions(op: string, options: unknown): void {
  if (options === null || typeof options !== 'object') {
    throw invalid(op, 'options', 'an object', describe(options));
  }
}

/** Checks that `t` is a live tensor of `engine`, made on its current backend `backend`. */
export function checkTensor(op: string, arg: string, t: unknown, engine: Engine, backend: Backend): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw invalid(op, arg, 'a Tensor', describe(t));
  if (t.engine !== engine) {
    throw new SepconvError('WRONG_ENGINE', {
      op,
      arg,
      expected: 'a tensor created by this engine',
      given: 'a tensor of another engine',
    });
  }
  if (t.isDisposed) {
    throw new SepconvError('DISPOSED', { op, arg, expected: 'a live tensor', given: 'a disposed tensor' });
  }
  if (t.owner !== backend) {
    throw new SepconvError('DEVICE_LOST', {
      op,
      arg,
      expected: 'a tensor created since the last engine.recover()',
      given: 'a tensor whose GPU device was lost (recreate it from its data)',
    });
  }
}

/** Checks the shape and layout of a new tensor; returns the layout. */
export function tensorLayout(op: string, shape: unknown, layout: unknown): Layout {
  if (!Array.isArray(shape) || shape.length === 0) {
    throw invalid(op, 'shape', 'a non-empty array of positive integers', describe(shape));
  }
  shape.forEach((d, i) => {
    if (typeof d !== 'number' || !Number.isInteger(d) || d <= 0) {
      throw invalid(op, `shape[${i}]`, 'a positive integer', describe(d));
    }
  });
  const resolved = layout ?? 'NHWC';
  if (resolved !== 'NHWC' && resolved !== 'NCHW') {
    throw invalid(op, 'options.layout', "'NHWC' or 'NCHW'", describe(resolved));
  }
  if (resolved === 'NCHW' && shape.length !== 4) {
    throw invalid(op, 'options.layout', "'NCHW' only for rank-4 shapes [N, C, H, W]", `rank ${shape.length}`);
  }
  return resolved;
}

/** Throws TOO_LARGE when a tensor of `shape` (f32) exceeds 2^32 bytes or the backend's largest tensor. */
export function checkSize(op: string, arg: string, shape: readonly number[], maxTensorBytes: number): void {
  const size = shape.reduce((a, b) => a * b, 1);
  const bytes = size * 4;
  const limit = Math.min(2 ** 32, maxTensorBytes);
  if (bytes > limit) {
    const which = limit === 2 ** 32 ? '2^32 bytes' : `the device's maxBufferSize (${limit} bytes)`;
    throw new SepconvError('TOO_LARGE', {
      op,
      arg,
      expected: `a tensor of at most ${which}`,
      given: `${describe(shape)} = ${size} elements = ${bytes} bytes`,
    });
  }
}

/** Checks a new tensor's data against its shape; returns it as f32 (a Float32Array as is). */
export function tensorValues(op: string, data: unknown, shape: readonly number[]): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  if (data === null || typeof data !== 'object' || typeof (data as ArrayLike<number>).length !== 'number') {
    throw invalid(op, 'data', 'a Float32Array, another typed array or an array of numbers', describe(data));
  }
  const values = data as TensorData;
  if (values.length !== size) {
    throw mismatch(op, 'data', `${size} elements for shape ${describe(shape)}`, `${values.length}`);
  }
  return toFloat32(op, values);
}

/** Tensor data as f32: Float32Array as is; other typed arrays and arrays of numbers converted. */
function toFloat32(op: string, data: TensorData): Float32Array {
  if (data instanceof Float32Array) return data;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    throw invalid(op, 'data', 'numbers (BigInt arrays are not converted)', describe(data));
  }
  if (Array.isArray(data)) {
    const bad = data.findIndex((v) => typeof v !== 'number');
    if (bad >= 0) throw invalid(op, `data[${bad}]`, 'a number', describe(data[bad]));
  }
  return Float32Array.from(data);
}

/** The NHWC shape of an image input, whatever its layout. */
export function imageShape(op: string, x: Tensor): [number, number, number, number] {
  const layout = x.layout === 'NCHW' ? '[N, C, H, W]' : '[N, H, W, C]';
  if (x.shape.length !== 4) {
    throw invalid(op, 'x', `rank 4 ${layout}`, `rank ${x.shape.length} ${describe(x.shape)}`);
  }
  return nhwcShape(x.shape, x.layout);
}

export function filterLayout(op: string, layout: unknown): FilterLayout {
  if (layout === undefined) return 'HWIO';
  if (layout !== 'HWIO' && layout !== 'OIHW') {
    throw invalid(op, 'options.filterLayout', "'HWIO' or 'OIHW'", describe(layout));
  }
  return layout;
}

/** Checks a depthwise filter against C input channels; returns [kh, kw, M]. */
export function depthwiseFilterShape(
  op: string,
  arg: string,
  f: Tensor,
  channels: number,
  layout: FilterLayout,
): [number, number, number] {
  const s = f.shape;
  if (layout === 'OIHW') {
    if (s.length !== 4 || s[1] !== 1 || (s[0] as number) % channels !== 0) {
      throw mismatch(op, arg, `OIHW shape [${channels}·M, 1, kh, kw] for ${channels} input channels`, describe(s));
    }
    return [s[2], s[3], (s[0] as number) / channels] as [number, number, number];
  }
  if (s.length !== 4) throw invalid(op, arg, 'rank 4 [kh, kw, C, M]', `rank ${s.length} ${describe(s)}`);
  if (s[2] !== channels) {
    throw mismatch(op, arg, `shape [kh, kw, ${channels}, M] (filter channels = input channels)`, describe(s));
  }
  return [s[0], s[1], s[3]] as [number, number, number];
}

/** Checks a pointwise filter against Cin; returns Cout. */
export function pointwiseFilterShape(op: string, arg: string, f: Tensor, cin: number, layout: FilterLayout): number {
  const s = f.shape;
  if (layout === 'OIHW') {
    if (s.length !== 4 || s[2] !== 1 || s[3] !== 1 || s[1] !== cin) {
      throw mismatch(op, arg, `OIHW shape [Cout, ${cin}, 1, 1]`, describe(s));
    }
    return s[0] as number;
  }
  const is1x1 = s.length === 4 && s[0] === 1 && s[1] === 1;
  if (s.length !== 2 && !is1x1) throw invalid(op, arg, 'shape [Cin, Cout] or [1, 1, Cin, Cout]', describe(s));
  const [fin, cout] = s.slice(-2) as [number, number];
  if (fin !== cin) throw mismatch(op, arg, `Cin = ${cin} (the input's channels)`, `${arg} shape ${describe(s)}`);
  return cout;
}

/** Checks conv2d's `groups` option against Cin; returns it resolved (default 1). */
export function conv2dGroups(op: string, groups: unknown, cin: number): number {
  const g = groups ?? 1;
  if (!(typeof g === 'number' && Number.isInteger(g) && g > 0)) {
    throw invalid(op, 'options.groups', 'a positive integer', describe(g));
  }
  if (cin % g !== 0) {
    throw mismatch(op, 'options.groups', `a divisor of the input channels (${cin})`, `${g}`);
  }
  return g;
}

/** Checks a conv2d filter against Cin and the groups; returns [kh, kw, Cout]. */
export function conv2dFilterShape(
  op: string,
  f: Tensor,
  cin: number,
  groups: number,
  layout: FilterLayout,
): [number, number, number] {
  const s = f.shape;
  const cinPerGroup = cin / groups;
  const expected = layout === 'OIHW' ? `[Cout, ${cinPerGroup}, kh, kw]` : `[kh, kw, ${cinPerGroup}, Cout]`;
  if (s.length !== 4) throw invalid(op, 'filter', `rank 4 ${layout} ${expected}`, `rank ${s.length} ${describe(s)}`);
  const [kH, kW, ci, cout] = (layout === 'OIHW' ? [s[2], s[3], s[1], s[0]] : s) as [number, number, number, number];
  if (ci !== cinPerGroup) {
    throw mismatch(op, 'filter', `${layout} shape ${expected} (input channels / groups = ${cinPerGroup})`, describe(s));
  }
  if (cout % groups !== 0) {
    throw mismatch(op, 'options.groups', `a divisor of the output channels (${cout})`, `${groups}`);
  }
  return [kH, kW, cout];
}

/** Checks an optional bias of `length` values; returns its storage, or null without one. */
export function biasStorage(op: string, arg: string, bias: Tensor | undefined, length: number): Storage | null {
  if (bias === undefined) return null;
  if (bias.shape.length !== 1 || bias.shape[0] !== length) {
    throw mismatch(op, arg, `shape [${length}] (one value per output channel)`, describe(bias.shape));
  }
  return bias.storage;
}

/**
 * The shape `a ∘ b` broadcasts to (NumPy rules: shapes aligned from the right, each
 * dimension equal or 1), and its layout tag: that of the rank-4 operand. Both of rank
 * ≤ 4; two rank-4 operands share a layout (the op works on the data as laid out).
 */
export function broadcastShape(op: string, a: Tensor, b: Tensor): { shape: number[]; layout: Layout } {
  for (const [arg, t] of [['a', a], ['b', b]] as const) {
    if (t.shape.length > 4) throw invalid(op, arg, 'a tensor of rank ≤ 4', `rank ${t.shape.length} ${describe(t.shape)}`);
  }
  if (a.shape.length === 4 && b.shape.length === 4 && a.layout !== b.layout) {
    throw invalid(op, 'b', `a tensor laid out as 'a' ('${a.layout}')`, `'${b.layout}'`);
  }
  const rank = Math.max(a.shape.length, b.shape.length);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a.shape[a.shape.length - rank + i] ?? 1;
    const y = b.shape[b.shape.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) {
      throw mismatch(op, 'b', `a shape that broadcasts against a's ${describe(a.shape)} (dimensions from the right equal or 1)`, describe(b.shape));
    }
    shape.push(x === 1 ? y : x);
  }
  const layout = [a, b].find((t) => t.shape.length === 4)?.layout ?? 'NHWC';
  return { shape, layout };
}

/** Checks transpose's tensor rank and `perm`, a permutation of its dimensions. */
export function checkPermutation(op: string, rank: number, perm: unknown): asserts perm is readonly number[] {
  if (rank > 4) throw invalid(op, 'x', 'a tensor of rank ≤ 4', `rank ${rank}`);
  const isPerm =
    Array.isArray(perm) &&
    perm.length === rank &&
    [...perm].sort((a, b) => a - b).every((v, i) => v === i);
  if (!isPerm) throw invalid(op, 'perm', `a permutation of 0..${rank - 1}`, describe(perm));
}

/** Checks concat's tensor shapes (rank ≤ 4, equal but on the axis; one layout) and its axis; returns the axis (≥ 0) and the output shape. */
export function concatShape(op: string, tensors: readonly Tensor[], axis: unknown): { axis: number; shape: number[] } {
  const first = tensors[0] as Tensor;
  const rank = first.shape.length;
  if (rank > 4) throw invalid(op, 'tensors[0]', 'a tensor of rank ≤ 4', `rank ${rank} ${describe(first.shape)}`);
  if (!(typeof axis === 'number' && Number.isInteger(axis) && axis >= -rank && axis < rank)) {
    throw invalid(op, 'axis', `an integer from ${-rank} to ${rank - 1} (the tensors' rank is ${rank})`, describe(axis));
  }
  const a = axis < 0 ? axis + rank : axis;
  const shape = [...first.shape];
  tensors.forEach((t, i) => {
    if (i === 0) return;
    const arg = `tensors[${i}]`;
    const s = t.shape;
    const expected = first.shape.map((d, k) => (k === a ? '*' : String(d))).join(', ');
    if (s.length !== rank || s.some((d, k) => k !== a && d !== first.shape[k])) {
      throw mismatch(op, arg, `shape [${expected}] (tensors[0]'s but on axis ${a})`, describe(s));
    }
    if (t.layout !== first.layout) throw mismatch(op, arg, `an ${first.layout} tensor (tensors[0]'s layout)`, `an ${t.layout} tensor`);
    shape[a] = (shape[a] as number) + (s[a] as number);
  });
  return { axis: a, shape };
}

/** Checks pad's `paddings` ([[before, after], …], one pair per dimension) for a tensor of `shape`; returns them in ONNX order [befores…, afters…]. */
export function padAmounts(op: string, shape: readonly number[], paddings: unknown): number[] {
  const rank = shape.length;
  if (rank > 4) throw invalid(op, 'x', 'a tensor of rank ≤ 4', `rank ${rank} ${describe(shape)}`);
  const pairs = `${rank} pairs [before, after] of non-negative integers, one per dimension of ${describe(shape)}`;
  if (!Array.isArray(paddings) || paddings.length !== rank) throw invalid(op, 'paddings', pairs, describe(paddings));
  const isCount = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  paddings.forEach((pair: unknown, i) => {
    if (!Array.isArray(pair) || pair.length !== 2 || !isCount(pair[0]) || !isCount(pair[1])) {
      throw invalid(op, `paddings[${i}]`, 'a pair [before, after] of non-negative integers', describe(pair));
    }
  });
  const p = paddings as [number, number][];
  return [...p.map((q) => q[0]), ...p.map((q) => q[1])];
}

/** Checks a pooling window's `options.kernelSize` (required): one positive integer or [kh, kw]. */
export function poolKernelSize(op: string, kernelSize: unknown): [number, number] {
  if (kernelSize === undefined) throw invalid(op, 'options.kernelSize', 'a positive integer or a pair [kh, kw] of positive integers', 'undefined');
  return normalizePair(op, 'options.kernelSize', kernelSize as PairOption);
}

/** The argument names of a pooling window's errors. */
export const POOL_GEOMETRY_ARGS: GeometryArgs = {
  stride: 'options.stride',
  dilation: 'options.dilation',
  padding: 'options.padding',
  kernel: 'options.kernelSize',
};

/** Checks matMul's operands [M, K] and [K, N]; returns [M, K, N]. */
export function matMulShapes(op: string, a: Tensor, b: Tensor): [number, number, number] {
  if (a.shape.length !== 2) throw invalid(op, 'a', 'rank 2 [M, K]', `rank ${a.shape.length} ${describe(a.shape)}`);
  if (b.shape.length !== 2) throw invalid(op, 'b', 'rank 2 [K, N]', `rank ${b.shape.length} ${describe(b.shape)}`);
  const [m, k] = a.shape as [number, number];
  if (b.shape[0] !== k) throw mismatch(op, 'b', `shape [${k}, N] (K = ${k}, the columns of a)`, describe(b.shape));
  return [m, k, b.shape[1] as number];
}

/**
 * Throws TOO_LARGE when a tensor the backend binds whole (a matMul's b, read by every
 * row) exceeds the device's maxStorageBufferBindingSize.
 */
export function checkBindable(op: string, arg: string, t: Tensor, limits: { maxStorageBufferBindingSize: number } | undefined): void {
  if (limits && t.size * 4 > limits.maxStorageBufferBindingSize) {
    throw new SepconvError('TOO_LARGE', {
      op,
      arg,
      expected: `at most maxStorageBufferBindingSize = ${limits.maxStorageBufferBindingSize} bytes (it is bound whole)`,
      given: `${describe(t.shape)} = ${t.size * 4} bytes`,
    });
  }
}
