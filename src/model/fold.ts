// Folding inference batch normalisation into the convolution before it, for the
// model runtime and for the bench's own lowering of networks (bench/lib).

/**
 * With s = gamma / √(variance + ε), every weight feeding output channel o is scaled
 * by s[o], and the bias becomes (bias − mean)·s + beta. Filters keep the output
 * channel as their fastest index (HWIO, [kh, kw, C, M], [Cin, Cout]), so channel o
 * is index mod outChannels. Returns new arrays.
 */
export function foldBatchNorm(
  filter: Float32Array,
  bias: Float32Array | null,
  [gamma, beta, mean, variance]: readonly [Float32Array, Float32Array, Float32Array, Float32Array],
  eps: number,
): { filter: Float32Array; bias: Float32Array } {
  const out = gamma.length;
  const s = new Float64Array(out);
  for (let o = 0; o < out; o++) s[o] = (gamma[o] as number) / Math.sqrt((variance[o] as number) + eps);
  const folded = new Float32Array(filter.length);
  for (let i = 0; i < filter.length; i++) folded[i] = (filter[i] as number) * (s[i % out] as number);
  const b = new Float32Array(out);
  for (let o = 0; o < out; o++) b[o] = ((bias ? (bias[o] as number) : 0) - (mean[o] as number)) * (s[o] as number) + (beta[o] as number);
  return { filter: folded, bias: b };
}
