// Uniform fields the convolution kernels share, in groups, with the values each
// group takes: a kernel's schema is its own fields plus the groups it reads.

import type { UniformType } from '../gpu/uniforms.js';
import type { ConvGeometry } from '../shape.js';
import type { Band } from './bands.js';

type Fields = readonly (readonly [string, UniformType])[];

/** The input and output image sizes. */
export const IMAGE_FIELDS = [
  ['inH', 'u32'],
  ['inW', 'u32'],
  ['inC', 'u32'],
  ['outH', 'u32'],
  ['outW', 'u32'],
] as const satisfies Fields;

export function imageValues(g: ConvGeometry, inC: number) {
  return { inH: g.inH, inW: g.inW, inC, outH: g.outH, outW: g.outW };
}

/** Stride and dilation, for kernels that take them as uniforms rather than override constants. */
export const WINDOW_FIELDS = [
  ['strideH', 'u32'],
  ['strideW', 'u32'],
  ['dilationH', 'u32'],
  ['dilationW', 'u32'],
] as const satisfies Fields;

export function windowValues(g: ConvGeometry) {
  return { strideH: g.strideH, strideW: g.strideW, dilationH: g.dilationH, dilationW: g.dilationW };
}

/** The zero padding before the first row and column. */
export const PAD_FIELDS = [
  ['padTop', 'u32'],
  ['padLeft', 'u32'],
] as const satisfies Fields;

export function padValues(g: ConvGeometry) {
  return { padTop: g.pad.top, padLeft: g.pad.left };
}

/** A band of output image rows [rowStart, rowEnd) and where its x and y bindings start (elements). */
export const ROW_BAND_FIELDS = [
  ['rowStart', 'u32'],
  ['rowEnd', 'u32'],
  ['xOrigin', 'u32'],
  ['yOrigin', 'u32'],
] as const satisfies Fields;

export function rowBandValues(b: Band) {
  return { rowStart: b.row0, rowEnd: b.row1, xOrigin: b.xOrigin, yOrigin: b.yOrigin };
}
