import type { Conv2dParams } from '../backend.js';
import { activateInto } from './activation.js';
import { sameTaps, tapRanges } from './taps.js';

/**
 * Reference standard/grouped convolution, from the definition:
 *   y[n, oy, ox, o] = act(bias[o] + Σ_{i, j, ci} x[n, oy·sH − padTop + i·dH, ox·sW − padLeft + j·dW, g·Cg + ci]
 *                                        · w[i, j, ci, o])
 * with g = floor(o / (Cout/groups)), Cg = Cin/groups, ci < Cg, and x = 0 outside the input.
 * Input NHWC, filter HWIO [kH, kW, Cg, Cout].
 *
 * Every sum is float64 and is formed in the definition's order: start at the bias (or 0),
 * then add the products with i ascending, then j, then ci, skipping the taps that fall on
 * padding (see tapRanges). Each float32 × float32 product is exact in float64, so the
 * result is bit for bit that of the one-output-at-a-time loop.
 *
 * Loop order, for speed: for one output pixel and one group this is a small matrix
 * product (the pixel's in-bounds patch, taps × Cg, against the group's filter columns),
 * computed like pointwise.ts in register tiles of 4 horizontally adjacent pixels × 4
 * adjacent output channels of one group. Per (tap, ci) a tile loads 4 weights (contiguous
 * in o) and 4 inputs (one per pixel) and does 16 multiply-adds into local variables.
 * Four pixels share a tile only when they read the same taps (the interior of the row);
 * the others, near the left and right edges, go one at a time (`if (quad)` is fixed for
 * the whole tile). The valid taps come from tapRanges, worked out once per call. Channels
 * left over when (Cout/groups) % 4 ≠ 0 take the same loops with a 1-channel tile. The sums
 * of the pixel(s) in flight land in a scratch row, which the activation pass turns into
 * contiguous outputs.
 */
export function conv2dCpu(x: Float32Array, w: Float32Array, bias: Float32Array | null, p: Conv2dParams): Float32Array {
  const { batch, inH, inW, inChannels: C, outChannels: O, groups, kH, kW, outH, outW } = p;
  const { strideH: sH, strideW: sW, dilationH: dH, dilationW: dW } = p;
  const cg = C / groups;
  const og = O / groups;
  const y = new Float32Array(batch * outH * outW * O);
  const rowTaps = tapRanges(outH, inH, kH, sH, dH, p.pad.top);
  const colTaps = tapRanges(outW, inW, kW, sW, dW, p.pad.left);
  const sums = new Float64Array(4 * O); // [pixel in flight][output channel]
  const og4 = og - (og % 4);
  const step = sW * C; // input offset from output column ox's taps to ox + 1's
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
        const quad = sameTaps(colTaps, outW, ox, 4);
        const np = quad ? 4 : 1;
        for (let g = 0; g < groups; g++) {
          const xGroup = xImage + g * cg; // group g reads input channels g·Cg … g·Cg + Cg − 1
          const oFirst = g * og;
          for (let o = oFirst; o < oFirst + og4; o += 4) {
            const b0 = bias === null ? 0 : (bias[o] as number);
            const b1 = bias === null ? 0 : (bias[o + 1] as number);
            const b2 = bias === null ? 0 : (bias[o + 2] as number);
            const b3 = bias === null ? 0 : (bias[o + 3] as number);
            // s<pixel><channel>: pixel ox + pixel (1-3 for quads only), output channel o + channel.
            let s00 = b0, s01 = b1, s02 = b2, s03 = b3;
            let s10 = b0, s11 = b1, s12 = b2, s13 = b3;
            let s20 = b0, s21 = b1, s22 = b2, s23 = b3;
            let s30 = b0, s31 = b1, s32 = b2, s33 = b3;
            for (let i = i0; i < i1; i++) {
              const xRow = xGroup + (iyTap0 + i * dH) * inW * C;
              for (let j = j0; j < j1; j++) {
                const xa = xRow + (ixTap0 + j * dW) * C; // pixel ox's input pixel at tap (i, j)
                let wi = ((i * kW + j) * cg) * O + o; // w[i, j, 0, o]
                for (let ci = 0; ci < cg; ci++, wi += O) {
                  const w0 = w[wi] as number;
                  const w1 = w[wi + 1] as number;
                  const w2 = w[wi + 2] as number;
                  const w3 = w[wi + 3] as number;
                  let v = x[xa + ci] as number;
                  s00 += v * w0; s01 += v * w1; s02 += v * w2; s03 += v * w3;
                  if (quad) {
                    v = x[xa + step + ci] as number;
                    s10 += v * w0; s11 += v * w1; s12 += v * w2; s13 += v * w3;
                    v = x[xa + 2 * step + ci] as number;
                    s20 += v * w0; s21 += v * w1; s22 += v * w2; s23 += v * w3;
                    v = x[xa + 3 * step + ci] as number;
                    s30 += v * w0; s31 += v * w1; s32 += v * w2; s33 += v * w3;
                  }
                }
              }
            }
            sums[o] = s00; sums[o + 1] = s01; sums[o + 2] = s02; sums[o + 3] = s03;
            if (quad) {
              let si = O + o;
              sums[si] = s10; sums[si + 1] = s11; sums[si + 2] = s12; sums[si + 3] = s13;
              si += O;
              sums[si] = s20; sums[si + 1] = s21; sums[si + 2] = s22; sums[si + 3] = s23;
              si += O;
              sums[si] = s30; sums[si + 1] = s31; sums[si + 2] = s32; sums[si + 3] = s33;
            }
          }
          // The group's last og % 4 channels, one at a time: the same loops with a 1-channel tile.
          for (let o = oFirst + og4; o < oFirst + og; o++) {
            let s0 = bias === null ? 0 : (bias[o] as number);
            let s1 = s0, s2 = s0, s3 = s0;
            for (let i = i0; i < i1; i++) {
              const xRow = xGroup + (iyTap0 + i * dH) * inW * C;
              for (let j = j0; j < j1; j++) {
                const xa = xRow + (ixTap0 + j * dW) * C;
                let wi = ((i * kW + j) * cg) * O + o;
                for (let ci = 0; ci < cg; ci++, wi += O) {
                  const wv = w[wi] as number;
                  s0 += (x[xa + ci] as number) * wv;
                  if (quad) {
                    s1 += (x[xa + step + ci] as number) * wv;
                    s2 += (x[xa + 2 * step + ci] as number) * wv;
                    s3 += (x[xa + 3 * step + ci] as number) * wv;
                  }
                }
              }
            }
            sums[o] = s0;
            if (quad) {
              sums[O + o] = s1;
              sums[2 * O + o] = s2;
              sums[3 * O + o] = s3;
            }
          }
        }
        activateInto(p.act, sums, 0, y, ((n * outH + oy) * outW + ox) * O, np * O);
        ox += np;
      }
    }
  }
  return y;
}
