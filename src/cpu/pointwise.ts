import type { PointwiseConv2dParams } from '../backend.js';
import { cpuActivation } from './activation.js';

/**
 * Reference pointwise (1×1) convolution:
 *   y[r, o] = act(bias[o] + Σ_k x[r, k] · w[k, o])
 * where r runs over every N·H·W pixel. Accumulates in float64.
 */
export function pointwiseConv2dCpu(
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  p: PointwiseConv2dParams,
): Float32Array {
  const { rows, inChannels: K, outChannels: N } = p;
  const y = new Float32Array(rows * N);
  const act = cpuActivation(p.act);
  const acc = new Float64Array(N);
  for (let r = 0; r < rows; r++) {
    if (bias === null) acc.fill(0);
    else for (let o = 0; o < N; o++) acc[o] = bias[o] as number;
    const xRow = r * K;
    for (let k = 0; k < K; k++) {
      const xv = x[xRow + k] as number;
      const wRow = k * N;
      for (let o = 0; o < N; o++) acc[o] = (acc[o] as number) + xv * (w[wRow + o] as number);
    }
    const yRow = r * N;
    for (let o = 0; o < N; o++) y[yRow + o] = act(acc[o] as number);
  }
  return y;
}
