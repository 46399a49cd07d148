// Layout conversions as plain index maps, independent of src/: for the ONNX Runtime
// engine (NCHW tensors, OIHW filters) and for the tests that feed sepconv other
// layouts (test/oracle/layouts.test.ts).

/**
 * `x`, of shape `shape`, with its 4 axes reordered: axis i of the result is axis
 * `perm[i]` of `x` (as numpy.transpose). Writes the result in order, reads strided.
 */
export function permute4(x: Float32Array, shape: readonly number[], perm: readonly [number, number, number, number]): Float32Array<ArrayBuffer> {
  const [d0, d1, d2, d3] = shape as [number, number, number, number];
  const strides = [d1 * d2 * d3, d2 * d3, d3, 1];
  const [n0, n1, n2, n3] = perm.map((p) => shape[p] as number) as [number, number, number, number];
  const [s0, s1, s2, s3] = perm.map((p) => strides[p] as number) as [number, number, number, number];
  const out = new Float32Array(d0 * d1 * d2 * d3);
  let o = 0;
  for (let a = 0; a < n0; a++)
    for (let b = 0; b < n1; b++)
      for (let c = 0; c < n2; c++) {
        const base = a * s0 + b * s1 + c * s2;
        for (let d = 0; d < n3; d++) out[o++] = x[base + d * s3] as number;
      }
  return out;
}

/** [N, H, W, C] → [N, C, H, W] */
export function nhwcToNchw(x: Float32Array, nhwc: readonly number[]): Float32Array<ArrayBuffer> {
  return permute4(x, nhwc, [0, 3, 1, 2]);
}

/** [N, C, H, W] → [N, H, W, C] */
export function nchwToNhwc(x: Float32Array, nchw: readonly number[]): Float32Array<ArrayBuffer> {
  return permute4(x, nchw, [0, 2, 3, 1]);
}

/** Filter HWIO [kh, kw, I, O] → OIHW [O, I, kh, kw] */
export function hwioToOihw(f: Float32Array, hwio: readonly number[]): Float32Array<ArrayBuffer> {
  return permute4(f, hwio, [3, 2, 0, 1]);
}

/** Several outputs as one array, one after the other (how the harness compares a model's outputs). */
export function concatenate(parts: readonly Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0] as Float32Array;
  const all = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
  return all;
}
