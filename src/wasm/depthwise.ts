// Depthwise convolution (channel multiplier 1, 2 or 4) in WebAssembly SIMD, NHWC, and
// max and average pooling on the same window walk: each output pixel walks its output
// channels 4 at a time (one f32x4) over every filter tap. Output channel o reads input
// channel o / M: with M = 1 the 4 inputs are one v128 load, with M = 2 two values each
// used twice (a 64-bit load and a shuffle), with M = 4 one value splat.
// Generated for one layer (sizes, window, stride, dilation, padding, epilogue):
// - two horizontally adjacent pixels whose windows both lie inside the input take the
//   pair body: each filter row's weights are loaded once for both, and each input column
//   once (the windows overlap where the stride is below the window: 6 column loads per
//   5×5 filter row instead of 10; 5×5 layers 1.5× faster, 3×3 ones 5%);
// - a lone pixel whose window lies inside takes the fast body, where each tap is a
//   constant byte offset from the window's top-left corner (a load's offset immediate)
//   and no tap is checked;
// - border pixels take a body that checks each tap.
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
    const acc1 = f.local(V128); // the second pixel of a pair
    const xv = f.local(V128); // one input column's 4 values (pair body)
    const wv = Array.from({ length: s.kW }, () => f.local(V128)); // one filter row's weights (pair body)
    const step = f.local(I32); // output pixels done by the body taken
    const zero = f.local(V128);
    const count = f.local(F32); // avg: cells inside the input so far (border body)

    const start = (a: Local) => {
      if (s.reduce === 'max') f.f32(-Infinity).f32x4Splat();
      else if (s.bias) f.get(b).get(c).add().v128Load(0);
      else f.get(zero);
      f.set(a);
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
    /** a = a ⊕ (the inputs: `from`, else the v128 on the stack) · the weights `weight()` pushes: a multiply-add, or the pooling's max or sum. */
    const combine = (a: Local, weight: () => void, from?: Local) => {
      if (from) f.get(from);
      if (s.reduce === 'max') f.get(a).f32x4Max();
      else if (s.reduce) f.get(a).f32x4Add();
      else {
        weight();
        f.f32x4Mul().get(a).f32x4Add();
      }
      f.set(a);
    };
    const tapWeights = (tap: number) => () => f.get(w).get(c).add().v128Load(tap * C4 * 16);
    const mac = (addr: () => void, offset: number, tap: number) => {
      addr();
      load(offset);
      combine(acc, tapWeights(tap));
      if (s.reduce === 'avg') f.get(count).f32(1).f32Add().set(count);
    };
    /** avg: a / the count of cells inside the input (kH·kW when the window is `inside`, or with the padding counted). */
    const average = (a: Local, inside: boolean) => {
      if (s.reduce !== 'avg' && s.reduce !== 'avgIncludePad') return;
      f.get(a);
      if (inside || s.reduce === 'avgIncludePad') f.f32(s.kH * s.kW);
      else f.get(count);
      f.f32x4Splat().f32x4Div().set(a);
    };
    const finish = (a: Local, at: Local, offset = 0) => {
      if (s.activation !== 'linear') {
        f.get(a).get(zero).f32x4Max();
        if (s.activation === 'relu6') f.f32(6).f32x4Splat().f32x4Min();
        f.set(a);
      }
      storeChannels(f, OC, C4, at, c, a, offset);
    };
    const channelLoop = (body: () => void) =>
      f.for(c, 0, C4 * 16, 16, () => {
        f.get(c).i32(shift).shrU().set(ci);
        body();
      });
    const fastBase = () => f.get(n).i32(s.H).mul().get(iy0).add().i32(s.W).mul().get(ix0).add().i32(pixelBytes).mul().get(x).add().set(base);
    /** Byte offset of filter row i's input column `col` (in input pixels from the window's left) from the top-left tap. */
    const offsetOf = (i: number, col: number) => (i * s.dilationH * s.W + col) * pixelBytes;
    // Two horizontally adjacent pixels whose windows are both inside share each filter row's
    // weights (loaded once) and, where the windows overlap (stride < window), input columns.
    const pairs = oxHi - oxLo >= 2;
    const columns = Array.from(new Set([...Array.from({ length: s.kW }, (_, j) => j * s.dilationW), ...Array.from({ length: s.kW }, (_, j) => j * s.dilationW + s.strideW)])).sort((p, q) => p - q);

    f.for(row, row0, row1, 1, () => {
      f.get(row).i32(s.outH).divU().set(n);
      f.get(row).get(n).i32(s.outH).mul().sub().set(oy);
      f.get(oy).i32(s.strideH).mul().i32(s.padTop).sub().set(iy0);
      f.i32(0).set(ox);
      f.block(() =>
        f.loop(() => {
          f.get(ox).i32(s.outW).geU().brIf(1);
          f.get(ox).i32(s.strideW).mul().i32(s.padLeft).sub().set(ix0);
          f.get(row).i32(s.outW).mul().get(ox).add().i32(outPixelBytes).mul().get(y).add().set(out);
          f.i32(1).set(step);
          f.block(() => {
            if (pairs) {
              f.block(() => {
                // A pair: oyLo ≤ oy < oyHi and oxLo ≤ ox < oxHi − 1 (unsigned compares of the shifted index).
                f.get(oy).i32(oyLo).sub().i32(oyHi - oyLo).ltU();
                f.get(ox).i32(oxLo).sub().i32(oxHi - oxLo - 1).ltU();
                f.and().eqz().brIf(0);
                fastBase();
                channelLoop(() => {
                  start(acc);
                  start(acc1);
                  for (let i = 0; i < s.kH; i++) {
                    if (!s.reduce) for (let j = 0; j < s.kW; j++) tapWeights(i * s.kW + j)().set(wv[j] as Local);
                    for (const col of columns) {
                      f.get(base).get(ci).add();
                      load(offsetOf(i, col));
                      f.set(xv);
                      const j0 = col / s.dilationW;
                      const j1 = (col - s.strideW) / s.dilationW;
                      // Column col is tap j0 of the first pixel and tap j1 of the second (where they are taps).
                      if (Number.isInteger(j0) && j0 < s.kW) combine(acc, () => f.get(wv[j0] as Local), xv);
                      if (Number.isInteger(j1) && j1 >= 0 && j1 < s.kW) combine(acc1, () => f.get(wv[j1] as Local), xv);
                    }
                  }
                  average(acc, true);
                  average(acc1, true);
                  finish(acc, out);
                  finish(acc1, out, outPixelBytes);
                });
                f.i32(2).set(step);
                f.br(1);
              });
            }
            f.block(() => {
              // Inside: oyLo ≤ oy < oyHi and oxLo ≤ ox < oxHi.
              f.get(oy).i32(oyLo).sub().i32(oyHi - oyLo).ltU();
              f.get(ox).i32(oxLo).sub().i32(oxHi - oxLo).ltU();
              f.and().eqz().brIf(0);
              // Fast body: every tap inside, each a constant offset from the top-left one.
              fastBase();
              channelLoop(() => {
                start(acc);
                for (let i = 0; i < s.kH; i++) {
                  for (let j = 0; j < s.kW; j++) mac(() => f.get(base).get(ci).add(), offsetOf(i, j * s.dilationW), i * s.kW + j);
                }
                average(acc, true);
                finish(acc, out);
              });
              f.br(1);
            });
            // Border body: each tap checked.
            channelLoop(() => {
              start(acc);
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
              average(acc, false);
              finish(acc, out);
            });
          });
          f.get(ox).get(step).add().set(ox);
          f.br(0);
        }),
      );
    });
  });
  return m.bytes();
}

/** Stores acc at out + c + offset: a whole v128, or the first C mod 4 lanes in the last group. */
function storeChannels(f: FunctionBuilder, C: number, C4: number, out: Local, c: Local, acc: Local, offset = 0): void {
  const tail = C % 4;
  if (tail === 0) {
    f.get(out).get(c).add().get(acc).v128Store(offset);
    return;
  }
  // Every group but the last is whole.
  f.block(() => {
    f.block(() => {
      f.get(c).i32((C4 - 1) * 16).ltU().eqz().brIf(0);
      f.get(out).get(c).add().get(acc).v128Store(offset);
      f.br(1);
    });
    for (let l = 0; l < tail; l++) f.get(out).get(c).add().get(acc).f32x4ExtractLane(l).f32Store(offset + l * 4);
  });
}
