// The WebAssembly SIMD backend (issue 15, first part): the reference backend's
// tensors (Float32Arrays) and ops, with the ops that carry a network's time run
// on generated WebAssembly SIMD kernels instead. So far: the 1×1 convolution
// (pointwise.ts, an XNNPACK-shaped GEMM) and the depthwise convolution with channel
// multiplier 1 (depthwise.ts), which also serve separable convolutions and those
// layers of the models; the rest runs on the reference. Operands are
// copied into the module's memory for each op and the result out of it; weights are
// packed per call.

import type { DepthwiseConv2dParams, OpExtras, PointwiseConv2dParams, Storage } from '../backend.js';
import { CpuBackend, CpuStorage, data } from '../cpu/backend.js';
import { cpuActivation } from '../cpu/activation.js';
import { emitDepthwise, packDepthwiseWeights } from './depthwise.js';
import { emitPointwise, isFusedActivation, packPointwiseWeights } from './pointwise.js';
import { KernelCache, WasmHeap, type Block } from './runtime.js';

export class WasmBackend extends CpuBackend {
  override readonly kind = 'wasm' as const;
  private readonly heap = new WasmHeap();
  private readonly kernels = new KernelCache(this.heap.memory);

  /** Copies `values` into a new block of the module's memory. */
  private put(values: Float32Array): Block {
    const b = this.heap.alloc(values.length * 4);
    this.heap.f32(b, values.length).set(values);
    return b;
  }

  override depthwiseConv2d(x: Storage, filter: Storage, bias: Storage | null, p: DepthwiseConv2dParams): Storage {
    const { batch, channels: C, outH, outW, act } = p;
    if (p.multiplier !== 1 || batch * outH * outW * C === 0) return super.depthwiseConv2d(x, filter, bias, p);
    const fused = isFusedActivation(act.activation) ? act.activation : 'linear';
    const packed = packDepthwiseWeights(data(filter), p.kH, p.kW, C, bias && data(bias));
    const blocks = [this.put(data(x)), this.put(packed.weights), packed.bias ? this.put(packed.bias) : null, this.heap.alloc(batch * outH * outW * C * 4)];
    try {
      const spec = {
        H: p.inH,
        W: p.inW,
        C,
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
      run(...blocks.map((b) => b?.offset ?? 0), batch);
      return new CpuStorage(this.finish(this.heap.f32(blocks[3] as Block, batch * outH * outW * C).slice(), fused, act));
    } finally {
      for (const b of blocks) if (b) this.heap.release(b);
    }
  }

  /** An activation the kernel does not fuse: over the f32 results, as the GPU's epilogue does. */
  private finish(y: Float32Array, fused: string, act: DepthwiseConv2dParams['act']): Float32Array {
    if (fused !== act.activation) {
      const f = cpuActivation(act);
      for (let i = 0; i < y.length; i++) y[i] = f(y[i] as number);
    }
    return y;
  }

  override pointwiseConv2d(x: Storage, filter: Storage, bias: Storage | null, p: PointwiseConv2dParams, extras: OpExtras = {}): Storage {
    const { pixels: M, inChannels: K, outChannels: N, act } = p;
    if (M === 0 || N === 0) return new CpuStorage(new Float32Array(M * N));
    if (K === 0) return super.pointwiseConv2d(x, filter, bias, p, extras);
    const fused = isFusedActivation(act.activation) ? act.activation : 'linear';
    const residual = extras.residual ? data(extras.residual) : null;
    const packed = packPointwiseWeights(data(filter), K, N, bias && data(bias));
    const blocks = [this.put(data(x)), this.put(packed.weights), packed.bias ? this.put(packed.bias) : null, residual ? this.put(residual) : null, this.heap.alloc(M * N * 4)];
    try {
      const run = this.kernels.get(`pointwise K${K} N${N} ${fused}${packed.bias ? ' bias' : ''}${residual ? ' residual' : ''}`, () =>
        emitPointwise({ K, N, activation: fused, bias: packed.bias !== null, residual: residual !== null }),
      );
      run(...blocks.map((b) => b?.offset ?? 0), M);
      return new CpuStorage(this.finish(this.heap.f32(blocks[4] as Block, M * N).slice(), fused, act));
    } finally {
      for (const b of blocks) if (b) this.heap.release(b);
    }
  }
}
