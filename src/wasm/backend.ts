// The WebAssembly SIMD backend (issue 15, first part). Tensors live in the module's
// memory (runtime.ts: one WebAssembly.Memory, a first-fit allocator), so the kernels
// read their inputs and write their outputs in place and freed blocks are reused:
// a new Float32Array per op costs more than the op here (fresh pages). The ops that
// carry a network's time run on generated SIMD kernels: the 1×1 convolution
// (pointwise.ts, an XNNPACK-shaped GEMM) and the depthwise convolution with channel
// multiplier 1, 2 or 4 (depthwise.ts), which also serve separable convolutions and those
// layers of the models. Every other op runs the reference's code on views of the
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
import { pool2dCpu } from '../cpu/pool2d.js';
import { separableUnfused } from '../ops.js';
import type { ActivationSpec } from '../activation.js';
import { emitDepthwise, packDepthwiseWeights, type DepthwiseKernelSpec } from './depthwise.js';
import { emitPointwise, isFusedActivation, packPointwiseWeights } from './pointwise.js';
import { KernelCache, WasmHeap, type Block } from './runtime.js';

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

export class WasmBackend implements Backend {
  readonly kind = 'wasm' as const;
  readonly maxTensorBytes = 2 ** 31;
  private readonly heap = new WasmHeap();
  private readonly kernels = new KernelCache(this.heap.memory);
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

  destroy(): void {}

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

  depthwiseConv2d(x: Storage, filter: Storage, bias: Storage | null, p: DepthwiseConv2dParams, extras?: OpExtras): Storage {
    const { batch, channels: C, outH, outW, act } = p;
    const length = batch * outH * outW * C * p.multiplier;
    const M = p.multiplier;
    if (!(M === 1 || M === 2 || M === 4) || length === 0) return this.put(depthwiseConv2dCpu(this.view(x), this.view(filter), bias && this.view(bias), p), extras);
    const fused = isFusedActivation(act.activation) ? act.activation : 'linear';
    const packed = this.packed(filter, bias, `depthwise ${p.kH}x${p.kW}x${C * M}`, () => packDepthwiseWeights(this.view(filter), p.kH, p.kW, C * M, bias && this.view(bias)));
    const y = this.output(length, extras);
    {
      const spec: DepthwiseKernelSpec = {
        H: p.inH,
        W: p.inW,
        C,
        M: M as 1 | 2 | 4,
        kH: p.kH,
        kW: p.kW,
        strideH: p.strideH,
        strideW: p.strideW,
        dilationH: p.dilationH,
        dilationW: p.dilationW,
        outH,
        outW,
        padTop: p.pad.top,
        padLeft: p.pad.left,
        activation: fused,
        bias: packed.bias !== null,
      };
      const run = this.kernels.get(`depthwise ${JSON.stringify(spec)}`, () => emitDepthwise(spec));
      run((storage(x).block as Block).offset, packed.weights.offset, packed.bias?.offset ?? 0, (y.block as Block).offset, batch);
    }
    this.activateRest(y, fused, act);
    return y;
  }

  pointwiseConv2d(x: Storage, filter: Storage, bias: Storage | null, p: PointwiseConv2dParams, extras: OpExtras = {}): Storage {
    const { pixels: M, inChannels: K, outChannels: N, act } = p;
    if (M * N === 0 || K === 0) {
      const residual = extras.residual ? this.view(extras.residual) : null;
      return this.put(pointwiseConv2dCpu(this.view(x), this.view(filter), bias && this.view(bias), p, residual), extras);
    }
    const fused = isFusedActivation(act.activation) ? act.activation : 'linear';
    const packed = this.packed(filter, bias, `pointwise ${K}x${N}`, () => packPointwiseWeights(this.view(filter), K, N, bias && this.view(bias)));
    const residual = extras.residual ? storage(extras.residual) : null;
    // The planned output may be the residual's own buffer (the add reads each value before it writes it).
    const y = this.output(M * N, extras);
    {
      const run = this.kernels.get(`pointwise K${K} N${N} ${fused}${packed.bias ? ' bias' : ''}${residual ? ' residual' : ''}`, () =>
        emitPointwise({ K, N, activation: fused, bias: packed.bias !== null, residual: residual !== null }),
      );
      run((storage(x).block as Block).offset, packed.weights.offset, packed.bias?.offset ?? 0, residual?.block?.offset ?? 0, (y.block as Block).offset, M);
    }
    this.activateRest(y, fused, act);
    return y;
  }

  separableConv2d(x: Storage, w: SeparableWeights, p: SeparableConv2dParams, extras: OpExtras = {}): Storage {
    return separableUnfused(this, x, w, p, extras);
  }

  // ---- everything else: the reference's code on views ----------------------------------

  conv2d(x: Storage, filter: Storage, bias: Storage | null, p: Conv2dParams, extras?: OpExtras): Storage {
    return this.put(conv2dCpu(this.view(x), this.view(filter), bias && this.view(bias), p), extras);
  }

  binary(a: Storage, b: Storage, p: BinaryParams, extras?: OpExtras): Storage {
    return this.put(binaryCpu(this.view(a), this.view(b), p), extras);
  }

  unary(x: Storage, p: UnaryParams, extras?: OpExtras): Storage {
    return this.put(unaryCpu(this.view(x), p), extras);
  }

  globalAveragePool(x: Storage, p: PoolParams, extras?: OpExtras): Storage {
    return this.put(globalAveragePoolCpu(this.view(x), p), extras);
  }

  softmax(x: Storage, p: SoftmaxParams, extras?: OpExtras): Storage {
    return this.put(softmaxCpu(this.view(x), p), extras);
  }

  permute(x: Storage, p: PermuteParams): Storage {
    return this.put(permuteCpu(this.view(x), p));
  }

  concat(xs: readonly Storage[], p: ConcatParams, extras?: OpExtras): Storage {
    return this.put(concatCpu(xs.map((s) => this.view(s)), p), extras);
  }

  pixels(bytes: Uint8Array, p: PixelsParams): Storage {
    return this.put(pixelsCpu(bytes, p));
  }

  pad(x: Storage, p: PadParams, extras?: OpExtras): Storage {
    return this.put(padCpu(this.view(x), p), extras);
  }

  pool2d(x: Storage, p: Pool2dParams, extras?: OpExtras): Storage {
    return this.put(pool2dCpu(this.view(x), p), extras);
  }
}
