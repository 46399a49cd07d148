// The WebGPU backend: owns the device's pools, pipeline cache and scheduler, and
// turns kernel runs into recorded dispatches.

import type {
  Backend,
  Conv2dParams,
  DepthwiseConv2dParams,
  PermuteParams,
  PointwiseConv2dParams,
  Storage,
} from '../backend.js';
import { SepconvError } from '../errors.js';
import { depthwiseRun } from '../kernels/depthwise.js';
import type { KernelRun } from '../kernels/kernel.js';
import { conv2dRun, pointwiseRun } from '../kernels/gemm.js';
import { permuteRun } from '../kernels/permute.js';
import { BufferPool, type MemoryInfo } from './buffer-pool.js';
import type { AcquiredDevice, AdapterDescription } from './device.js';
import { BufferUsage, MapMode } from './flags.js';
import { PipelineCache } from './pipelines.js';
import { Scheduler, type GpuStorage } from './scheduler.js';

export interface WebGpuBackendOptions {
  /** Print each kernel's WGSL and constants the first time its pipeline is built. */
  printShaders?: boolean;
  /** Submit after this many recorded dispatches even without a read (default 64). */
  maxDispatchesPerSubmit?: number;
}

export class WebGpuBackend implements Backend {
  readonly kind = 'webgpu' as const;
  readonly device: GPUDevice;
  readonly adapter: AdapterDescription;
  private readonly owned: boolean;
  private readonly storagePool: BufferPool;
  private readonly stagingPool: BufferPool;
  private readonly uniformPool: BufferPool;
  private readonly pipelines: PipelineCache;
  private readonly scheduler: Scheduler;
  /** Bound where a kernel has no bias, so every pipeline keeps one layout. */
  private readonly noBias: GpuStorage;
  private destroyed = false;

  constructor(acquired: AcquiredDevice, options: WebGpuBackendOptions = {}) {
    this.device = acquired.device;
    this.adapter = acquired.adapter;
    this.owned = acquired.owned;
    const d = this.device;
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
    );
    this.noBias = this.upload(new Float32Array(4)) as GpuStorage;
    void d.lost.then((info) => {
      if (this.destroyed) return;
      this.scheduler.markLost(
        new SepconvError(
          'GPU_ERROR',
          { op: 'device', cause: info },
          `sepconv: the GPU device was lost (${info.reason}): ${info.message}`,
        ),
      );
    });
  }

  upload(data: Float32Array): Storage {
    const byteLength = Math.max(data.byteLength, 4);
    const buffer = this.storagePool.acquire(byteLength);
    this.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    const storage: GpuStorage = { buffer, byteLength, lastUse: -1, error: null };
    return storage;
  }

  private run(op: string, label: string, run: KernelRun, inputs: GpuStorage[], outElements: number): Storage {
    const byteLength = outElements * 4;
    const output: GpuStorage = { buffer: this.storagePool.acquire(byteLength), byteLength, lastUse: -1, error: null };
    this.scheduler.record({
      kind: 'dispatch',
      op,
      label: `sepconv ${op} ${label}`,
      pipeline: this.pipelines.get(run.program, op),
      layout: this.pipelines.bindGroupLayout(run.program.kernel.bindings),
      uniforms: run.uniforms,
      inputs,
      output,
      workgroups: run.workgroups,
    });
    return output;
  }

  depthwiseConv2d(x: Storage, filter: Storage, bias: Storage | null, p: DepthwiseConv2dParams): Storage {
    const outC = p.channels * p.multiplier;
    const label = `[${p.batch},${p.inH},${p.inW},${p.channels}] k${p.kH}x${p.kW} → [${p.batch},${p.outH},${p.outW},${outC}]`;
    const inputs = [x, filter, bias ?? this.noBias] as GpuStorage[];
    return this.run('depthwiseConv2d', label, depthwiseRun(p, bias !== null), inputs, p.batch * p.outH * p.outW * outC);
  }

  pointwiseConv2d(x: Storage, filter: Storage, bias: Storage | null, p: PointwiseConv2dParams): Storage {
    const label = `[${p.rows},${p.inChannels}] → [${p.rows},${p.outChannels}]`;
    const inputs = [x, filter, bias ?? this.noBias] as GpuStorage[];
    return this.run('pointwiseConv2d', label, pointwiseRun(p, bias !== null), inputs, p.rows * p.outChannels);
  }

  conv2d(x: Storage, filter: Storage, bias: Storage | null, p: Conv2dParams): Storage {
    const label = `[${p.batch},${p.inH},${p.inW},${p.inChannels}] k${p.kH}x${p.kW} g${p.groups} → [${p.batch},${p.outH},${p.outW},${p.outChannels}]`;
    const inputs = [x, filter, bias ?? this.noBias] as GpuStorage[];
    return this.run('conv2d', label, conv2dRun(p, bias !== null), inputs, p.batch * p.outH * p.outW * p.outChannels);
  }

  permute(x: Storage, p: PermuteParams): Storage {
    const size = p.inShape.reduce((a, b) => a * b, 1);
    const label = `[${p.inShape.join(',')}] perm [${p.perm.join(',')}]`;
    return this.run('transpose', label, permuteRun(p), [x as GpuStorage], size);
  }

  async read(s: Storage): Promise<Float32Array> {
    const src = s as GpuStorage;
    const staging = this.stagingPool.acquire(src.byteLength);
    this.scheduler.record({ kind: 'copy', src, dst: staging, byteLength: src.byteLength });
    const batch = this.scheduler.currentBatch;
    try {
      await this.scheduler.flush();
      if (src.error) throw src.error;
      await staging.mapAsync(MapMode.READ, 0, src.byteLength);
      const out = new Float32Array(staging.getMappedRange(0, src.byteLength).slice(0));
      staging.unmap();
      return out;
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
    const a = this.storagePool.stats();
    const b = this.stagingPool.stats();
    const c = this.uniformPool.stats();
    return {
      bytesAllocated: a.bytesAllocated + b.bytesAllocated + c.bytesAllocated,
      bytesInUse: a.bytesInUse + b.bytesInUse + c.bytesInUse,
      buffers: a.buffers + b.buffers + c.buffers,
      pooledBytes: a.pooledBytes + b.pooledBytes + c.pooledBytes,
    };
  }

  /** Submits everything recorded so far. */
  flush(): Promise<void> {
    return this.scheduler.flush();
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
