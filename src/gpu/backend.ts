// The WebGPU backend: owns the device's pools, pipeline cache and scheduler, and
// turns kernel runs into recorded dispatches.

import type {
  Backend,
  Conv2dParams,
  DepthwiseConv2dParams,
  OpExtras,
  PermuteParams,
  PointwiseConv2dParams,
  PoolParams,
  SoftmaxParams,
  SeparableConv2dParams,
  Storage,
} from '../backend.js';
import { SepconvError } from '../errors.js';
import type { BindingLimits } from '../kernels/bands.js';
import {
  adapterTraits,
  conv2dVariants,
  depthwiseStripRows,
  depthwiseVariants,
  pointwiseVariants,
  separableVariants,
  type AdapterTraits,
} from '../kernels/choice.js';
import { depthwiseRun, depthwiseVec4Run } from '../kernels/depthwise.js';
import { conv2dDirectRun, conv2dRun, pointwiseAsConv2d, pointwiseRun, separableFusedRun } from '../kernels/gemm.js';
import type { KernelRun } from '../kernels/kernel.js';
import { permuteRun } from '../kernels/permute.js';
import { globalAveragePoolRun, softmaxRun } from '../kernels/pool.js';
import { BufferPool, type MemoryInfo } from './buffer-pool.js';
import type { AcquiredDevice, AdapterDescription } from './device.js';
import { BufferUsage, MapMode } from './flags.js';
import { PipelineCache } from './pipelines.js';
import { Scheduler, type GpuStorage } from './scheduler.js';

/**
 * Kernel variants to use instead of the engine's choice, for tests and tuning. A
 * forced variant that cannot run a given shape falls back to one that can.
 */
export interface KernelChoice {
  depthwise?: 'auto' | '3x3' | '5x5' | 'vec4' | 'scalar';
  /** Output rows per invocation of the 3×3 and 5×5 depthwise kernels, 1–64 (default: chosen per adapter and shape). */
  depthwiseRows?: number;
  /** 'conv8': the 8×8 direct conv2d kernel as a 1×1 conv (any K, N divisible by 8, no residual). */
  pointwise?: 'auto' | 'tiled' | 'direct' | 'direct8' | 'conv8';
  conv2d?: 'auto' | 'tiled' | 'direct' | 'direct8';
  /** 'fused': one kernel, the intermediate stays in workgroup memory; 'unfused': depthwise then pointwise. */
  separable?: 'auto' | 'fused' | 'unfused';
}

export interface WebGpuBackendOptions {
  /** Forced kernel variants (default: all 'auto'). */
  kernels?: KernelChoice;
  /** Print each kernel's WGSL and constants the first time its pipeline is built. */
  printShaders?: boolean;
  /** Submit after this many recorded dispatches even without a read (default 64). */
  maxDispatchesPerSubmit?: number;
}

/** The device limits that shape what sepconv can run, as granted. */
export interface EngineLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  maxComputeWorkgroupsPerDimension: number;
  maxComputeWorkgroupStorageSize: number;
  maxComputeInvocationsPerWorkgroup: number;
  minStorageBufferOffsetAlignment: number;
}

export class WebGpuBackend implements Backend {
  readonly kind = 'webgpu' as const;
  readonly device: GPUDevice;
  readonly adapter: AdapterDescription;
  readonly limits: EngineLimits;
  private readonly owned: boolean;
  private readonly storagePool: BufferPool;
  private readonly stagingPool: BufferPool;
  private readonly uniformPool: BufferPool;
  private readonly pipelines: PipelineCache;
  private readonly scheduler: Scheduler;
  private readonly binding: BindingLimits;
  /** Bound where a kernel has no bias, so every pipeline keeps one layout. */
  private readonly noBias: GpuStorage;
  private destroyed = false;
  private readonly kernels: KernelChoice;
  private readonly traits: AdapterTraits;
  /** Set once the device is lost; every later call reports it. */
  lost: SepconvError | null = null;

  constructor(acquired: AcquiredDevice, options: WebGpuBackendOptions = {}) {
    this.device = acquired.device;
    this.adapter = acquired.adapter;
    this.owned = acquired.owned;
    this.kernels = options.kernels ?? {};
    this.traits = adapterTraits(this.adapter);
    const d = this.device;
    const l = d.limits;
    this.limits = {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      minStorageBufferOffsetAlignment: l.minStorageBufferOffsetAlignment,
    };
    // Bindings are whole 4-byte elements, so plan against a multiple of 4.
    this.binding = {
      maxBinding: Math.floor(l.maxStorageBufferBindingSize / 4) * 4,
      align: l.minStorageBufferOffsetAlignment,
    };
    this.storagePool = new BufferPool(
      d,
      BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST,
      'sepconv tensor',
    );
    this.stagingPool = new BufferPool(d, BufferUsage.MAP_READ | BufferUsage.COPY_DST, 'sepconv staging');
    this.uniformPool = new BufferPool(d, BufferUsage.UNIFORM | BufferUsage.COPY_DST, 'sepconv uniforms');
    this.pipelines = new PipelineCache(d, options.printShaders ?? false);
    this.scheduler = new Scheduler(
      d,
      this.uniformPool,
      [this.storagePool, this.stagingPool, this.uniformPool],
      options.maxDispatchesPerSubmit,
      () => this.trim(),
    );
    this.noBias = this.upload(new Float32Array(4)) as GpuStorage;
    void d.lost.then((info) => {
      if (this.destroyed) return;
      this.lost = new SepconvError(
        'DEVICE_LOST',
        { op: 'device', cause: info },
        `sepconv: the GPU device was lost (${info.reason || 'unknown'}${info.message ? `: ${info.message}` : ''}); ` +
          'call engine.recover() for a new device, then recreate your tensors',
      );
      this.scheduler.markLost(this.lost);
    });
  }

  /** Largest tensor this device can hold, in bytes. */
  get maxTensorBytes(): number {
    return this.limits.maxBufferSize;
  }

  private newStorage(byteLength: number): GpuStorage {
    const { buffer, allocation } = this.storagePool.acquire(byteLength);
    return { buffer, byteLength, lastUse: -1, error: null, allocation };
  }

  allocate(elements: number): Storage {
    // Whole vec4s, so planned buffers can be bound as arrays of vec4.
    return this.newStorage(Math.ceil(Math.max(elements, 1) / 4) * 16);
  }

  atomically<T>(fn: () => T): T {
    return this.scheduler.atomically(fn);
  }

  async profile(steps: readonly (() => void)[]): Promise<{ ms: number[]; method: 'timestamps' | 'wall clock' }> {
    const d = this.device;
    if (!d.features.has('timestamp-query')) {
      const ms: number[] = [];
      for (const step of steps) {
        await this.flush();
        await d.queue.onSubmittedWorkDone();
        const t0 = performance.now();
        step();
        await this.flush();
        await d.queue.onSubmittedWorkDone();
        ms.push(performance.now() - t0);
      }
      return { ms, method: 'wall clock' };
    }
    const count = 2 * steps.length;
    const querySet = d.createQuerySet({ label: 'sepconv profile', type: 'timestamp', count });
    const resolveBuffer = d.createBuffer({ label: 'sepconv profile resolve', size: count * 8, usage: 0x0200 | BufferUsage.COPY_SRC });
    const staging = d.createBuffer({ label: 'sepconv profile staging', size: count * 8, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
    try {
      this.scheduler.atomically(() => {
        steps.forEach((step, index) => {
          this.scheduler.record({ kind: 'section', querySet, index });
          step();
        });
        this.scheduler.record({ kind: 'resolve', querySet, count, resolveBuffer, staging });
      });
      await this.flush();
      await staging.mapAsync(MapMode.READ);
      const t = new BigUint64Array(staging.getMappedRange().slice(0));
      staging.unmap();
      return { ms: steps.map((_, i) => Number((t[2 * i + 1] as bigint) - (t[2 * i] as bigint)) / 1e6), method: 'timestamps' };
    } finally {
      querySet.destroy();
      resolveBuffer.destroy();
      staging.destroy();
    }
  }

  upload(data: Float32Array): Storage {
    const storage = this.newStorage(Math.max(data.byteLength, 4));
    this.device.queue.writeBuffer(storage.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    return storage;
  }

  private run(op: string, label: string, run: KernelRun, inputs: GpuStorage[], outElements: number, out?: Storage): Storage {
    const output = (out as GpuStorage | undefined) ?? this.newStorage(outElements * 4);
    const pipeline = this.pipelines.get(run.program, op);
    const layout = this.pipelines.bindGroupLayout(run.program.kernel.bindings);
    run.dispatches.forEach((d, i) => {
      const band = run.dispatches.length > 1 ? ` band ${i + 1}/${run.dispatches.length}` : '';
      this.scheduler.record({
        kind: 'dispatch',
        op,
        label: `sepconv ${op} ${label}${band}`,
        pipeline,
        layout,
        uniforms: d.uniforms,
        inputs,
        output,
        ranges: d.ranges,
        workgroups: d.workgroups,
      });
    });
    return output;
  }

  /** Throws TOO_LARGE when a tensor an op binds whole exceeds one binding. */
  private assertBindable(op: string, arg: string, s: Storage): void {
    const bytes = (s as GpuStorage).byteLength;
    if (bytes > this.binding.maxBinding) {
      throw new SepconvError('TOO_LARGE', {
        op,
        arg,
        expected: `at most maxStorageBufferBindingSize = ${this.binding.maxBinding} bytes (this op cannot split it)`,
        given: `${bytes} bytes`,
      });
    }
  }

  depthwiseConv2d(x: Storage, filter: Storage, bias: Storage | null, p: DepthwiseConv2dParams, extras: OpExtras = {}): Storage {
    const op = 'depthwiseConv2d';
    this.assertBindable(op, 'filter', filter);
    const outC = p.channels * p.multiplier;
    const label = `[${p.batch},${p.inH},${p.inW},${p.channels}] k${p.kH}x${p.kW} → [${p.batch},${p.outH},${p.outW},${outC}]`;
    const inputs = [x, filter, bias ?? this.noBias] as GpuStorage[];
    const variant = pick(depthwiseVariants(p), this.kernels.depthwise);
    const rows = variant === '3x3' || variant === '5x5' ? (this.kernels.depthwiseRows ?? depthwiseStripRows(p, this.traits)) : 0;
    const run = variant === 'scalar' ? depthwiseRun(p, bias !== null, this.binding) : depthwiseVec4Run(p, bias !== null, this.binding, variant, rows);
    return this.run(op, `${label} ${variant}${rows ? ` ×${rows} rows` : ''}`, run, inputs, p.batch * p.outH * p.outW * outC, extras.out);
  }

  pointwiseConv2d(x: Storage, filter: Storage, bias: Storage | null, p: PointwiseConv2dParams, extras: OpExtras = {}): Storage {
    const op = 'pointwiseConv2d';
    this.assertBindable(op, 'filter', filter);
    const residual = extras.residual ?? null;
    // conv8 (the direct conv2d kernel) has no residual binding.
    const variants = pointwiseVariants(p, this.traits).filter((v) => !(residual && v === 'conv8'));
    const variant = pick(variants, this.kernels.pointwise);
    const label = `[${p.pixels},${p.inChannels}] → [${p.pixels},${p.outChannels}] ${variant}${residual ? ' +residual' : ''}`;
    if (variant === 'conv8') {
      const run = conv2dDirectRun(pointwiseAsConv2d(p, this.binding), bias !== null, this.binding, true);
      return this.run(op, label, run, [x, filter, bias ?? this.noBias] as GpuStorage[], p.pixels * p.outChannels, extras.out);
    }
    const inputs = [x, filter, bias ?? this.noBias, residual ?? this.noBias] as GpuStorage[];
    const run = pointwiseRun(p, bias !== null, this.binding, variant, residual !== null);
    return this.run(op, label, run, inputs, p.pixels * p.outChannels, extras.out);
  }

  conv2d(x: Storage, filter: Storage, bias: Storage | null, p: Conv2dParams, extras: OpExtras = {}): Storage {
    const op = 'conv2d';
    this.assertBindable(op, 'filter', filter);
    const variant = pick(conv2dVariants(p, this.traits), this.kernels.conv2d);
    const label = `[${p.batch},${p.inH},${p.inW},${p.inChannels}] k${p.kH}x${p.kW} g${p.groups} → [${p.batch},${p.outH},${p.outW},${p.outChannels}] ${variant}`;
    // The tiled GEMM has a residual binding (unused here); the direct kernel has none.
    const direct = variant === 'direct' || variant === 'direct8';
    const inputs = [x, filter, bias ?? this.noBias, ...(direct ? [] : [this.noBias])] as GpuStorage[];
    const run = direct ? conv2dDirectRun(p, bias !== null, this.binding, variant === 'direct8') : conv2dRun(p, bias !== null, this.binding);
    return this.run(op, label, run, inputs, p.batch * p.outH * p.outW * p.outChannels, extras.out);
  }

  separableConv2d(
    x: Storage,
    depthwiseFilter: Storage,
    depthwiseBias: Storage | null,
    pointwiseFilter: Storage,
    bias: Storage | null,
    p: SeparableConv2dParams,
    extras: OpExtras = {},
  ): Storage {
    const op = 'separableConv2d';
    const mid = p.channels * p.multiplier;
    const variant = pick(separableVariants(p, this.traits), this.kernels.separable);
    if (variant === 'unfused') {
      const y = this.depthwiseConv2d(x, depthwiseFilter, depthwiseBias, { ...p, act: { activation: 'linear', alpha: 0 } });
      const z = this.pointwiseConv2d(
        y,
        pointwiseFilter,
        bias,
        { pixels: p.batch * p.outH * p.outW, inChannels: mid, outChannels: p.outChannels, act: p.act },
        { ...(extras.out && { out: extras.out }) },
      );
      this.release(y);
      return z;
    }
    this.assertBindable(op, 'depthwiseFilter', depthwiseFilter);
    this.assertBindable(op, 'pointwiseFilter', pointwiseFilter);
    const label = `[${p.batch},${p.inH},${p.inW},${p.channels}] k${p.kH}x${p.kW} m${p.multiplier} → [${p.batch},${p.outH},${p.outW},${p.outChannels}] fused`;
    const inputs = [x, pointwiseFilter, bias ?? this.noBias, depthwiseFilter, depthwiseBias ?? this.noBias, this.noBias] as GpuStorage[];
    const run = separableFusedRun(p, bias !== null, depthwiseBias !== null, this.binding);
    return this.run(op, label, run, inputs, p.batch * p.outH * p.outW * p.outChannels, extras.out);
  }

  globalAveragePool(x: Storage, p: PoolParams, extras: OpExtras = {}): Storage {
    const label = `[${p.batch},${p.height},${p.width},${p.channels}]`;
    return this.run('globalAveragePool', label, globalAveragePoolRun(p), [x as GpuStorage], p.batch * p.channels, extras.out);
  }

  softmax(x: Storage, p: SoftmaxParams, extras: OpExtras = {}): Storage {
    const label = `[${p.rows},${p.size}]`;
    return this.run('softmax', label, softmaxRun(p), [x as GpuStorage], p.rows * p.size, extras.out);
  }

  permute(x: Storage, p: PermuteParams): Storage {
    // A transpose reads all of its input for any slice of its output: no bands.
    this.assertBindable('transpose', 'x', x);
    const size = p.inShape.reduce((a, b) => a * b, 1);
    const label = `[${p.inShape.join(',')}] perm [${p.perm.join(',')}]`;
    return this.run('transpose', label, permuteRun(p), [x as GpuStorage], size);
  }

  async read(s: Storage): Promise<Float32Array> {
    const src = s as GpuStorage;
    const { buffer: staging } = this.stagingPool.acquire(src.byteLength);
    this.scheduler.record({ kind: 'copy', src, dst: staging, byteLength: src.byteLength });
    const batch = this.scheduler.currentBatch;
    try {
      await this.scheduler.flush();
      if (src.error) throw src.error;
      await staging.mapAsync(MapMode.READ, 0, src.byteLength);
      const out = new Float32Array(staging.getMappedRange(0, src.byteLength).slice(0));
      staging.unmap();
      return out;
    } catch (e) {
      // A device loss also fails pending maps, sometimes before `lost` has resolved:
      // give it a turn so the read reports the loss, not a bare AbortError.
      if (!this.lost) await Promise.race([this.device.lost, new Promise((r) => setTimeout(r, 0))]);
      throw this.lost ?? e;
    } finally {
      this.stagingPool.release(staging, batch);
    }
  }

  release(s: Storage): void {
    const storage = s as GpuStorage;
    this.storagePool.release(storage.buffer, storage.lastUse);
  }

  /** Bytes held by tensors and the pools. */
  memory(): MemoryInfo {
    const all = [this.storagePool.stats(), this.stagingPool.stats(), this.uniformPool.stats()];
    return {
      bytesAllocated: all.reduce((a, s) => a + s.bytesAllocated, 0),
      bytesInUse: all.reduce((a, s) => a + s.bytesInUse, 0),
      buffers: all.reduce((a, s) => a + s.buffers, 0),
      pooledBytes: all.reduce((a, s) => a + s.pooledBytes, 0),
    };
  }

  /** Destroys every pooled (free) buffer. */
  trim(): void {
    this.storagePool.trim();
    this.stagingPool.trim();
    this.uniformPool.trim();
  }

  /** Submits everything recorded so far. */
  flush(): Promise<void> {
    return this.scheduler.flush();
  }

  /** Submits everything recorded so far and resolves once the GPU has finished it. */
  async settle(): Promise<void> {
    await this.scheduler.flush();
    await this.device.queue.onSubmittedWorkDone();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.storagePool.destroyAll();
    this.stagingPool.destroyAll();
    this.uniformPool.destroyAll();
    if (this.owned) this.device.destroy();
  }
}

/** The forced variant when it can run, else the first (preferred) one that can. */
function pick<V extends string>(possible: readonly V[], forced: V | 'auto' | undefined): V {
  return forced !== undefined && forced !== 'auto' && possible.includes(forced) ? forced : (possible[0] as V);
}
