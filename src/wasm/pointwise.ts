// The 1×1 convolution as a GEMM in WebAssembly SIMD, shaped like XNNPACK's f32-gemm
// microkernels: y[M, N] = x[M, K] · w[K, N] (+ bias, + residual, activation), over
// register tiles of 4 rows × 8 output channels (two f32x4 per row, 8 accumulators),
// weights packed in panels of 8 output channels ([k][8], zero past N) so each step
// of k loads the panel's 8 weights with two v128 loads and splats one x value per row.
// Generated for one (K, N, epilogue): K's loop bound, the panels, the tail panel's
// lane stores and the clamp are constants of the code.
// The same kernel runs a standard convolution as an implicit GEMM (conv2d.ts): row q is
// output pixel q and its K = taps · C values are read in place from the input, tap by
// tap (each tap a constant byte offset from the window's top-left pixel), so there is
// no im2col buffer; the filter [kH, kW, C, N] is already [K, N].

import type { Activation } from '../activation.js';
import { F32, FunctionBuilder, I32, ModuleBuilder, V128, type Local, type MemoryImport } from './emit.js';

/** Register tile: rows per block and output channels per panel. */
export const MR = 4;
export const NR = 8;

/** Activations fused into the kernel; the others run as a pass over the output after it. */
export type FusedActivation = Extract<Activation, 'linear' | 'relu' | 'relu6'>;

export function isFusedActivation(a: Activation): a is FusedActivation {
  return a === 'linear' || a === 'relu' || a === 'relu6';
}

/**
 * Where a row's K values are read from in an implicit GEMM: output pixel q = (n, oy, ox)
 * of a convolution over an input [batch, H, W, C] with no padding left to apply (the
 * caller pads), K = taps · C in the filter's order (tap by tap, then channel).
 */
export interface GemmWindow {
  /** Input rows and columns (after padding). */
  H: number;
  W: number;
  C: number;
  outH: number;
  outW: number;
  strideH: number;
  strideW: number;
  /** Byte offset of each tap's pixel from the window's top-left one, in the filter's tap order. */
  taps: readonly number[];
}

/** What one generated GEMM is specialised on. */
export interface PointwiseKernelSpec {
  K: number;
  N: number;
  activation: FusedActivation;
  bias: boolean;
  residual: boolean;
  /** Rows are convolution windows (K = taps · C); absent: row q is x + q·K·4 bytes. */
  window?: GemmWindow;
}

/** A K up to this is unrolled whole in a window GEMM (the stem's 3·3·3 = 27). */
const UNROLL_K = 64;

/**
 * Loop order: panels outside the row blocks when the packed weights outgrow a 32 KiB L1
 * (the late, narrow and deep layers: each panel is then read from L2 once, not once
 * per row block); row blocks outside otherwise.
 */
export function panelsOuter(k: number, n: number): boolean {
  return panels(n) * k * NR * 4 > 32 * 1024;
}

/** Panels of 8 output channels: the packed weights hold ceil(N / 8) · K · 8 floats. */
export function panels(n: number): number {
  return Math.ceil(n / NR);
}

/**
 * Weights [K, N] (row-major) packed in panels: panel p holds, for each k, the 8
 * weights w[k][8p … 8p + 7] (zero past N). With a bias [N], it is appended as
 * ceil(N / 8) · 8 floats (zero past N).
 */
export function packPointwiseWeights(w: Float32Array, k: number, n: number, bias: Float32Array | null): { weights: Float32Array; bias: Float32Array | null } {
  const P = panels(n);
  const packed = new Float32Array(P * k * NR);
  for (let p = 0; p < P; p++) {
    const cols = Math.min(NR, n - p * NR);
    for (let kk = 0; kk < k; kk++) {
      const to = (p * k + kk) * NR;
      const from = kk * n + p * NR;
      for (let j = 0; j < cols; j++) packed[to + j] = w[from + j] as number;
    }
  }
  let b: Float32Array | null = null;
  if (bias) {
    b = new Float32Array(P * NR);
    b.set(bias.subarray(0, n));
  }
  return { weights: packed, bias: b };
}

/**
 * A module exporting `run(x, w, b, r, y, m0, m1)`: byte addresses of x [M, K] (or the
 * window's input), the packed weights, the packed bias, the residual [M, N] and y [M, N]
 * (b and r ignored when the spec has none), and the rows m0 ≤ q < m1 to compute.
 */
export function emitPointwise(spec: PointwiseKernelSpec, memory?: MemoryImport): Uint8Array {
  const { K, N, window: win } = spec;
  if (!(K >= 1 && N >= 1)) throw new Error(`wasm pointwise: K = ${K}, N = ${N}`);
  if (win && win.taps.length * win.C !== K) throw new Error(`wasm pointwise: K = ${K} is not ${win.taps.length} taps × ${win.C} channels`);
  const m = new ModuleBuilder(memory);
  m.func('run', 7, (f) => {
    const [x, w, b, r, y, m0, M] = [0, 1, 2, 3, 4, 5, 6].map((i) => f.param(i)) as [Local, Local, Local, Local, Local, Local, Local];
    const r0 = f.local(I32);
    const last = f.local(I32);
    const rows = Array.from({ length: MR }, () => f.local(I32)); // byte address of x row r0 + i (clamped to M − 1)
    const outRow = f.local(I32); // byte offset of the y row being stored (made at the store: fewer live registers in the loop)
    const p = f.local(I32);
    const wp = f.local(I32);
    const ptrs = Array.from({ length: MR }, () => f.local(I32)); // running x addresses of the rows within a reduction
    const end = f.local(I32); // wp where the unrolled loop stops
    const xs = f.local(V128); // one row's x value, splat
    const w0 = f.local(V128);
    const w1 = f.local(V128);
    const acc = Array.from({ length: MR * 2 }, () => f.local(V128));
    const zero = f.local(V128); // stays 0: wasm zero-initialises locals

    f.get(M).i32(1).sub().set(last);
    const row = f.local(I32);
    const t = f.local(I32);
    /** The byte address of row `row`'s first value: x + row·K·4, or its window's top-left pixel. */
    const rowAddress = (dst: Local) => {
      if (!win) {
        f.get(row).i32(K * 4).mul().get(x).add().set(dst);
        return;
      }
      // row = (n·outH + oy)·outW + ox → x + ((n·H + oy·sH)·W + ox·sW)·C·4
      f.get(row).i32(win.outW).divU().set(t); // n·outH + oy
      f.get(row).get(t).i32(win.outW).mul().sub().i32(win.strideW * win.C * 4).mul(); // ox·sW·C·4
      f.get(t).i32(win.outH).divU().i32(win.H).mul(); // n·H
      f.get(t).get(t).i32(win.outH).divU().i32(win.outH).mul().sub().i32(win.strideH).mul(); // oy·sH
      f.add().i32(win.W * win.C * 4).mul().add().get(x).add().set(dst);
    };
    /** The row block at r0: its x row addresses (rows past M re-read the last row) and y row offsets. */
    const rowSetup = () => {
      for (let i = 0; i < MR; i++) {
        f.get(r0).i32(i).add().set(row);
        f.get(row).get(last).ltU().eqz().if(() => void f.get(last).set(row));
        rowAddress(rows[i] as Local);
      }
    };
    /** One step of k: the panel's 8 weights at wp + wOffset, each row's x (splat once, used twice) at its address (`ptr`, else `rows`) + xOffset. */
    const step = (xOffset: number, wOffset: number, ptr = rows) => {
      f.get(wp).v128Load(wOffset).set(w0);
      f.get(wp).v128Load(wOffset + 16).set(w1);
      for (let i = 0; i < MR; i++) {
        f.get(ptr[i] as Local).v128Load32Splat(xOffset).set(xs);
        f.get(xs).get(w0).f32x4Mul().get(acc[i * 2] as Local).f32x4Add().set(acc[i * 2] as Local);
        f.get(xs).get(w1).f32x4Mul().get(acc[i * 2 + 1] as Local).f32x4Add().set(acc[i * 2 + 1] as Local);
      }
    };
    const bump = (l: Local, bytes: number) => f.get(l).i32(bytes).add().set(l);
    /**
     * acc += `n` values of each row from its address + tap on · the panel rows at wp: 4 steps
     * per loop turn, through row pointers that advance with wp (the offsets within a turn are
     * load immediates: no address arithmetic per load), then the n mod 4 left.
     */
    const steps = (n: number, tap: number) => {
      const n4 = n - (n % 4);
      if (n4 === 0) {
        // No loop: the row addresses with immediates (running pointers would only add live registers).
        for (let u = 0; u < n; u++) step(tap + u * 4, u * NR * 4);
        bump(wp, n * NR * 4);
        return;
      }
      for (let i = 0; i < MR; i++) f.get(rows[i] as Local).i32(tap).add().set(ptrs[i] as Local);
      f.get(wp).i32(n4 * NR * 4).add().set(end);
      f.loop(() => {
        for (let u = 0; u < 4; u++) step(u * 4, u * NR * 4, ptrs);
        for (let i = 0; i < MR; i++) bump(ptrs[i] as Local, 16);
        bump(wp, 4 * NR * 4);
        f.get(wp).get(end).ltU().brIf(0);
      });
      for (let u = 0; u < n % 4; u++) step(u * 4, u * NR * 4, ptrs);
      if (n % 4) bump(wp, (n % 4) * NR * 4);
    };
    /** acc += the row block's K values · the panel at wp. */
    const reduce = () => {
      if (!win) {
        steps(K, 0);
      } else if (K <= UNROLL_K) {
        win.taps.forEach((tap, ti) => {
          for (let c = 0; c < win.C; c++) step(tap + c * 4, (ti * win.C + c) * NR * 4);
        });
      } else {
        for (const tap of win.taps) steps(win.C, tap);
      }
    };
    const panel = (tail: number) => {
      // tail = 0: a full panel of 8 columns; else its first `tail` columns only.
      for (let i = 0; i < MR; i++) {
        for (let h = 0; h < 2; h++) {
          if (spec.bias) f.get(b).get(p).i32(NR * 4).mul().add().v128Load(h * 16);
          else f.get(zero);
          f.set(acc[i * 2 + h] as Local);
        }
      }
      f.get(p).i32(K * NR * 4).mul().get(w).add().set(wp);
      reduce();
      for (let i = 0; i < MR; i++) {
        const store = () => {
          f.get(r0).i32(i).add().i32(N * 4).mul().set(outRow);
          emitRowStore(f, spec, acc[i * 2] as Local, acc[i * 2 + 1] as Local, y, r, outRow, p, zero, tail);
        };
        // Row 0 of a block always exists; the others only before M.
        if (i === 0) store();
        else f.get(r0).i32(i).add().get(M).ltU().if(store);
      }
    };

    const full = Math.floor(N / NR);
    const tail = N % NR;
    if (panelsOuter(K, N)) {
      // Each weight panel stays in L1 while every row block passes over it.
      if (full > 0) f.for(p, 0, full, 1, () => f.for(r0, m0, M, MR, () => (rowSetup(), panel(0))));
      if (tail !== 0) {
        f.i32(full).set(p);
        f.for(r0, m0, M, MR, () => (rowSetup(), panel(tail)));
      }
    } else {
      // Each row block stays in L1 while every panel passes over it.
      f.for(r0, m0, M, MR, () => {
        rowSetup();
        if (full > 0) f.for(p, 0, full, 1, () => panel(0));
        if (tail !== 0) {
          f.i32(full).set(p);
          panel(tail);
        }
      });
    }
  });
  return m.bytes();
}

/** Epilogue and store of one row's two accumulators (8 columns, or the first `tail`). */
function emitRowStore(f: FunctionBuilder, spec: PointwiseKernelSpec, a0: Local, a1: Local, y: Local, r: Local, rowOffset: Local, p: Local, zero: Local, tail: number): void {
  const addr = (base: Local) => f.get(base).get(rowOffset).add().get(p).i32(NR * 4).mul().add();
  for (const [h, a] of [[0, a0], [1, a1]] as const) {
    const lanes = tail === 0 ? 4 : Math.max(0, Math.min(4, tail - h * 4));
    if (lanes === 0) continue;
    if (spec.residual) {
      if (lanes === 4) addr(r).v128Load(h * 16).get(a).f32x4Add().set(a);
      // Lane by lane: a v128 load could read past the residual's end.
      else emitPartialResidual(f, a, r, rowOffset, p, h, lanes);
    }
    if (spec.activation !== 'linear') {
      f.get(a).get(zero).f32x4Max();
      if (spec.activation === 'relu6') f.f32(6).f32x4Splat().f32x4Min();
      f.set(a);
    }
    if (lanes === 4) {
      addr(y).get(a).v128Store(h * 16);
    } else {
      for (let l = 0; l < lanes; l++) addr(y).get(a).f32x4ExtractLane(l).f32Store(h * 16 + l * 4);
    }
  }
}

/** a += residual's first `lanes` values of the half `h` (scalar loads, then a v128 rebuilt lane by lane). */
function emitPartialResidual(f: FunctionBuilder, a: Local, r: Local, rowOffset: Local, p: Local, h: number, lanes: number): void {
  const addr = () => f.get(r).get(rowOffset).add().get(p).i32(NR * 4).mul().add();
  const s = f.local(F32);
  for (let l = 0; l < lanes; l++) {
    // a[l] = residual[l] + a[l]
    addr().f32Load(h * 16 + l * 4).get(a).f32x4ExtractLane(l).f32Add().set(s);
    f.get(a).get(s).f32x4ReplaceLane(l).set(a);
  }
}
