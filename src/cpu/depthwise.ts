import type { DepthwiseConv2dParams } from '../backend.js';
import { cpuActivation } from './activation.js';

/**
 * Reference depthwise convolution, straight from the definition:
 *   y[n, oy, ox, c·M + m] = act(bias[c·M + m] +
 *     Σ_{i<kH, j<kW} x[n, oy·sH - padTop + i·dH, ox·sW - padLeft + j·dW, c] · w[i, j, c, m])
 * with x = 0 outside the input. Input NHWC, filter [kH, kW, C, M]. Accumulates in float64.
 */
export function depthwiseConv2dCpu(
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  p: DepthwiseConv2dParams,
): Float32Array {
  const { batch, inH, inW, channels: C, multiplier: M, kH, kW, outH, outW } = p;
  const outC = C * M;
  const y = new Float32Array(batch * outH * outW * outC);
  const act = cpuActivation(p.act);
  for (let n = 0; n < batch; n++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let c = 0; c < C; c++) {
          for (let m = 0; m < M; m++) {
            const co = c * M + m;
            let acc = bias === null ? 0 : (bias[co] as number);
            for (let i = 0; i < kH; i++) {
              const iy = oy * p.strideH - p.pad.top + i * p.dilationH;
              if (iy < 0 || iy >= inH) continue;
              for (let j = 0; j < kW; j++) {
                const ix = ox * p.strideW - p.pad.left + j * p.dilationW;
                if (ix < 0 || ix >= inW) continue;
                const xv = x[((n * inH + iy) * inW + ix) * C + c] as number;
                const wv = w[(i * kW + j) * outC + co] as number;
                acc += xv * wv;
              }
            }
            y[((n * outH + oy) * outW + ox) * outC + co] = act(acc);
          }
        }
      }
    }
  }
  return y;
}
