// Depthwise convolution (channel multiplier 1, 2 or 4) in WebAssembly SIMD, NHWC:
// each output pixel walks its output channels 4 at a time (one f32x4) over every
// filter tap. Output channel o reads input channel o / M: with M = 1 the 4 inputs
// are one v128 load, with M = 2 two values each used twice (a 64-bit load and a
// shuffle), with M = 4 one value splat.
// Generated for one layer (sizes, window, stride, dilation, padding, epilogue): a
// pixel whose whole window lies inside the input takes the fast body, where each
// tap is a constant byte offset from the window's top-left corner (a load's offset
// immediate) and no tap is checked; border pixels take a body that checks each tap.
// Weights are packed per tap with the output channels padded to a multiple of 4
// ([tap][C4·4], zero past C·M), so a tap's 4 weights are one aligned v128 load.

import { F32, I32, ModuleBuilder, V128, type FunctionBuilder, type Local, type MemoryImport } from './emit.js';
import type { FusedActivation } from './pointwise.js';

/** What one generated depthwise kernel is specialised on (output size and padding included). */
export interface DepthwiseKernelSpec {
  H: number;
  W: number;
  /** Input channels. */
  C: number;
  /** Channel multiplier: 1, 2 or 4 (output channels C·M). */
  M: 1 | 2 | 4;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  outH: number;
  outW: number;
  padTop: number;
  padLeft: number;
  activation: FusedActivation;
  bias: boolean;
  /**
   * Pooling instead (no weights, M = 1): the window's max (NaN propagates, −∞ for a window
   * all padding), or its f32 sum divided by the count of cells inside the input, or by
   * kH·kW (`avgIncludePad`: padding counts as zeros). Absent: the depthwise multiply-add.
   */
  reduce?: 'max' | 'avg' | 'avgIncludePad';
}

/**
 * Filter [kH, kW, C, M] packed as [tap][ceil(C·M / 4) · 4] (zero past C·M; pass c = C·M,
 * as per tap the filter is C·M output channels in order); the bias [C·M] padded the same way.
 */
export function packDepthwiseWeights(w: Float32Array, kH: number, kW: number, c: number, bias: Float32Array | null): { weights: Float32Array; bias: Float32Array | null } {
  const cp = Math.ceil(c / 4) * 4;
  const packed = new Float32Array(kH * kW * cp);
  for (let t = 0; t < kH * kW; t++) packed.set(w.subarray(t * c, t * c + c), t * cp);
  let b: Float32Array | null = null;
  if (bias) {
    b = new Float32Array(cp);
    b.set(bias.subarray(0, c));
  }
  return { weights: packed, bias: b };
}

/** First and one-past-last output index whose window (k taps, `dil` apart) lies inside [0, size). */
function interior(out: number, size: number, k: number, stride: number, dil: number, pad: number): [number, number] {
  const lo = Math.min(out, Math.ceil(pad / stride));
  const hi = Math.max(lo, Math.min(out, Math.floor((size - 1 + pad - (k - 1) * dil) / stride) + 1));
  return [lo, hi];
}

/**
 * A module exporting `run(x, w, b, y, row0, row1)`: byte addresses of x [batch, H, W, C],
 * the packed weights and bias, and y [batch·outH, outW, C·M]; the output rows
 * row0 ≤ n·outH + oy < row1 to compute. A caller can so split the rows (threads), or
 * write a band of them into a scratch buffer (separable: y = scratch − row0's offset, as
 * i32 arithmetic wraps, the addresses land in the scratch).
 */
export function emitDepthwise(s: DepthwiseKernelSpec, memory?: MemoryImport): Uint8Array {
  const OC = s.C * s.M;
  const C4 = Math.ceil(OC / 4);
  const pixelBytes = s.C * 4; // of the input
  const outPixelBytes = OC * 4;
  const shift = Math.log2(s.M);
  const [oyLo, oyHi] = interior(s.outH, s.H, s.kH, s.strideH, s.dilationH, s.padTop);
  const [oxLo, oxHi] = interior(s.outW, s.W, s.kW, s.strideW, s.dilationW, s.padLeft);
  const m = new ModuleBuilder(memory);
  m.func('run', 6, (f) => {
    const [x, w, b, y, row0, row1] = [0, 1, 2, 3, 4, 5].map((i) => f.param(i)) as [Local, Local, Local, Local, Local, Local];
    const row = f.local(I32);
    const n = f.local(I32);
    const oy = f.local(I32);
    const ox = f.local(I32);
    const c = f.local(I32); // byte offset of the output channel group: 16 · c4
    const ci = f.local(I32); // byte offset of its first input channel: c / M
    const iy0 = f.local(I32); // top-left tap's input row and column (may be outside)
    const ix0 = f.local(I32);
    const base = f.local(I32); // byte address of the top-left tap's pixel (fast body)
    const out = f.local(I32); // byte address of the output pixel
    const acc = f.local(V128);
    const zero = f.local(V128);

    const count = f.local(F32); // avg: cells inside the input so far (border body)
    const start = () => {
      if (s.reduce === 'max') f.f32(-Infinity).f32x4Splat();
      else if (s.bias) f.get(b).get(c).add().v128Load(0);
      else f.get(zero);
      f.set(acc);
      if (s.reduce === 'avg') f.f32(0).set(count);
    };
    /** The 4 inputs of the group at the address on the stack (+ offset), as the output channels read them. */
    const load = (offset: number) => {
      if (s.M === 1) f.v128Load(offset);
      else if (s.M === 4) f.v128Load32Splat(offset);
      else {
        // [a, b, a, b] → [a, a, b, b]
        f.v128Load64Splat(offset);
        f.get(zero);
        f.i8x16Shuffle([0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7]);
      }
    };
    const mac = (addr: () => void, offset: number, tap: number) => {
      addr();
      load(offset);
      if (s.reduce === 'max') f.get(acc).f32x4Max();
      else if (s.reduce) f.get(acc).f32x4Add();
      else f.get(w).get(c).add().v128Load(tap * C4 * 16).f32x4Mul().get(acc).f32x4Add();
      f.set(acc);
      if (s.reduce === 'avg') f.get(count).f32(1).f32Add().set(count);
    };
    /** avg: acc / the count of cells inside the input (or kH·kW with the padding counted). */
    const average = () => {
      if (s.reduce !== 'avg' && s.reduce !== 'avgIncludePad') return;
      f.get(acc);
      if (s.reduce === 'avgIncludePad') f.f32(s.kH * s.kW);
      else f.get(count);
      f.f32x4Splat().f32x4Div().set(acc);
    };
    const finish = () => {
      if (s.activation !== 'linear') {
        f.get(acc).get(zero).f32x4Max();
        if (s.activation === 'relu6') f.f32(6).f32x4Splat().f32x4Min();
        f.set(acc);
      }
      storeChannels(f, OC, C4, out, c, acc);
    };
    const channelLoop = (body: () => void) =>
      f.for(c, 0, C4 * 16, 16, () => {
        f.get(c).i32(shift).shrU().set(ci);
        body();
      });

    f.for(row, row0, row1, 1, () => {
      f.get(row).i32(s.outH).divU().set(n);
      f.get(row).get(n).i32(s.outH).mul().sub().set(oy);
      f.get(oy).i32(s.strideH).mul().i32(s.padTop).sub().set(iy0);
      f.for(ox, 0, s.outW, 1, () => {
        f.get(ox).i32(s.strideW).mul().i32(s.padLeft).sub().set(ix0);
        f.get(row).i32(s.outW).mul().get(ox).add().i32(outPixelBytes).mul().get(y).add().set(out);
        f.block(() => {
          f.block(() => {
            // Inside: oyLo ≤ oy < oyHi and oxLo ≤ ox < oxHi (unsigned compare of the shifted index).
            f.get(oy).i32(oyLo).sub().i32(oyHi - oyLo).ltU();
            f.get(ox).i32(oxLo).sub().i32(oxHi - oxLo).ltU();
            f.and().eqz().brIf(0);
            // Fast body: every tap inside.
            f.get(n).i32(s.H).mul().get(iy0).add().i32(s.W).mul().get(ix0).add().i32(pixelBytes).mul().get(x).add().set(base);
            channelLoop(() => {
              start();
              for (let i = 0; i < s.kH; i++) {
                for (let j = 0; j < s.kW; j++) {
                  mac(() => f.get(base).get(ci).add(), (i * s.dilationH * s.W + j * s.dilationW) * pixelBytes, i * s.kW + j);
                }
              }
              average();
              finish();
            });
            f.br(1);
          });
          // Border body: each tap checked.
          channelLoop(() => {
            start();
            for (let i = 0; i < s.kH; i++) {
              for (let j = 0; j < s.kW; j++) {
                const iy = () => f.get(iy0).i32(i * s.dilationH).add();
                const ix = () => f.get(ix0).i32(j * s.dilationW).add();
                // 0 ≤ iy < H and 0 ≤ ix < W, as unsigned compares (a negative index is huge).
                iy().i32(s.H).ltU();
                ix().i32(s.W).ltU();
                f.and().if(() => {
                  mac(() => {
                    f.get(n).i32(s.H).mul();
                    iy().add().i32(s.W).mul();
                    ix().add().i32(pixelBytes).mul().get(x).add().get(ci).add();
                  }, 0, i * s.kW + j);
                });
              }
            }
            average();
            finish();
          });
        });
      });
    });
  });
  return m.bytes();
}

/** Stores acc at out + c: a whole v128, or the first C mod 4 lanes in the last group. */
function storeChannels(f: FunctionBuilder, C: number, C4: number, out: Local, c: Local, acc: Local): void {
  const tail = C % 4;
  if (tail === 0) {
    f.get(out).get(c).add().get(acc).v128Store(0);
    return;
  }
  // Every group but the last is whole.
  f.block(() => {
    f.block(() => {
      f.get(c).i32((C4 - 1) * 16).ltU().eqz().brIf(0);
      f.get(out).get(c).add().get(acc).v128Store(0);
      f.br(1);
    });
    for (let l = 0; l < tail; l++) f.get(out).get(c).add().get(acc).f32x4ExtractLane(l).f32Store(l * 4);
  });
}
