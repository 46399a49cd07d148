// Arithmetic on tensors known at load time: what folding Shape/Gather/Concat
// chains, constant operands and weight layouts (OIHW → HWIO, Gemm's transB)
// needs. Plain loops over row-major data; these tensors are shapes and weights,
// never activations.

import { broadcastShapes } from '../infer.js';
import { BATCH, size, type ConstTensor } from './decode.js';

/** Row-major strides of `dims`. */
function strides(dims: readonly number[]): number[] {
  const out = new Array<number>(dims.length);
  let s = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    out[i] = s;
    s *= dims[i] as number;
  }
  return out;
}

/**
 * Visits every index of `outDims` in row-major order, calling `visit(o, src)`
 * with the output offset and, for each source, its offset given its per-axis
 * strides (0 on a broadcast axis).
 */
function walk(outDims: readonly number[], sourceStrides: readonly (readonly number[])[], visit: (o: number, src: readonly number[]) => void): void {
  const rank = outDims.length;
  const n = size(outDims);
  const idx = new Array<number>(rank).fill(0);
  const src = sourceStrides.map(() => 0);
  for (let o = 0; o < n; o++) {
    visit(o, src);
    for (let a = rank - 1; a >= 0; a--) {
      idx[a] = (idx[a] as number) + 1;
      for (let s = 0; s < src.length; s++) src[s] = (src[s] as number) + ((sourceStrides[s] as number[])[a] as number);
      if ((idx[a] as number) < (outDims[a] as number)) break;
      for (let s = 0; s < src.length; s++) src[s] = (src[s] as number) - ((sourceStrides[s] as number[])[a] as number) * (outDims[a] as number);
      idx[a] = 0;
    }
  }
}

function like(t: ConstTensor, dims: number[], data: ArrayLike<number>): ConstTensor {
  return t.type === 'float' ? { type: 'float', dims, data: Float32Array.from(data) } : { type: 'int', dims, data: Array.from(data) };
}

/** Output axis i is input axis perm[i]. */
export function permute(t: ConstTensor, perm: readonly number[]): ConstTensor {
  const inStrides = strides(t.dims);
  const outDims = perm.map((p) => t.dims[p] as number);
  const out = new Array<number>(size(outDims));
  walk(outDims, [perm.map((p) => inStrides[p] as number)], (o, [s]) => {
    out[o] = t.data[s as number] as number;
  });
  return like(t, outDims, out);
}

/** NumPy-broadcast elementwise `f(a, b)`; integer when both are (`node` names the node in a shape error). */
export function broadcast(node: string, a: ConstTensor, b: ConstTensor, f: (x: number, y: number) => number): ConstTensor {
  const outDims = broadcastShapes(node, a.dims, b.dims);
  const aligned = (t: ConstTensor) => {
    const s = strides(t.dims);
    const pad = outDims.length - t.dims.length;
    return outDims.map((d, i) => (i < pad || t.dims[i - pad] === 1 ? 0 : (s[i - pad] as number)));
  };
  const out = new Array<number>(size(outDims));
  walk(outDims, [aligned(a), aligned(b)], (o, [i, j]) => {
    out[o] = f(a.data[i as number] as number, b.data[j as number] as number);
  });
  return a.type === 'int' && b.type === 'int' ? { type: 'int', dims: outDims, data: out } : { type: 'float', dims: outDims, data: Float32Array.from(out) };
}

/** ONNX Gather: `indices` (already non-negative) pick slices along `axis`. */
export function gather(t: ConstTensor, axis: number, indices: readonly number[], indexDims: readonly number[]): ConstTensor {
  const outer = size(t.dims.slice(0, axis));
  const inner = size(t.dims.slice(axis + 1));
  const n = t.dims[axis] as number;
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const j of indices) {
      for (let k = 0; k < inner; k++) out.push(t.data[(o * n + j) * inner + k] as number);
    }
  }
  return like(t, [...t.dims.slice(0, axis), ...indexDims, ...t.dims.slice(axis + 1)], out);
}

/** Tensors joined along `axis` (their other dimensions agree); float when any is. */
export function concat(parts: readonly ConstTensor[], axis: number): ConstTensor {
  const first = parts[0] as ConstTensor;
  const outer = size(first.dims.slice(0, axis));
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const p of parts) {
      const block = size(p.dims.slice(axis));
      for (let k = 0; k < block; k++) out.push(p.data[o * block + k] as number);
    }
  }
  const dims = [...first.dims];
  dims[axis] = parts.reduce((s, p) => s + (p.dims[axis] as number), 0);
  return parts.every((p) => p.type === 'int') ? { type: 'int', dims, data: out } : { type: 'float', dims, data: Float32Array.from(out) };
}

/** Dimensions for messages: the dynamic batch reads 'batch'. */
export function formatDims(dims: readonly number[]): string {
  return `[${dims.map((d) => (d === BATCH ? 'batch' : String(d))).join(', ')}]`;
}
