import type { PoolParams, SoftmaxParams } from '../backend.js';

/** Mean over H·W of each (n, c), float64 sum in pixel order: [N, H, W, C] → [N, C] (into `out` when given). */
export function globalAveragePoolCpu(x: Float32Array, p: PoolParams, out?: Float32Array): Float32Array {
  const { batch, height, width, channels: C } = p;
  const pixels = height * width;
  const y = out ?? new Float32Array(batch * C);
  const sums = new Float64Array(C);
  for (let n = 0; n < batch; n++) {
    sums.fill(0);
    const base = n * pixels * C;
    for (let q = 0; q < pixels; q++) {
      const row = base + q * C;
      for (let c = 0; c < C; c++) sums[c] = (sums[c] as number) + (x[row + c] as number);
    }
    for (let c = 0; c < C; c++) y[n * C + c] = (sums[c] as number) / pixels;
  }
  return y;
}

/** softmax(v)_i = e^(v_i − max v) / Σ_j e^(v_j − max v) per row, in float64 (into `out` when given). */
export function softmaxCpu(x: Float32Array, p: SoftmaxParams, out?: Float32Array): Float32Array {
  const { rows, size } = p;
  const y = out ?? new Float32Array(rows * size);
  for (let r = 0; r < rows; r++) {
    const o = r * size;
    let max = -Infinity;
    for (let i = 0; i < size; i++) max = Math.max(max, x[o + i] as number);
    let sum = 0;
    for (let i = 0; i < size; i++) sum += Math.exp((x[o + i] as number) - max);
    for (let i = 0; i < size; i++) y[o + i] = Math.exp((x[o + i] as number) - max) / sum;
  }
  return y;
}
