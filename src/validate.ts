// Argument validation: the checks of every user argument the Engine takes (shapes,
// filters, biases, options, tensors, data) and the errors they raise. Each check
// throws a SepconvError naming the op and the argument, or returns the value
// resolved. Nothing below the Engine checks user input again.

import type { Backend, Storage } from './backend.js';
import type { Engine } from './engine.js';
import { SepconvError, describe } from './errors.js';
import { nhwcShape, type FilterLayout } from './layout.js';
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

/** Checks transpose's tensor rank and `perm`, a permutation of its dimensions. */
export function checkPermutation(op: string, rank: number, perm: unknown): asserts perm is readonly number[] {
  if (rank > 4) throw invalid(op, 'x', 'a tensor of rank ≤ 4', `rank ${rank}`);
  const isPerm =
    Array.isArray(perm) &&
    perm.length === rank &&
    [...perm].sort((a, b) => a - b).every((v, i) => v === i);
  if (!isPerm) throw invalid(op, 'perm', `a permutation of 0..${rank - 1}`, describe(perm));
}
