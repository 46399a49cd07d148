// The WebAssembly SIMD backend (issue 15). Tensors live in the module's memory
// (runtime.ts: one WebAssembly.Memory, a first-fit allocator), so the kernels read
// their inputs and write their outputs in place and freed blocks are reused: a new
// Float32Array per op costs more than the op here (fresh pages). The ops that carry a
// network's time run on generated SIMD kernels: the 1×1 convolution (pointwise.ts, an
// XNNPACK-shaped GEMM), the standard convolution (the same GEMM over convolution
// windows, read in place from a zero-padded copy of the input), the depthwise
// convolution with channel multiplier 1, 2 or 4 (depthwise.ts), and the separable
// convolution as the two fused by row bands (the depthwise output of a few rows, kept in
// cache, feeds the GEMM). Every other op runs the reference's code on views of the
// memory, its result copied in. A planned output (`extras.out`, the models' memory
// plan) is written in place, as on the GPU.

import type { Backend, Conv2dParams, DepthwiseConv2dParams, OpExtras, PermuteParams, PointwiseConv2dParams, PoolParams, Storage } from '../backend.js';
import type { BinaryParams, ConcatParams, PadParams, PixelsParams, Pool2dParams, SeparableConv2dParams, SeparableWeights, SoftmaxParams, UnaryParams } from '../backend.js';
import { copyOf } from '../cpu/backend.js';
import { cpuActivation } from '../cpu/activation.js';
import { concatCpu } from '../cpu/concat.js';
import { conv2dCpu } from '../cpu/conv2d.js';
import { depthwiseConv2dCpu } from '../cpu/depthwise.js';
import { binaryCpu, unaryCpu } from '../cpu/elementwise.js';
import { padCpu } from '../cpu/pad.js';
import { permuteCpu } from '../cpu/permute.js';
import { pixelsCpu } from '../cpu/pixels.js';
import { pointwiseConv2dCpu } from '../cpu/pointwise.js';
import { globalAveragePoolCpu, softmaxCpu } from '../cpu/pool.js';
import { separableSteps, separableUnfused } from '../ops.js';
import type { ConvGeometry } from '../shape.js';
import type { ActivationSpec } from '../activation.js';
import { emitDepthwise, packDepthwiseWeights, type DepthwiseKernelSpec } from './depthwise.js';
import { emitPointwise, isFusedActivation, MR, packPointwiseWeights, type GemmWindow } from './pointwise.js';
import { availableThreads, ThreadPool } from './pool.js';
import { KernelCache, WasmHeap, type Block, type Kernel } from './runtime.js';

/** A tensor's values: `length` f32 at `block` of the heap; `owned` blocks are freed on release. */
class WasmStorage {
  constructor(
    public block: Block | null,
    readonly length: number,
    readonly owned: boolean,
  ) {}
}

function storage(s: Storage): WasmStorage {
  return s as WasmStorage;
}

/** A separable convolution's band of depthwise output rows: about this many bytes (L2-resident here). */
const SEPARABLE_BAND_BYTES = 64 * 1024;

/** Work (multiply-adds) below which an op runs on the calling thread alone: waking the pool costs tens of µs. */
const PARALLEL_WORK = 1 << 18;

export class WasmBackend implements Backend {
  readonly kind = 'wasm' as const;
  readonly maxTensorBytes = 2 ** 31;
  private readonly kernels: KernelCache;
  private pool: ThreadPool | null = null;

  private constructor(private readonly heap: WasmHeap) {
    this.kernels = new KernelCache(heap);
  }

  /**
   * A backend running on `threads` threads (the caller and a pool of workers over a shared
   * memory) where that is available here, else on one; `why` says why not.
   */
  static async create(threads: number): Promise<{ backend: WasmBackend; why: string }> {
    const { max, why } = threads > 1 ? await availableThreads() : { max: 1, why: '' };
    const n = Math.min(threads, Math.max(max, 1));
    const backend = new WasmBackend(new WasmHeap(n > 1));
    backend.pool = await ThreadPool.create(backend.heap, n);
    return { backend, why: n < threads ? why : '' };
  }

  /** Threads the kernels run on. */
  get threads(): number {
    return this.pool?.threads ?? 1;
  }

  /** Tests only: the pool's workers do every chunk of a split op (see ThreadPool.callerWorks). */
  leaveChunksToWorkers(): void {
    if (this.pool) this.pool.callerWorks = false;
  }

  /** `kernel.run(...args, lo', hi')` over the rows [lo, hi): split across the pool when `work` is worth it. */
  private rows(kernel: Kernel, args: readonly number[], lo: number, hi: number, work: number, grain = 1): void {
    if (this.pool && work >= PARALLEL_WORK && hi - lo > grain) this.pool.rows(kernel, args, lo, hi, grain);
    else kernel.run(...args, lo, hi);
  }

  /** Frees the block of a tensor dropped without release() (e.g. a model's unplanned intermediates). */
  private readonly orphans = new FinalizationRegistry<Block>((b) => this.heap.release(b));
  /**
   * Weights packed for a kernel, kept in the heap with the filter they came from (by
   * kernel layout, then bias storage): a model's weights are packed once, not per call.
   * Storages are immutable, so a storage object always holds the same values.
   */
  private readonly packs = new WeakMap<WasmStorage, Map<string, Map<Storage | null, { weights: Block; bias: Block | null }>>>();

  // ---- memory --------------------------------------------------------------------

  /** A new owned storage of `length` values (contents undefined). */
  private fresh(length: number): WasmStorage {
    const s = new WasmStorage(this.heap.alloc(length * 4), length, true);
    this.orphans.register(s, s.block as Block, s);
    return s;
  }

  /** Where an op's `length` outputs go: the planned buffer when there is one and it fits, else a fresh storage. */
  private output(length: number, extras?: OpExtras): WasmStorage {
    const out = extras?.out ? storage(extras.out) : null;
    if (out?.block && out.length >= length) return new WasmStorage(out.block, length, false);
    return this.fresh(length);
  }

  /** A view of `s`'s values: valid until the next allocation (the memory may grow). */
  private view(s: Storage): Float32Array {
    const w = storage(s);
    if (!w.block) throw new Error('sepconv wasm backend: a released tensor was used');
    return this.heap.f32(w.block, w.length);
  }

  /** The result of a reference op, copied into the heap (into the planned buffer when given). */
  private put(values: Float32Array, extras?: OpExtras): Storage {
    const s = this.output(values.length, extras);
    this.heap.f32(s.block as Block, values.length).set(values);
    return s;
  }

  upload(values: Float32Array): Storage {
    return this.put(values);
  }

  allocate(elements: number): Storage {
    const s = this.fresh(elements);
    this.view(s).fill(0);
    return s;
  }

  async read(s: Storage): Promise<Float32Array> {
    return copyOf(this.view(s));
  }

  release(s: Storage): void {
    const w = storage(s);
    // Its own block and its packed weights' (which even a borrowed storage may have) are freed here, not by the registry.
    this.orphans.unregister(w);
    if (w.owned && w.block) this.heap.release(w.block);
    w.block = null;
    for (const byBias of this.packs.get(w)?.values() ?? []) {
      for (const p of byBias.values()) for (const b of [p.weights, p.bias]) if (b) this.heap.release(b);
    }
    this.packs.delete(w);
  }

  /** The packed weights of `filter` (and `bias`) for the kernel layout `layout`, packed by `pack` on first use. */
  private packed(filter: Storage, bias: Storage | null, layout: string, pack: () => { weights: Float32Array; bias: Float32Array | null }): { weights: Block; bias: Block | null } {
    const f = storage(filter);
    let byLayout = this.packs.get(f);
    if (!byLayout) this.packs.set(f, (byLayout = new Map()));
    let byBias = byLayout.get(layout);
    if (!byBias) byLayout.set(layout, (byBias = new Map()));
    let p = byBias.get(bias);
    if (!p) {
      const values = pack();
      p = { weights: this.temp(values.weights), bias: values.bias ? this.temp(values.bias) : null };
      // Freed with the filter (release), or when the filter is collected unreleased.
      for (const b of [p.weights, p.bias]) if (b) this.orphans.register(f, b, f);
      byBias.set(bias, p);
    }
    return p;
  }

  destroy(): void {
    this.pool?.destroy();
    this.pool = null;
  }

  atomically<T>(fn: () => T): T {
    return fn();
  }

  async profile(steps: readonly (() => void)[]): Promise<{ ms: number[]; method: 'wall clock' }> {
    return {
      ms: steps.map((step) => {
        const t0 = performance.now();
        step();
        return performance.now() - t0;
      }),
      method: 'wall clock',
    };
  }

  // ---- the SIMD kernels -------------------------------------------------------------

  /** `values` copied into a new block (not a tensor: its owner frees it). */
  private temp(values: Float32Array): Block {
    const b = this.heap.alloc(values.length * 4);
    this.heap.f32(b, values.length).set(values);
    return b;
  }

  /** An activation the kernel does not fuse, over its f32 results (as the GPU's epilogue). */
  private activateRest(s: WasmStorage, fused: string, act: ActivationSpec): void {
    if (fused === act.activation) return;
    const f = cpuActivation(act);
    const y = this.view(s);
    for (let i = 0; i < y.length; i++) y[i] = f(y[i] as number);
  }

  /** The SIMD depthwise kernel for `p` and its packed weights, or null where it does not apply (it runs on the reference then). */
  private depthwiseKernel(filter: Storage, bias: Storage | null, p: DepthwiseConv2dParams) {
    const M = p.multiplier;
    if (!(M === 1 || M === 2 || M === 4) || p.batch * p.outH * p.outW * p.channels === 0) return null;
    const C = p.channels;
    const fused = isFusedActivation(p.act.activation) ? p.act.activation : 'linear';
    const packed = this.packed(filter, bias, `depthwise ${p.kH}x${p.kW}x${C * M}`, () => packDepthwiseWeights(this.view(filter), p.kH, p.kW, C * M, bias && this.view(bias)));
    const spec: DepthwiseKernelSpec = { ...windowOf(p, C, M), activation: fused, bias: packed.bias !== null };
    const kernel = this.kernels.get(`depthwise ${JSON.stringify(spec)}`, (memory) => emitDepthwise(spec, memory));
    /** The arguments before (row0, row1): x, the weights, the bias and y (byte addresses). */
    const args = (x: Storage, y: number) => [(storage(x).block as Block).offset, packed.weights.offset, packed.bias?.offset ?? 0, y];
    return { kernel, args, fused, work: p.outW * C * M * p.kH * p.kW };
  }

  depthwiseConv2d(x: Storage, filter: Storage, bias: Storage | null, p: DepthwiseConv2dParams, extras?: OpExtras): Storage {
    const dw = this.depthwiseKernel(filter, bias, p);
    if (!dw) return this.put(depthwiseConv2dCpu(this.view(x), this.view(filter), bias && this.view(bias), p), extras);
    const y = this.output(p.batch * p.outH * p.outW * p.channels * p.multiplier, extras);
    const rows = p.batch * p.outH;
    this.rows(dw.kernel, dw.args(x, (y.block as Block).offset), 0, rows, rows * dw.work);
    this.activateRest(y, dw.fused, p.act);
    return y;
  }

  /**
   * The GEMM kernel for y[M, N] = x[M, K] · filter (+ bias, + residual, the fused part of
   * `act`), rows read as `window` says (absent: x is [M, K]); filter [K, N] row-major.
   */
  private gemmKernel(filter: Storage, bias: Storage | null, K: number, N: number, act: ActivationSpec, residual: boolean, window?: GemmWindow) {
    const fused = isFusedActivation(act.activation) ? act.activation : 'linear';
    const packed = this.packed(filter, bias, `gemm ${K}x${N}`, () => packPointwiseWeights(this.view(filter), K, N, bias && this.view(bias)));
    const spec = { K, N, activation: fused, bias: packed.bias !== null, residual, ...(window && { window }) };
    const kernel = this.kernels.get(`gemm ${JSON.stringify(spec)}`, (memory) => emitPointwise(spec, memory));
    /** The arguments before (m0, m1): the byte addresses x, the weights, the bias, r (residual) and y. */
    const args = (x: number, r: number, y: number) => [x, packed.weights.offset, packed.bias?.offset ?? 0, r, y];
    return { kernel, args, fused, work: K * N };
  }

  pointwiseConv2d(x: Storage, filter: Storage, bias: Storage | null, p: PointwiseConv2dParams, extras: OpExtras = {}): Storage {
    const { pixels: M, inChannels: K, outChannels: N, act } = p;
    if (M * N === 0 || K === 0) {
      const residual = extras.residual ? this.view(extras.residual) : null;
      return this.put(pointwiseConv2dCpu(this.view(x), this.view(filter), bias && this.view(bias), p, residual), extras);
    }
    const residual = extras.residual ? storage(extras.residual) : null;
    const gemm = this.gemmKernel(filter, bias, K, N, act, residual !== null);
    // The planned output may be the residual's own buffer (the add reads each value before it writes it).
    const y = this.output(M * N, extras);
    this.rows(gemm.kernel, gemm.args((storage(x).block as Block).offset, residual?.block?.offset ?? 0, (y.block as Block).offset), 0, M, M * gemm.work, MR);
    this.activateRest(y, gemm.fused, act);
    return y;
  }

  conv2d(x: Storage, filter: Storage, bias: Storage | null, p: Conv2dParams, extras?: OpExtras): Storage {
    const { batch, outH, outW, inChannels: C, outChannels: N, act } = p;
    const M = batch * outH * outW;
    if (p.groups !== 1 || M * N === 0 || C === 0) return this.put(conv2dCpu(this.view(x), this.view(filter), bias && this.view(bias), p), extras);
    const src = this.windowInput(x, p, C);
    const taps: number[] = [];
    for (let i = 0; i < p.kH; i++) for (let j = 0; j < p.kW; j++) taps.push((i * p.dilationH * src.W + j * p.dilationW) * C * 4);
    const window: GemmWindow = { H: src.H, W: src.W, C, outH, outW, strideH: p.strideH, strideW: p.strideW, taps };
    const gemm = this.gemmKernel(filter, bias, p.kH * p.kW * C, N, act, false, window);
    const y = this.output(M * N, extras);
    this.rows(gemm.kernel, gemm.args(src.block.offset, 0, (y.block as Block).offset), 0, M, M * gemm.work, MR);
    if (src.temp) this.heap.release(src.block);
    this.activateRest(y, gemm.fused, act);
    return y;
  }

  /**
   * The input of a convolution read as windows with no padding left to apply: x itself
   * when no window reaches past its top-left or its end, else a zero-padded copy
   * (`temp`: the caller releases it) of the rows and columns the windows read.
   */
  private windowInput(x: Storage, g: ConvGeometry, C: number): { block: Block; H: number; W: number; temp: boolean } {
    const H = (g.outH - 1) * g.strideH + (g.kH - 1) * g.dilationH + 1;
    const W = (g.outW - 1) * g.strideW + (g.kW - 1) * g.dilationW + 1;
    const { top, left } = g.pad;
    if (top === 0 && left === 0 && H <= g.inH && W <= g.inW) return { block: storage(x).block as Block, H: g.inH, W: g.inW, temp: false };
    const block = this.heap.alloc(g.batch * H * W * C * 4);
    const dst = this.heap.f32(block, g.batch * H * W * C);
    const src = this.view(x);
    dst.fill(0);
    const cols = Math.min(g.inW, W - left); // input columns 0 … cols − 1 land at left … left + cols − 1
    for (let n = 0; n < g.batch; n++) {
      for (let y = 0; y < H && cols > 0; y++) {
        const iy = y - top;
        if (iy < 0 || iy >= g.inH) continue;
        const from = (n * g.inH + iy) * g.inW * C;
        dst.set(src.subarray(from, from + cols * C), ((n * H + y) * W + left) * C);
      }
    }
    return { block, H, W, temp: true };
  }

  /**
   * Depthwise then pointwise by bands of output rows: the depthwise output of a band
   * (about 64 KiB, at least one row) goes to a scratch block that stays in cache while
   * the GEMM reads it, instead of a whole intermediate tensor written out and read back.
   */
  separableConv2d(x: Storage, w: SeparableWeights, p: SeparableConv2dParams, extras: OpExtras = {}): Storage {
    const steps = separableSteps(p);
    const dw = this.depthwiseKernel(w.depthwiseFilter, w.depthwiseBias, steps.depthwise);
    if (!dw) return separableUnfused(this, x, w, p, extras);
    const { pixels: M, inChannels: K, outChannels: N, act } = steps.pointwise;
    const gemm = this.gemmKernel(w.pointwiseFilter, w.bias, K, N, act, false);
    const rows = p.batch * p.outH;
    const rowBytes = p.outW * K * 4;
    const band = Math.max(1, Math.min(rows, Math.floor(SEPARABLE_BAND_BYTES / rowBytes)));
    const pool = this.pool && rows > band && rows * (dw.work + p.outW * gemm.work) >= PARALLEL_WORK ? this.pool : null;
    // One scratch block per thread.
    const scratchBytes = Math.ceil((band * rowBytes) / 16) * 16 + 16;
    const scratch = this.heap.alloc(scratchBytes * (pool?.threads ?? 1));
    const y = this.output(M * N, extras);
    const [xAt, dwW, dwB] = dw.args(x, 0) as [number, number, number];
    const [, pwW, pwB] = gemm.args(0, 0, 0) as [number, number, number];
    const yAt = (y.block as Block).offset;
    if (pool) {
      pool.bands({ depthwise: dw.kernel, pointwise: gemm.kernel, depthwiseArgs: [xAt, dwW, dwB], pointwiseArgs: [pwW, pwB, 0, yAt], rows, band, scratch: scratch.offset, scratchBytes, rowBytes, width: p.outW });
    } else {
      for (let r0 = 0; r0 < rows; r0 += band) {
        const r1 = Math.min(rows, r0 + band);
        // Rows r0 … r1 − 1 of the depthwise output land in the scratch (addresses wrap as i32 arithmetic does).
        const base = (scratch.offset - r0 * rowBytes) | 0;
        dw.kernel.run(xAt, dwW, dwB, base, r0, r1);
        gemm.kernel.run(base, pwW, pwB, 0, yAt, r0 * p.outW, r1 * p.outW);
      }
    }
    this.heap.release(scratch);
    this.activateRest(y, gemm.fused, act);
    return y;
  }

  /**
   * Max and average pooling on the depthwise kernel's window walk (a max, or a sum divided
   * by the count, in place of the multiply-add). Average sums are f32 here, as on the GPU.
   */
  pool2d(x: Storage, p: Pool2dParams, extras?: OpExtras): Storage {
    const rows = p.batch * p.outH;
    const y = this.direct(rows * p.outW * p.channels, extras, [x]) ?? this.output(rows * p.outW * p.channels);
    if (p.channels === 0 || rows * p.outW === 0) return y;
    const spec: DepthwiseKernelSpec = {
      ...windowOf(p, p.channels, 1),
      activation: 'linear',
      bias: false,
      reduce: p.kind === 'max' ? 'max' : p.countIncludePad ? 'avgIncludePad' : 'avg',
    };
    const kernel = this.kernels.get(`pool ${JSON.stringify(spec)}`, (memory) => emitDepthwise(spec, memory));
    this.rows(kernel, [(storage(x).block as Block).offset, 0, 0, (y.block as Block).offset], 0, rows, rows * p.outW * p.channels * p.kH * p.kW);
    return y;
  }

  // ---- everything else: the reference's code, writing into the memory ---------------------

  /**
   * The output of a reference op that writes straight into it: the planned buffer unless it
   * is one of the inputs (an op reading and writing the same values in another order would
   * be wrong), else a fresh block; null asks the caller to retry without the plan.
   */
  private direct(length: number, extras: OpExtras | undefined, inputs: readonly Storage[]): WasmStorage | null {
    const out = extras?.out ? storage(extras.out) : null;
    if (out?.block && inputs.some((i) => storage(i).block?.offset === out.block?.offset)) return null;
    return this.output(length, extras);
  }

  /** `compute(y, ...views of xs)` into a new output of `length` (views made after it: the memory may grow). */
  private into(length: number, extras: OpExtras | undefined, xs: readonly Storage[], compute: (y: Float32Array, xs: Float32Array[]) => void): Storage {
    const y = this.direct(length, extras, xs) ?? this.output(length);
    compute(this.view(y), xs.map((x) => this.view(x)));
    return y;
  }

  binary(a: Storage, b: Storage, p: BinaryParams, extras?: OpExtras): Storage {
    return this.into(size(p.outShape), extras, [a, b], (y, [av, bv]) => binaryCpu(av as Float32Array, bv as Float32Array, p, y));
  }

  unary(x: Storage, p: UnaryParams, extras?: OpExtras): Storage {
    return this.into(p.size, extras, [x], (y, [xv]) => unaryCpu(xv as Float32Array, p, y));
  }

  globalAveragePool(x: Storage, p: PoolParams, extras?: OpExtras): Storage {
    return this.into(p.batch * p.channels, extras, [x], (y, [xv]) => globalAveragePoolCpu(xv as Float32Array, p, y));
  }

  softmax(x: Storage, p: SoftmaxParams, extras?: OpExtras): Storage {
    return this.into(p.rows * p.size, extras, [x], (y, [xv]) => softmaxCpu(xv as Float32Array, p, y));
  }

  permute(x: Storage, p: PermuteParams): Storage {
    return this.put(permuteCpu(this.view(x), p));
  }

  concat(xs: readonly Storage[], p: ConcatParams, extras?: OpExtras): Storage {
    const length = p.shapes.reduce((a, s) => a + size(s), 0);
    return this.into(length, extras, xs, (y, views) => concatCpu(views, p, y));
  }

  pixels(bytes: Uint8Array, p: PixelsParams): Storage {
    return this.put(pixelsCpu(bytes, p));
  }

  pad(x: Storage, p: PadParams, extras?: OpExtras): Storage {
    const rank = p.inShape.length;
    const length = size(p.inShape.map((d, i) => d + (p.pads[i] as number) + (p.pads[rank + i] as number)));
    return this.into(length, extras, [x], (y, [xv]) => padCpu(xv as Float32Array, p, y));
  }
}

/** The window walk of a depthwise or pooling kernel over geometry `g`: C input channels, multiplier M. */
function windowOf(g: ConvGeometry, C: number, M: 1 | 2 | 4) {
  const { inH: H, inW: W, kH, kW, strideH, strideW, dilationH, dilationW, outH, outW } = g;
  return { H, W, C, M, kH, kW, strideH, strideW, dilationH, dilationW, outH, outW, padTop: g.pad.top, padLeft: g.pad.left };
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
