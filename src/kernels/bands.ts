// Splitting an op into bands of output rows so that every buffer binding stays
// within maxStorageBufferBindingSize. A band binds only the slice of the input
// it reads and the slice of the output it writes; binding offsets are rounded
// down to minStorageBufferOffsetAlignment, and the shader subtracts the
// binding's origin (in elements) from its global indices.

import { SepconvError } from '../errors.js';
import type { ConvGeometry } from '../shape.js';

/** The device limits a kernel plans against. */
export interface BindingLimits {
  /** maxStorageBufferBindingSize, bytes. */
  maxBinding: number;
  /** minStorageBufferOffsetAlignment, bytes. */
  align: number;
}

/** A byte range of a buffer to bind. */
export interface BindRange {
  offset: number;
  size: number;
}

/** One band: output rows [row0, row1), and the bindings for its input and output slices. */
export interface Band {
  row0: number;
  row1: number;
  x: BindRange;
  /** Element index of x's binding start. */
  xOrigin: number;
  y: BindRange;
  /** Element index of y's binding start. */
  yOrigin: number;
}

export interface BandProblem {
  op: string;
  /** Number of rows: output image rows (n·outH + oy) of a convolution, pixels of a pointwise one. */
  rows: number;
  /** Output elements per row. */
  outRowElements: number;
  /** Input element range [start, end) that output rows [row0, row1) read. */
  inputRange: (row0: number, row1: number) => [number, number];
  /** Total input elements and output elements (for the unsplit case). */
  inputElements: number;
  outputElements: number;
}

function range(start: number, end: number, align: number): { bind: BindRange; origin: number } {
  const offset = Math.floor((start * 4) / align) * align;
  return { bind: { offset, size: Math.max(end * 4 - offset, 4) }, origin: offset / 4 };
}

/**
 * Bands covering all rows with every binding ≤ maxBinding, as few as possible (each
 * band takes as many rows as fit). One band, binding everything, when all fits.
 */
export function planBands(p: BandProblem, limits: BindingLimits): Band[] {
  const whole = (): Band => ({
    row0: 0,
    row1: p.rows,
    x: { offset: 0, size: p.inputElements * 4 },
    xOrigin: 0,
    y: { offset: 0, size: p.outputElements * 4 },
    yOrigin: 0,
  });
  if (p.inputElements * 4 <= limits.maxBinding && p.outputElements * 4 <= limits.maxBinding) return [whole()];

  const band = (row0: number, row1: number): Band => {
    const [xs, xe] = p.inputRange(row0, row1);
    const x = range(xs, xe, limits.align);
    const y = range(row0 * p.outRowElements, row1 * p.outRowElements, limits.align);
    return { row0, row1, x: x.bind, xOrigin: x.origin, y: y.bind, yOrigin: y.origin };
  };
  const fits = (b: Band) => b.x.size <= limits.maxBinding && b.y.size <= limits.maxBinding;

  const bands: Band[] = [];
  let row0 = 0;
  while (row0 < p.rows) {
    if (!fits(band(row0, row0 + 1))) {
      throw new SepconvError(
        'TOO_LARGE',
        { op: p.op, arg: 'x', expected: `one output row and its input rows within maxStorageBufferBindingSize (${limits.maxBinding} bytes)`, given: 'more' },
      );
    }
    // Largest row1 that fits (sizes grow with row1): binary search keeping fits(lo).
    let lo = row0 + 1;
    let hi = p.rows;
    while (lo < hi) {
      const mid = Math.floor((lo + hi + 1) / 2);
      if (fits(band(row0, mid))) lo = mid;
      else hi = mid - 1;
    }
    bands.push(band(row0, lo));
    row0 = lo;
  }
  return bands;
}

/**
 * Input elements read by output rows [r0, r1) of a convolution, where row r is
 * output row r % outH of image floor(r / outH), NHWC with `channels` channels.
 */
export function convInputRange(g: ConvGeometry, channels: number): (r0: number, r1: number) => [number, number] {
  const rowElems = g.inW * channels;
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  return (r0, r1) => {
    const n0 = Math.floor(r0 / g.outH);
    const n1 = Math.floor((r1 - 1) / g.outH);
    const first = clamp((r0 % g.outH) * g.strideH - g.pad.top, 0, g.inH - 1);
    const last = clamp(((r1 - 1) % g.outH) * g.strideH - g.pad.top + (g.kH - 1) * g.dilationH + 1, 1, g.inH);
    return [(n0 * g.inH + first) * rowElems, (n1 * g.inH + last) * rowElems];
  };
}

/** Bands of output image rows (n·outH + oy) of a convolution reading NHWC x with `inChannels` and writing `outChannels` per pixel. */
export function convBands(op: string, g: ConvGeometry, inChannels: number, outChannels: number, limits: BindingLimits): Band[] {
  return planBands(
    {
      op,
      rows: g.batch * g.outH,
      outRowElements: g.outW * outChannels,
      inputRange: convInputRange(g, inChannels),
      inputElements: g.batch * g.inH * g.inW * inChannels,
      outputElements: g.batch * g.outH * g.outW * outChannels,
    },
    limits,
  );
}

/** Bands of pixels (GEMM rows) of a pointwise convolution [pixels, K] × [K, N]. */
export function pixelBands(op: string, pixels: number, k: number, n: number, limits: BindingLimits): Band[] {
  return planBands(
    { op, rows: pixels, outRowElements: n, inputRange: (r0, r1) => [r0 * k, r1 * k], inputElements: pixels * k, outputElements: pixels * n },
    limits,
  );
}
