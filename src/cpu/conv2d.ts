import type { Conv2dParams } from '../backend.js';
import { cpuActivation } from './activation.js';

/**
 * Reference standard/grouped convolution, from the definition:
 *   y[n, oy, ox, o] = act(bias[o] + Σ_{i, j, ci} x[n, oy·sH − padTop + i·dH, ox·sW − padLeft + j·dW, g·Cg + ci]
 *                                        · w[i, j, ci, o])
 * with g = floor(o / (Cout/groups)), Cg = Cin/groups, ci < Cg, and x = 0 outside the input.
 * Input NHWC, filter HWIO [kH, kW, Cg, Cout]. Accumulates in float64.
 */
export function conv2dCpu(x: Float32Array, w: Float32Array, bias: Float32Array | null, p: Conv2dParams): Float32Array {
  const { batch, inH, inW, inChannels: C, outChannels: O, groups, kH, kW, outH, outW } = p;
  const cg = C / groups;
  const og = O / groups;
  const y = new Float32Array(batch * outH * outW * O);
  const act = cpuActivation(p.act);
  for (let n = 0; n < batch; n++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const yBase = ((n * outH + oy) * outW + ox) * O;
        for (let o = 0; o < O; o++) {
          const c0 = Math.floor(o / og) * cg;
          let acc = bias === null ? 0 : (bias[o] as number);
          for (let i = 0; i < kH; i++) {
            const iy = oy * p.strideH - p.pad.top + i * p.dilationH;
            if (iy < 0 || iy >= inH) continue;
            for (let j = 0; j < kW; j++) {
              const ix = ox * p.strideW - p.pad.left + j * p.dilationW;
              if (ix < 0 || ix >= inW) continue;
              const xBase = ((n * inH + iy) * inW + ix) * C + c0;
              const wBase = (i * kW + j) * cg * O + o;
              for (let ci = 0; ci < cg; ci++) acc += (x[xBase + ci] as number) * (w[wBase + ci * O] as number);
            }
          }
          y[yBase + o] = act(acc);
        }
      }
    }
  }
  return y;
}
