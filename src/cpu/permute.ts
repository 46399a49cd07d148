import type { PermuteParams } from '../backend.js';

/** Reference transpose: out[i0, i1, …] = in[…] with output dimension k = input dimension perm[k]. */
export function permuteCpu(x: Float32Array, p: PermuteParams): Float32Array {
  const { inShape, perm } = p;
  const rank = inShape.length;
  const inStrides = new Array<number>(rank).fill(1);
  for (let d = rank - 2; d >= 0; d--) inStrides[d] = (inStrides[d + 1] as number) * (inShape[d + 1] as number);
  const outShape = perm.map((d) => inShape[d] as number);
  const stride = perm.map((d) => inStrides[d] as number); // input stride of each output dimension
  const out = new Float32Array(x.length);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += (idx[d] as number) * (stride[d] as number);
    out[o] = x[src] as number;
    // Odometer increment over the output shape, last dimension fastest.
    for (let d = rank - 1; d >= 0; d--) {
      idx[d] = (idx[d] as number) + 1;
      if ((idx[d] as number) < (outShape[d] as number)) break;
      idx[d] = 0;
    }
  }
  return out;
}
