import type { Pool2dParams } from '../backend.js';
import { tapRanges } from './taps.js';

/**
 * Reference max and average pooling, from the definition. Output
 * y[n, oy, ox, c] reduces the window cells x[n, oy·sH − padTop + i·dH, ox·sW − padLeft + j·dW, c]
 * (i < kH, j < kW) that lie inside the input; padded cells are left out (see tapRanges):
 * - max: the largest cell, NaN if a cell is NaN (NaN propagates, as through every other
 *   op; TF.js skips NaNs), −∞ for a window with no cell inside the input;
 * - avg: the float64 sum of the cells (i ascending, then j) divided by their count, or by
 *   kH·kW with `countIncludePad` (padded cells count as zeros); 0/0 = NaN for a window
 *   with no cell inside the input and no countIncludePad, as TF.js.
 * Written into `out` when given (the wasm backend's memory).
 */
export function pool2dCpu(x: Float32Array, p: Pool2dParams, out?: Float32Array): Float32Array {
  const { batch, inH, inW, channels: C, kH, kW, outH, outW, dilationH: dH, dilationW: dW } = p;
  const y = out ?? new Float32Array(batch * outH * outW * C);
  const rows = tapRanges(outH, inH, kH, p.strideH, dH, p.pad.top);
  const cols = tapRanges(outW, inW, kW, p.strideW, dW, p.pad.left);
  const max = p.kind === 'max';
  const acc = new Float64Array(C);
  for (let n = 0; n < batch; n++) {
    for (let oy = 0; oy < outH; oy++) {
      const i0 = rows[2 * oy] as number;
      const i1 = rows[2 * oy + 1] as number;
      const iyTap0 = oy * p.strideH - p.pad.top;
      for (let ox = 0; ox < outW; ox++) {
        const j0 = cols[2 * ox] as number;
        const j1 = cols[2 * ox + 1] as number;
        const ixTap0 = ox * p.strideW - p.pad.left;
        acc.fill(max ? -Infinity : 0);
        for (let i = i0; i < i1; i++) {
          const row = (n * inH + iyTap0 + i * dH) * inW;
          for (let j = j0; j < j1; j++) {
            const base = (row + ixTap0 + j * dW) * C;
            if (max) {
              for (let c = 0; c < C; c++) {
                const v = x[base + c] as number;
                // Once NaN, the comparison is false and the NaN stays.
                if (v > (acc[c] as number) || Number.isNaN(v)) acc[c] = v;
              }
            } else {
              for (let c = 0; c < C; c++) acc[c] = (acc[c] as number) + (x[base + c] as number);
            }
          }
        }
        const out = ((n * outH + oy) * outW + ox) * C;
        const count = max ? 1 : p.countIncludePad ? kH * kW : (i1 - i0) * (j1 - j0);
        for (let c = 0; c < C; c++) y[out + c] = (acc[c] as number) / count;
      }
    }
  }
  return y;
}
