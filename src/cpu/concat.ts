import type { ConcatParams } from '../backend.js';

/**
 * Reference concatenation: with `outer` the product of the dimensions before `axis`
 * and `inner` that of those after it, each input is `outer` slabs of
 * shape[axis]·inner contiguous values, and output slab o is the inputs' slabs o one
 * after another. Written into `out` when given (the wasm backend's memory).
 */
export function concatCpu(xs: readonly Float32Array[], p: ConcatParams, out?: Float32Array): Float32Array {
  const first = p.shapes[0] as readonly number[];
  const outer = first.slice(0, p.axis).reduce((a, b) => a * b, 1);
  const inner = first.slice(p.axis + 1).reduce((a, b) => a * b, 1);
  const slabs = p.shapes.map((s) => (s[p.axis] as number) * inner);
  const outSlab = slabs.reduce((a, b) => a + b, 0);
  const y = out ?? new Float32Array(outer * outSlab);
  for (let o = 0; o < outer; o++) {
    let at = o * outSlab;
    xs.forEach((x, i) => {
      const slab = slabs[i] as number;
      y.set(x.subarray(o * slab, (o + 1) * slab), at);
      at += slab;
    });
  }
  return y;
}
