import type { DepthwiseConv2dParams } from '../backend.js';
import { activateInto } from './activation.js';
import { sameTaps, tapRanges } from './taps.js';

/**
 * Reference depthwise convolution, from the definition:
 *   y[n, oy, ox, c·M + m] = act(bias[c·M + m] +
 *     Σ_{i<kH, j<kW} x[n, oy·sH - padTop + i·dH, ox·sW - padLeft + j·dW, c] · w[i, j, c, m])
 * with x = 0 outside the input. Input NHWC, filter [kH, kW, C, M].
 *
 * Every sum is float64 and is formed in the definition's order: start at the bias (or 0),
 * then add the products tap by tap, i ascending, then j ascending, skipping the taps that
 * fall on padding (see tapRanges). Each float32 × float32 product is exact in float64, so
 * the result is bit for bit that of the one-output-at-a-time loop.
 *
 * Loop order, for speed: per output pixel, the taps that read inside the input are worked
 * out once per row and column (tapRanges), not tested per tap. Output channels go in
 * tiles of 4 adjacent ones (contiguous in the filter and, for M = 1, in the input), and
 * interior pixels in pairs of horizontal neighbours that read the same taps: 8 sums held in
 * local variables across the whole tap loop, each weight loaded once for both pixels
 * (`if (pair)` is fixed for the whole tile; it measured no slower than two copies of the
 * loop). The last outC % 4 channels take the same loops with a 1-channel tile. The sums
 * of the pixel(s) in flight land in a scratch row, which the activation pass turns into
 * contiguous outputs.
 */
export function depthwiseConv2dCpu(
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  p: DepthwiseConv2dParams,
): Float32Array {
  const { batch, inH, inW, channels: C, multiplier: M, kH, kW, outH, outW } = p;
  const { strideH: sH, strideW: sW, dilationH: dH, dilationW: dW } = p;
  const outC = C * M;
  const y = new Float32Array(batch * outH * outW * outC);
  const rowTaps = tapRanges(outH, inH, kH, sH, dH, p.pad.top);
  const colTaps = tapRanges(outW, inW, kW, sW, dW, p.pad.left);
  // Output channel co = c·M + m reads input channel c = floor(co / M).
  const inChannel = new Int32Array(outC);
  for (let co = 0; co < outC; co++) inChannel[co] = Math.floor(co / M);
  const sums = new Float64Array(2 * outC); // [pixel in flight][output channel]
  const outC4 = outC - (outC % 4);
  const nextPixel = sW * C; // input offset from output column ox's taps to ox + 1's
  for (let n = 0; n < batch; n++) {
    const xImage = n * inH * inW * C;
    for (let oy = 0; oy < outH; oy++) {
      const i0 = rowTaps[2 * oy] as number;
      const i1 = rowTaps[2 * oy + 1] as number;
      const iyTap0 = oy * sH - p.pad.top; // input row of tap i = 0
      let ox = 0;
      while (ox < outW) {
        const j0 = colTaps[2 * ox] as number;
        const j1 = colTaps[2 * ox + 1] as number;
        const ixTap0 = ox * sW - p.pad.left; // input column of tap j = 0 for pixel ox
        const pair = sameTaps(colTaps, outW, ox, 2);
        for (let co = 0; co < outC4; co += 4) {
          const c0 = inChannel[co] as number;
          const c1 = inChannel[co + 1] as number;
          const c2 = inChannel[co + 2] as number;
          const c3 = inChannel[co + 3] as number;
          const b0 = bias === null ? 0 : (bias[co] as number);
          const b1 = bias === null ? 0 : (bias[co + 1] as number);
          const b2 = bias === null ? 0 : (bias[co + 2] as number);
          const b3 = bias === null ? 0 : (bias[co + 3] as number);
          // s<c>: pixel ox, t<c>: pixel ox + 1 (pairs only), output channel co + c.
          let s0 = b0, s1 = b1, s2 = b2, s3 = b3;
          let t0 = b0, t1 = b1, t2 = b2, t3 = b3;
          for (let i = i0; i < i1; i++) {
            const xRow = xImage + (iyTap0 + i * dH) * inW * C;
            const wRow = i * kW;
            for (let j = j0; j < j1; j++) {
              const xa = xRow + (ixTap0 + j * dW) * C; // pixel ox's input pixel at tap (i, j)
              const wi = (wRow + j) * outC + co;
              const w0 = w[wi] as number;
              const w1 = w[wi + 1] as number;
              const w2 = w[wi + 2] as number;
              const w3 = w[wi + 3] as number;
              s0 += (x[xa + c0] as number) * w0;
              s1 += (x[xa + c1] as number) * w1;
              s2 += (x[xa + c2] as number) * w2;
              s3 += (x[xa + c3] as number) * w3;
              if (pair) {
                const xb = xa + nextPixel;
                t0 += (x[xb + c0] as number) * w0;
                t1 += (x[xb + c1] as number) * w1;
                t2 += (x[xb + c2] as number) * w2;
                t3 += (x[xb + c3] as number) * w3;
              }
            }
          }
          sums[co] = s0; sums[co + 1] = s1; sums[co + 2] = s2; sums[co + 3] = s3;
          if (pair) {
            sums[outC + co] = t0; sums[outC + co + 1] = t1; sums[outC + co + 2] = t2; sums[outC + co + 3] = t3;
          }
        }
        // The last outC % 4 channels, one at a time: the same loops with a 1-channel tile.
        for (let co = outC4; co < outC; co++) {
          const c = inChannel[co] as number;
          let s = bias === null ? 0 : (bias[co] as number);
          let t = s;
          for (let i = i0; i < i1; i++) {
            const xRow = xImage + (iyTap0 + i * dH) * inW * C;
            for (let j = j0; j < j1; j++) {
              const xa = xRow + (ixTap0 + j * dW) * C;
              const wv = w[(i * kW + j) * outC + co] as number;
              s += (x[xa + c] as number) * wv;
              if (pair) t += (x[xa + nextPixel + c] as number) * wv;
            }
          }
          sums[co] = s;
          if (pair) sums[outC + co] = t;
        }
        const np = pair ? 2 : 1;
        activateInto(p.act, sums, 0, y, ((n * outH + oy) * outW + ox) * outC, np * outC);
        ox += np;
      }
    }
  }
  return y;
}
