import type { PointwiseConv2dParams } from '../backend.js';
import { activateInto } from './activation.js';

/**
 * Reference pointwise (1×1) convolution:
 *   y[r, o] = act(bias[o] + Σ_k x[r, k] · w[k, o] [+ residual[r, o]])
 * where r runs over every N·H·W pixel (x is [pixels, K], w is [K, N], both row-major).
 *
 * Every sum is float64 and is formed in the definition's order: start at bias[o] (or 0),
 * then add x[r, k]·w[k, o] for k = 0, 1, …, K − 1. Each product of two float32 values
 * is exact in float64, so the result is the same, bit for bit, as the one-output-at-a-time
 * loop; only the order in which *different* outputs are computed changes.
 *
 * Speed: outputs are computed in 4 × 4 register tiles (4 pixels × 4 output channels),
 * each sum living in a local variable for the whole k loop. Per k the tile loads 4 input
 * values (one per pixel, contiguous in k) and 4 weights (contiguous in o) and does 16
 * multiply-adds, instead of 2 loads, a load and a store of an accumulator per
 * multiply-add. Pixels left over when pixels % 4 ≠ 0, and channels when N % 4 ≠ 0, go
 * through the plain loop `pointwiseSum`, in the same order.
 */
export function pointwiseConv2dCpu(
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  p: PointwiseConv2dParams,
  residual: Float32Array | null = null,
): Float32Array {
  const { pixels: R, inChannels: K, outChannels: N } = p;
  const y = new Float32Array(R * N);
  // The float64 sums of the (up to) 4 pixels in flight, [4][N]; the activation then
  // turns them into 4·N contiguous outputs in one pass. With no activation, storing the
  // sum into y is already the whole job (the one rounding to float32), so the sums skip
  // the scratch row: for small K that pass would cost about as much as the products.
  const sums = new Float64Array(4 * N);
  // A residual is added to the float64 sum, after all products, before the activation.
  const direct = p.act.activation === 'linear' && residual === null;
  const N4 = N - (N % 4);
  for (let r = 0; r < R; r += 4) {
    const nr = Math.min(4, R - r);
    if (nr === 4) {
      const x0 = r * K;
      const x1 = x0 + K;
      const x2 = x1 + K;
      const x3 = x2 + K;
      for (let o = 0; o < N4; o += 4) {
        const b0 = bias === null ? 0 : (bias[o] as number);
        const b1 = bias === null ? 0 : (bias[o + 1] as number);
        const b2 = bias === null ? 0 : (bias[o + 2] as number);
        const b3 = bias === null ? 0 : (bias[o + 3] as number);
        // s<pixel><channel>: pixel r + p, output channel o + c.
        let s00 = b0, s01 = b1, s02 = b2, s03 = b3;
        let s10 = b0, s11 = b1, s12 = b2, s13 = b3;
        let s20 = b0, s21 = b1, s22 = b2, s23 = b3;
        let s30 = b0, s31 = b1, s32 = b2, s33 = b3;
        for (let k = 0, wi = o; k < K; k++, wi += N) {
          const w0 = w[wi] as number;
          const w1 = w[wi + 1] as number;
          const w2 = w[wi + 2] as number;
          const w3 = w[wi + 3] as number;
          let v = x[x0 + k] as number;
          s00 += v * w0; s01 += v * w1; s02 += v * w2; s03 += v * w3;
          v = x[x1 + k] as number;
          s10 += v * w0; s11 += v * w1; s12 += v * w2; s13 += v * w3;
          v = x[x2 + k] as number;
          s20 += v * w0; s21 += v * w1; s22 += v * w2; s23 += v * w3;
          v = x[x3 + k] as number;
          s30 += v * w0; s31 += v * w1; s32 += v * w2; s33 += v * w3;
        }
        if (direct) {
          let yi = r * N + o;
          y[yi] = s00; y[yi + 1] = s01; y[yi + 2] = s02; y[yi + 3] = s03;
          yi += N;
          y[yi] = s10; y[yi + 1] = s11; y[yi + 2] = s12; y[yi + 3] = s13;
          yi += N;
          y[yi] = s20; y[yi + 1] = s21; y[yi + 2] = s22; y[yi + 3] = s23;
          yi += N;
          y[yi] = s30; y[yi + 1] = s31; y[yi + 2] = s32; y[yi + 3] = s33;
        } else {
          let si = o;
          sums[si] = s00; sums[si + 1] = s01; sums[si + 2] = s02; sums[si + 3] = s03;
          si += N;
          sums[si] = s10; sums[si + 1] = s11; sums[si + 2] = s12; sums[si + 3] = s13;
          si += N;
          sums[si] = s20; sums[si + 1] = s21; sums[si + 2] = s22; sums[si + 3] = s23;
          si += N;
          sums[si] = s30; sums[si + 1] = s31; sums[si + 2] = s32; sums[si + 3] = s33;
        }
      }
      for (let q = 0; q < 4; q++) {
        for (let o = N4; o < N; o++) sums[q * N + o] = pointwiseSum(x, w, bias, r + q, o, K, N);
      }
      // Direct tiles already wrote columns [0, N4); the scratch holds the rest.
      if (direct) for (let q = 0; q < 4; q++) activateInto(p.act, sums, q * N + N4, y, (r + q) * N + N4, N - N4);
      else {
        if (residual) addResidual(sums, residual, r * N, 4 * N);
        activateInto(p.act, sums, 0, y, r * N, 4 * N);
      }
    } else {
      for (let q = 0; q < nr; q++) {
        for (let o = 0; o < N; o++) sums[q * N + o] = pointwiseSum(x, w, bias, r + q, o, K, N);
      }
      if (residual) addResidual(sums, residual, r * N, nr * N);
      activateInto(p.act, sums, 0, y, r * N, nr * N);
    }
  }
  return y;
}

/** bias[o] + Σ_k x[r, k]·w[k, o], k ascending: the definition, for the odd pixels and channels. */
function pointwiseSum(
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  r: number,
  o: number,
  K: number,
  N: number,
): number {
  let s = bias === null ? 0 : (bias[o] as number);
  for (let k = 0; k < K; k++) s += (x[r * K + k] as number) * (w[k * N + o] as number);
  return s;
}

/** sums[i] += residual[from + i] for i < count. */
function addResidual(sums: Float64Array, residual: Float32Array, from: number, count: number): void {
  for (let i = 0; i < count; i++) sums[i] = (sums[i] as number) + (residual[from + i] as number);
}
