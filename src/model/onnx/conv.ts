// ONNX's windowed ops on NCHW images: Conv (grouped and depthwise included),
// MaxPool, AveragePool, GlobalAveragePool. Their padding attributes (pads,
// auto_pad SAME_UPPER/SAME_LOWER/VALID, ceil_mode) are resolved here to
// explicit pads for the input's spatial size, so the IR sees only numbers.

import { samePadding } from '../../shape.js';
import type { Window } from '../ir.js';
import { LINEAR, type NodeContext } from './context.js';
import { permute } from './constants.js';

/** The rank-4 NCHW input of a 2-D op: its height and width. */
function image(ctx: NodeContext): { c: number; h: number; w: number } {
  const s = ctx.shape(0);
  if (s.length !== 4) throw ctx.unsupported(`a ${ctx.opType} on a rank-${s.length} input (sepconv runs 2-D ones, on rank-4 NCHW tensors)`);
  return { c: s[1] as number, h: s[2] as number, w: s[3] as number };
}

/** A pair attribute (strides, dilations) of positive integers. */
function pair(ctx: NodeContext, name: string): [number, number] {
  const v = ctx.attrs.ints(name, [1, 1]);
  if (v.length !== 2 || v.some((x) => !Number.isInteger(x) || x < 1)) throw ctx.bad(`attribute '${name}' is [${v.join(', ')}], expected two positive integers`);
  return v as [number, number];
}

/**
 * The window of a Conv or pool for an input of h×w: strides, dilations and
 * padding from pads or auto_pad. With `ceilMode`, the output size rounds up
 * (pools, ceil_mode = 1): the extra rows and columns become padding at the end,
 * as long as every window still starts inside the input or its begin padding
 * (PyTorch's and onnxruntime's rule).
 */
function window(ctx: NodeContext, h: number, w: number, kH: number, kW: number, ceilMode = false): Window {
  const [strideH, strideW] = pair(ctx, 'strides');
  const [dilationH, dilationW] = pair(ctx, 'dilations');
  const autoPad = ctx.attrs.string('auto_pad', 'NOTSET');
  let pad: Window['pad'];
  switch (autoPad) {
    case 'NOTSET': {
      const p = ctx.attrs.ints('pads', [0, 0, 0, 0]);
      if (p.length !== 4) throw ctx.bad(`attribute 'pads' is [${p.join(', ')}], expected 4 values [top, left, bottom, right]`);
      if (p.some((x) => x < 0)) throw ctx.unsupported(`negative pads [${p.join(', ')}]`);
      // ONNX order: the begins of each spatial axis, then the ends.
      pad = { top: p[0] as number, left: p[1] as number, bottom: p[2] as number, right: p[3] as number };
      break;
    }
    case 'VALID':
      pad = { top: 0, bottom: 0, left: 0, right: 0 };
      break;
    case 'SAME_UPPER':
    case 'SAME_LOWER': {
      // Output ceil(in / stride); the odd padding goes at the end (UPPER) or the beginning (LOWER).
      let [top, bottom] = samePadding(h, kH, strideH, dilationH);
      let [left, right] = samePadding(w, kW, strideW, dilationW);
      if (autoPad === 'SAME_LOWER') [top, bottom, left, right] = [bottom, top, right, left];
      pad = { top, bottom, left, right };
      break;
    }
    default:
      throw ctx.bad(`attribute 'auto_pad' is '${autoPad}', expected NOTSET, SAME_UPPER, SAME_LOWER or VALID`);
  }
  if (ceilMode) {
    const extra = (size: number, k: number, s: number, d: number, before: number, after: number) => {
      const span = size + before + after - ((k - 1) * d + 1);
      if (span < 0 || span % s === 0) return 0;
      let out = Math.ceil(span / s) + 1;
      if ((out - 1) * s >= size + before) out--;
      return Math.max((out - 1) * s + (k - 1) * d + 1 - (size + before + after), 0);
    };
    pad.bottom += extra(h, kH, strideH, dilationH, pad.top, pad.bottom);
    pad.right += extra(w, kW, strideW, dilationW, pad.left, pad.right);
  }
  return { kH, kW, strideH, strideW, dilationH, dilationW, pad };
}

/**
 * Conv: weights [M, C/group, kH, kW] (OIHW, constant) become the IR's HWIO
 * filter [kH, kW, C/group, M]; the optional bias is [M].
 */
export function Conv(ctx: NodeContext): void {
  const { c, h, w } = image(ctx);
  const weights = ctx.weights(1, 'the weights W');
  if (weights.dims.length !== 4) throw ctx.bad(`weights W have dims [${weights.dims.join(', ')}], expected [M, C/group, kH, kW]`);
  const [m, cg, kH, kW] = weights.dims as [number, number, number, number];
  const groups = ctx.attrs.int('group', 1);
  if (groups < 1 || c % groups !== 0 || m % groups !== 0 || cg * groups !== c) {
    throw ctx.bad(`weights W [${weights.dims.join(', ')}] with group ${groups} do not fit an input of ${c} channels`);
  }
  const declared = ctx.attrs.ints('kernel_shape', null);
  if (declared !== null && (declared.length !== 2 || declared[0] !== kH || declared[1] !== kW)) {
    throw ctx.bad(`kernel_shape [${declared.join(', ')}] disagrees with weights W [${weights.dims.join(', ')}]`);
  }
  let bias: Float32Array | null = null;
  if (ctx.has(2)) {
    bias = ctx.weights(2, 'the bias B').data;
    if (bias.length !== m) throw ctx.bad(`bias B ('${ctx.inputName(2)}') has ${bias.length} elements for ${m} output channels`);
  }
  const filter = permute(weights, [2, 3, 1, 0]).data as Float32Array;
  ctx.emit('conv', [ctx.value(0)], {
    ...window(ctx, h, w, kH, kW),
    layout: 'NCHW',
    filter,
    bias,
    groups,
    outChannels: m,
    act: LINEAR,
    residual: null,
  });
}

function pool(kind: 'max' | 'avg'): (ctx: NodeContext) => void {
  return (ctx) => {
    const { h, w } = image(ctx);
    const k = ctx.attrs.ints('kernel_shape', null);
    if (k === null || k.length !== 2 || k.some((x) => !Number.isInteger(x) || x < 1)) {
      throw ctx.bad(`attribute 'kernel_shape' is ${k === null ? 'missing' : `[${k.join(', ')}]`}, expected two positive integers`);
    }
    const ceilMode = ctx.attrs.int('ceil_mode', 0) !== 0;
    const win = window(ctx, h, w, k[0] as number, k[1] as number, ceilMode);
    const countIncludePad = kind === 'avg' && ctx.attrs.int('count_include_pad', 0) !== 0;
    if (countIncludePad && ceilMode) {
      const plain = window(ctx, h, w, k[0] as number, k[1] as number);
      if (plain.pad.bottom !== win.pad.bottom || plain.pad.right !== win.pad.right) {
        // The rounded-up windows would count padding that ONNX does not count.
        throw ctx.unsupported('AveragePool with count_include_pad and ceil_mode where rounding up adds windows');
      }
    }
    ctx.emit('pool', [ctx.value(0)], { ...win, layout: 'NCHW', kind, countIncludePad });
    ctx.unsupportedOutputs(1, "MaxPool's Indices");
  };
}

export const MaxPool = pool('max');
export const AveragePool = pool('avg');

export function GlobalAveragePool(ctx: NodeContext): void {
  image(ctx);
  ctx.emit('globalAveragePool', [ctx.value(0)], { layout: 'NCHW' });
}
