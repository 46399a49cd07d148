// The WebGPU backend: owns the device's pools, pipeline cache and scheduler; runs
// every op through one path (choose a variant from the registry, plan its bands,
// record its dispatches), and tunes: times the candidates of recorded op calls.

import type { Backend, Conv2dParams, DepthwiseConv2dParams, OpExtras, PermuteParams, PointwiseConv2dParams } from '../backend.js';
import type { PoolParams, SeparableConv2dParams, SeparableWeights, SoftmaxParams, Storage } from '../backend.js';
import type { BinaryParams, UnaryParams } from '../backend.js';
import type { ConcatParams, PadParams, PixelsParams, Pool2dParams } from '../backend.js';
import { SepconvError, describe } from '../errors.js';
import { invalid } from '../validate.js';
import type { BindingLimits } from '../kernels/bands.js';
import { adapterTraits, type AdapterTraits, type Call, type KernelVariant, type OpInputs, type TunableValues } from '../kernels/descriptor.js';
import {
  chooseKernel,
  OP_NAMES,
  outputElements,
  tuningCandidates,
  type Candidate,
  type ChoiceReason,
  type ChoosableOp,
  type KernelChoice,
  type OpParams,
} from '../kernels/registry.js';
import { concatPart } from '../kernels/utility/concat.js';
import { pad } from '../kernels/utility/pad.js';
import { pixels } from '../kernels/utility/pixels.js';
import { globalAveragePool } from '../kernels/utility/pool.js';
import { permute } from '../kernels/utility/permute.js';
import { softmax } from '../kernels/utility/softmax.js';
import { unary } from '../kernels/utility/unary.js';
import { callKey } from '../tuning/key.js';
import { adapterName, applicableRecords, TUNING_VERSION, tunedChoice, type TuningRecord } from '../tuning/records.js';
import { searchFastest } from '../tuning/search.js';
import { BufferPool, type MemoryInfo } from './buffer-pool.js';
import type { AcquiredDevice, AdapterDescription } from './device.js';
import { BufferUsage, MapMode, TextureUsage } from './flags.js';
import { PipelineCache, programKey } from './pipelines.js';
import { Scheduler, type GpuStorage } from './scheduler.js';

export type { KernelChoice } from '../kernels/registry.js';

export interface WebGpuBackendOptions {
  /** Forced kernel variants and tunables (default: none). */
  kernels?: KernelChoice;
  /** Tuning records (checked by the caller); those of this adapter and these kernels are used. */
  tuning?: readonly TuningRecord[];
  /** Print each kernel's WGSL and constants the first time its pipeline is built. */
  printShaders?: boolean;
  /** Submit after this many recorded dispatches even without a read (default 64). */
  maxDispatchesPerSubmit?: number;
}

/** Options of a tuning run (see Engine.tune). */
export interface TuneOptions {
  /** No measurement starts after this many milliseconds (default 30 000). */
  budgetMs?: number;
  /** Timed runs per candidate, after one untimed warm-up run (default 5). */
  runs?: number;
  /** @internal Replaces the measurement (tests): median ms per run of a candidate. */
  measure?: (key: string, variant: string, tunables: TunableValues) => Promise<number>;
  /** @internal Replaces the clock the budget is kept with (tests). */
  clock?: () => number;
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

/** Which kernel an op call runs on, and why. */
export interface KernelExplanation {
  /** The call: op, parameters and bound optional inputs (the key of tuning records). */
  key: string;
  op: ChoosableOp;
  variant: string;
  tunables: Record<string, number>;
  /** Forced by the `kernels` option, from a tuning record, or the cost model's choice. */
  by: ChoiceReason;
}

/** An op call seen while tuning: enough to run it again with any candidate. */
interface CapturedCall {
  op: ChoosableOp;
  call: Call<OpParams[ChoosableOp]>;
  inputs: OpInputs;
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
  /** Bound where a kernel's optional input is absent, so every pipeline keeps one layout. */
  private readonly noInput: GpuStorage;
  private destroyed = false;
  private readonly forced: KernelChoice;
  private readonly traits: AdapterTraits;
  /** Tuning records in use, by call key: loaded ones of this adapter, then what tune() measured. */
  private readonly tuned: Map<string, TuningRecord>;
  /** While tune() or explain() records its function: every op call, by key. */
  private captured: Map<string, CapturedCall & { choice: KernelExplanation }> | null = null;
  /** While explain() records its function: nothing is dispatched. */
  private dryRun = false;
  /** While compile() records its function: the pipelines its dispatches need, by program key. */
  private compiling: Map<string, Promise<GPUComputePipeline>> | null = null;
  /** Storages a tuning run still needs: releasing one waits until the run ends. */
  private readonly held = new Map<GpuStorage, boolean>();
  /** Set once the device is lost; every later call reports it. */
  lost: SepconvError | null = null;

  constructor(acquired: AcquiredDevice, options: WebGpuBackendOptions = {}) {
    this.device = acquired.device;
    this.adapter = acquired.adapter;
    this.owned = acquired.owned;
    this.forced = options.kernels ?? {};
    this.traits = adapterTraits(this.adapter);
    this.tuned = applicableRecords(options.tuning ?? [], adapterName(this.adapter), (m) => console.warn(m));
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
    this.noInput = this.upload(new Float32Array(4)) as GpuStorage;
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
    return { buffer, offset: 0, byteLength, external: false, lastUse: -1, error: null, allocation };
  }

  /**
   * The caller's `buffer` as a tensor's storage, from byte `offset` on (engine.tensorFromBuffer;
   * the Engine has checked the shape). Checked here: a GPUBuffer with STORAGE usage, unmapped, large
   * enough, the offset aligned as bindings need; and, when the first op using it is submitted, that
   * it belongs to this device (a bind group made now fails validation otherwise).
   */
  wrapBuffer(buffer: GPUBuffer, byteLength: number, offset: number): Storage {
    const op = 'tensorFromBuffer';
    const align = this.device.limits.minStorageBufferOffsetAlignment;
    const isBuffer = buffer !== null && typeof buffer === 'object' && typeof (buffer as GPUBuffer).size === 'number' && typeof (buffer as GPUBuffer).usage === 'number';
    if (!isBuffer) throw invalid(op, 'buffer', 'a GPUBuffer', describe(buffer));
    if (!(buffer.usage & BufferUsage.STORAGE)) {
      throw invalid(op, 'buffer', 'a GPUBuffer with GPUBufferUsage.STORAGE usage (and COPY_SRC to read the tensor back)', `usage ${usageNames(buffer.usage)}`);
    }
    if (buffer.mapState !== 'unmapped') throw invalid(op, 'buffer', 'an unmapped GPUBuffer', `a buffer whose mapState is '${buffer.mapState}'`);
    if (!Number.isInteger(offset) || offset < 0 || offset % align !== 0) {
      throw invalid(op, 'options.offset', `a byte offset ≥ 0 and a multiple of ${align} (the device's minStorageBufferOffsetAlignment)`, describe(offset));
    }
    if (offset + byteLength > buffer.size) {
      throw invalid(op, 'buffer', `a buffer of at least ${offset + byteLength} bytes (offset ${offset} + the shape's ${byteLength} bytes of f32)`, `${buffer.size} bytes`);
    }
    this.device.pushErrorScope('validation');
    this.device.createBindGroup({
      label: 'sepconv tensorFromBuffer check',
      layout: this.pipelines.bindGroupLayout(['read']),
      entries: [{ binding: 0, resource: { buffer, offset, size: byteLength } }],
    });
    const check = this.device.popErrorScope().then(
      (e) =>
        e &&
        new SepconvError(
          'INVALID_ARGUMENT',
          { op, arg: 'buffer', expected: "a GPUBuffer of this engine's device (engine.device)", given: `a buffer the device rejects: ${e.message}`, cause: e },
        ),
      () => null,
    );
    return { buffer, offset, byteLength, external: true, lastUse: -1, error: null, allocation: null, check } satisfies GpuStorage;
  }

  /** The buffer holding `s` once the work producing it is submitted (Tensor.gpuBuffer). */
  async gpuBuffer(s: Storage): Promise<{ buffer: GPUBuffer; offset: number; size: number }> {
    const storage = s as GpuStorage;
    await this.scheduler.flush();
    if (storage.error) throw storage.error;
    if (this.lost) throw this.lost;
    return { buffer: storage.buffer, offset: storage.offset, size: storage.byteLength };
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

  depthwiseConv2d(x: Storage, filter: Storage, bias: Storage | null, p: DepthwiseConv2dParams, extras: OpExtras = {}): Storage {
    return this.op('depthwise', p, { x, filter, bias }, extras);
  }

  pointwiseConv2d(x: Storage, filter: Storage, bias: Storage | null, p: PointwiseConv2dParams, extras: OpExtras = {}): Storage {
    return this.op('pointwise', p, { x, filter, bias, residual: extras.residual ?? null }, extras);
  }

  conv2d(x: Storage, filter: Storage, bias: Storage | null, p: Conv2dParams, extras: OpExtras = {}): Storage {
    return this.op('conv2d', p, { x, filter, bias }, extras);
  }

  separableConv2d(x: Storage, w: SeparableWeights, p: SeparableConv2dParams, extras: OpExtras = {}): Storage {
    return this.op('separable', p, { x, filter: w.pointwiseFilter, bias: w.bias, depthwiseFilter: w.depthwiseFilter, depthwiseBias: w.depthwiseBias }, extras);
  }

  /** Operands and output bound whole (no bands), checked before anything is recorded, named as the Engine's op. */
  binary(a: Storage, b: Storage, p: BinaryParams, extras: OpExtras = {}): Storage {
    this.assertBindable(p.kind, 'a', (a as GpuStorage).byteLength);
    this.assertBindable(p.kind, 'b', (b as GpuStorage).byteLength);
    this.assertBindable(p.kind, 'output', outputElements('binary', p) * 4);
    return this.op('binary', p, { x: a, b }, extras);
  }

  unary(x: Storage, p: UnaryParams, extras: OpExtras = {}): Storage {
    return this.dispatch('activation', unary, plainCall(p), {}, { x }, p.size, extras.out);
  }

  globalAveragePool(x: Storage, p: PoolParams, extras: OpExtras = {}): Storage {
    return this.dispatch('globalAveragePool', globalAveragePool, plainCall(p), {}, { x }, p.batch * p.channels, extras.out);
  }

  softmax(x: Storage, p: SoftmaxParams, extras: OpExtras = {}): Storage {
    return this.dispatch('softmax', softmax, plainCall(p), {}, { x }, p.rows * p.size, extras.out);
  }

  permute(x: Storage, p: PermuteParams): Storage {
    return this.dispatch('transpose', permute, plainCall(p), {}, { x }, p.inShape.reduce((a, b) => a * b, 1));
  }

  /** One dispatch per input, each scattering it into its part of the output; every input and the output bound whole. */
  concat(xs: readonly Storage[], p: ConcatParams, extras: OpExtras = {}): Storage {
    const first = p.shapes[0] as readonly number[];
    const outer = first.slice(0, p.axis).reduce((a, b) => a * b, 1);
    const inner = first.slice(p.axis + 1).reduce((a, b) => a * b, 1);
    const slabs = p.shapes.map((s) => (s[p.axis] as number) * inner);
    const outSlab = slabs.reduce((a, b) => a + b, 0);
    // Checked before anything is recorded, so a failed call records nothing.
    xs.forEach((s, i) => this.assertBindable('concat', `tensors[${i}]`, (s as GpuStorage).byteLength));
    this.assertBindable('concat', 'output', outer * outSlab * 4);
    let output = extras.out;
    let offset = 0;
    xs.forEach((x, i) => {
      const slab = slabs[i] as number;
      output = this.dispatch('concat', concatPart, plainCall({ outer, slab, outSlab, offset }), {}, { x }, outer * outSlab, output);
      offset += slab;
    });
    return output as Storage;
  }

  pixels(bytes: Uint8Array, p: PixelsParams): Storage {
    const source = this.newStorage(Math.ceil(bytes.byteLength / 4) * 4);
    this.device.queue.writeBuffer(source.buffer, 0, bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return this.pixelsFrom(source, p);
  }

  /**
   * The image copied by the GPU (copyExternalImageToTexture) into a texture, then into a
   * buffer with rows 256-byte aligned (one submit, now: queue order puts it before the
   * batch that samples it), then sampled as `pixels` does.
   */
  pixelsFromImage(image: GPUCopyExternalImageSource, p: PixelsParams): Storage {
    const bytesPerRow = Math.ceil((p.srcW * 4) / 256) * 256;
    this.assertBindable('fromPixels', 'source', bytesPerRow * p.srcH);
    this.assertBindable('fromPixels', 'output', p.outW * p.outH * p.channels * 4);
    const size = [p.srcW, p.srcH];
    const texture = this.device.createTexture({
      label: 'sepconv fromPixels',
      size,
      format: 'rgba8unorm',
      usage: TextureUsage.COPY_SRC | TextureUsage.COPY_DST | TextureUsage.TEXTURE_BINDING | TextureUsage.RENDER_ATTACHMENT,
    });
    try {
      this.device.queue.copyExternalImageToTexture({ source: image }, { texture }, size);
    } catch (cause) {
      texture.destroy();
      throw new SepconvError('INVALID_ARGUMENT', { op: 'fromPixels', arg: 'source', expected: 'an image the GPU can copy', given: `one it refused: ${String((cause as Error)?.message ?? cause)}`, cause });
    }
    const source = this.newStorage(bytesPerRow * p.srcH);
    const encoder = this.device.createCommandEncoder({ label: 'sepconv fromPixels' });
    encoder.copyTextureToBuffer({ texture }, { buffer: source.buffer, bytesPerRow }, size);
    this.device.queue.submit([encoder.finish()]);
    texture.destroy();
    return this.pixelsFrom(source, { ...p, rowStride: bytesPerRow / 4 });
  }

  /** Samples RGBA8 pixels held in `source` (released after), as PixelsParams say. */
  private pixelsFrom(source: GpuStorage, p: PixelsParams): Storage {
    try {
      this.assertBindable('fromPixels', 'source', source.byteLength);
      this.assertBindable('fromPixels', 'output', p.outW * p.outH * p.channels * 4);
      return this.dispatch('fromPixels', pixels, plainCall(p), {}, { x: source }, p.outW * p.outH * p.channels);
    } finally {
      this.release(source);
    }
  }

  pad(x: Storage, p: PadParams, extras: OpExtras = {}): Storage {
    const rank = p.inShape.length;
    const elements = p.inShape.reduce((a, d, i) => a * (d + (p.pads[i] as number) + (p.pads[rank + i] as number)), 1);
    this.assertBindable('pad', 'output', elements * 4);
    return this.dispatch('pad', pad, plainCall(p), {}, { x }, elements, extras.out);
  }

  pool2d(x: Storage, p: Pool2dParams, extras: OpExtras = {}): Storage {
    return this.op('pool', p, { x }, extras);
  }

  /** Runs a choosable op on its chosen variant (forced, tuned, or the cost model's). */
  private op<O extends ChoosableOp>(op: O, params: OpParams[O], inputs: OpInputs, extras: OpExtras): Storage {
    const call: Call<OpParams[O]> = {
      params,
      bias: inputs.bias != null,
      residual: inputs.residual != null,
      depthwiseBias: inputs.depthwiseBias != null,
    };
    // The key is only needed to look up tuning records or to capture the call.
    const key = this.captured || this.tuned.size > 0 ? callKey(op, call) : '';
    const chosen = chooseKernel(op, call, this.traits, this.forced, tunedChoice(this.tuned.get(key)));
    if (this.captured && !this.captured.has(key)) {
      const choice = { key, op, variant: chosen.variant.name, tunables: { ...chosen.tunables }, by: chosen.by };
      this.captured.set(key, { op, call, inputs, choice });
      if (!this.dryRun) for (const s of Object.values(inputs)) if (s) this.held.set(s as GpuStorage, false);
    }
    return this.runCandidate(op, call, chosen, inputs, extras);
  }

  private runCandidate<O extends ChoosableOp>(op: O, call: Call<OpParams[O]>, c: Candidate<OpParams[O]>, inputs: OpInputs, extras: OpExtras): Storage {
    if (c.variant.kind === 'composite') return c.variant.run(this, inputs, call, extras);
    return this.dispatch(OP_NAMES[op], c.variant, call, c.tunables, inputs, outputElements(op, call.params), extras.out);
  }

  /** Records a kernel variant's dispatches; binds absent optional inputs to a dummy buffer. */
  private dispatch<P>(
    op: string,
    variant: KernelVariant<P>,
    call: Call<P>,
    tunables: TunableValues,
    inputs: OpInputs,
    outElements: number,
    out?: Storage,
  ): Storage {
    const shader = variant.shader(call);
    const dispatches = variant.dispatches(call, tunables, this.binding);
    const bound = shader.inputs.slice(0, -1).map((b) => ({ b, s: (inputs[b.input as keyof OpInputs] as GpuStorage | null | undefined) ?? null }));
    // What a band does not slice is bound whole, and must fit one binding.
    for (const { b, s } of bound) if (s && dispatches.some((d) => !d.ranges[b.input])) this.assertBindable(op, b.arg ?? b.input, s.byteLength);
    const output = (out as GpuStorage | undefined) ?? this.newStorage(outElements * 4);
    const program = { kernel: shader, constants: variant.constants(call, tunables) };
    if (this.dryRun) {
      this.compiling?.set(programKey(program), this.pipelines.get(program, op));
      return output;
    }
    const pipeline = this.pipelines.get(program, op);
    const layout = this.pipelines.bindGroupLayout(shader.bindings);
    const tuned = Object.entries(tunables).map(([k, v]) => ` ${k}=${v}`).join('');
    dispatches.forEach((d, i) => {
      const band = dispatches.length > 1 ? ` band ${i + 1}/${dispatches.length}` : '';
      this.scheduler.record({
        kind: 'dispatch',
        op,
        label: `sepconv ${op} ${variant.name}${tuned}${band}`,
        pipeline,
        layout,
        uniforms: d.uniforms,
        inputs: bound.map(({ s }) => s ?? this.noInput),
        output,
        // An absent input is the dummy buffer, bound whole.
        ranges: [...bound.map(({ b, s }) => (s ? (d.ranges[b.input] ?? null) : null)), d.ranges.output ?? null],
        workgroups: d.workgroups,
      });
    });
    return output;
  }

  /** Throws TOO_LARGE when a tensor of `byteLength` bytes that an op binds whole exceeds one binding. */
  private assertBindable(op: string, arg: string, byteLength: number): void {
    if (byteLength > this.binding.maxBinding) {
      throw new SepconvError('TOO_LARGE', {
        op,
        arg,
        expected: `at most maxStorageBufferBindingSize = ${this.binding.maxBinding} bytes (this op cannot split it)`,
        given: `${byteLength} bytes`,
      });
    }
  }

  // ---- tuning ----------------------------------------------------------------------

  /** Runs `record` without dispatching anything and says which kernel each distinct op call would run on. */
  explain(record: () => void): KernelExplanation[] {
    if (this.captured || this.dryRun) throw new SepconvError('INVALID_ARGUMENT', { op: 'explain', arg: 'fn', expected: 'no tune(), explain() or compile() running', given: 'a nested call' });
    const captured = new Map<string, CapturedCall & { choice: KernelExplanation }>();
    this.captured = captured;
    this.dryRun = true;
    try {
      record();
    } finally {
      this.captured = null;
      this.dryRun = false;
    }
    return [...captured.values()].map((c) => c.choice);
  }

  /** See Backend.compile: the dry run of explain(), asking the pipeline cache for each dispatch's pipeline. */
  compile(record: () => void): Promise<number> {
    if (this.captured || this.dryRun) throw new SepconvError('INVALID_ARGUMENT', { op: 'compile', arg: 'fn', expected: 'no tune(), explain() or compile() running', given: 'a nested call' });
    const wanted = new Map<string, Promise<GPUComputePipeline>>();
    this.compiling = wanted;
    this.dryRun = true;
    try {
      record();
    } finally {
      this.compiling = null;
      this.dryRun = false;
    }
    return Promise.all(wanted.values()).then(() => wanted.size);
  }

  /**
   * Runs `record` (a function recording ops), then times the candidates of every
   * distinct op call it made (see Engine.tune) and keeps the fastest of each.
   * Resolves with the new records.
   */
  async tune(record: () => void, options: TuneOptions = {}): Promise<TuningRecord[]> {
    if (this.captured || this.dryRun) throw new SepconvError('INVALID_ARGUMENT', { op: 'tune', arg: 'fn', expected: 'no tune(), explain() or compile() running', given: 'a nested call' });
    const captured = new Map<string, CapturedCall & { choice: KernelExplanation }>();
    this.captured = captured;
    const scratch: GpuStorage[] = [];
    try {
      try {
        record();
      } finally {
        this.captured = null;
      }
      await this.settle();
      const runs = options.runs ?? 5;
      const calls = this.tuningCalls(captured, scratch);
      const tasks = [...calls].map(([key, c]) => ({ key, candidates: tuningCandidates(c.op, c.call, this.traits, this.forced) }));
      const results = await searchFastest(tasks, {
        budgetMs: options.budgetMs ?? 30_000,
        clock: options.clock ?? (() => performance.now()),
        describe: (c) => ({ variant: c.variant.name, tunables: { ...c.tunables } }),
        measure: options.measure
          ? (task, c) => (options.measure as NonNullable<TuneOptions['measure']>)(task.key, c.variant.name, c.tunables)
          : (task, c) => this.measure(calls.get(task.key) as CapturedCall, c, runs),
        onError: (task, c, e) => console.warn(`sepconv.tune: ${task.key}: candidate ${c.variant.name} failed and was skipped: ${String((e as Error)?.message ?? e)}`),
      });
      const adapter = adapterName(this.adapter);
      return results.map((r) => {
        const rec: TuningRecord = { key: r.key, adapter, version: TUNING_VERSION, ...r.winner, candidates: r.candidates };
        this.tuned.set(r.key, rec);
        return rec;
      });
    } finally {
      for (const s of scratch) this.release(s);
      const held = [...this.held];
      this.held.clear();
      for (const [s, released] of held) if (released) this.release(s);
    }
  }

  /** The tuning records in use: loaded ones that apply here, and what tune() measured. */
  tuning(): TuningRecord[] {
    return [...this.tuned.values()].map((r) => structuredClone(r));
  }

  /**
   * The calls to tune, in the order they were made. A separable call brings the
   * depthwise and pointwise calls its unfused variant makes (on a scratch
   * intermediate when `record` did not make them), first, so that variant is timed
   * with its parts' best kernels.
   */
  private tuningCalls(captured: Map<string, CapturedCall>, scratch: GpuStorage[]): Map<string, CapturedCall> {
    const calls = new Map<string, CapturedCall>();
    for (const [key, c] of captured) {
      if (c.op === 'separable') {
        for (const [partKey, part] of this.separableParts(c, captured, scratch)) if (!calls.has(partKey)) calls.set(partKey, part);
      }
      if (!calls.has(key)) calls.set(key, c);
    }
    return calls;
  }

  private separableParts(c: CapturedCall, captured: Map<string, CapturedCall>, scratch: GpuStorage[]): Map<string, CapturedCall> {
    const parts = new Map<string, CapturedCall>();
    const unfused = tuningCandidates('separable', c.call as Call<SeparableConv2dParams>, this.traits, {}).find((k) => k.variant.kind === 'composite');
    if (!unfused || unfused.variant.kind !== 'composite') return parts;
    const i = c.inputs;
    for (const part of unfused.variant.parts(c.call as Call<SeparableConv2dParams>)) {
      const key = callKey(part.op, part.call as Call<object>);
      const call = part.call as Call<OpParams[ChoosableOp]>;
      let inputs = captured.get(key)?.inputs;
      if (!inputs && part.op === 'depthwise') inputs = { x: i.x, filter: i.depthwiseFilter ?? null, bias: i.depthwiseBias ?? null };
      if (!inputs) {
        // The pointwise step reads the depthwise output: any data of its size times the same.
        const intermediate = this.allocate((call.params as PointwiseConv2dParams).pixels * (call.params as PointwiseConv2dParams).inChannels) as GpuStorage;
        scratch.push(intermediate);
        inputs = { x: intermediate, filter: i.filter ?? null, bias: i.bias ?? null };
      }
      parts.set(key, { op: part.op, call, inputs });
    }
    return parts;
  }

  /** Median ms per run of one candidate on a captured call, after an untimed run that compiles it. */
  private async measure(c: CapturedCall, candidate: Candidate<OpParams[ChoosableOp]>, runs: number): Promise<number> {
    const once = () => this.runCandidate(c.op, c.call, candidate, c.inputs, {});
    const warm = once() as GpuStorage;
    await this.settle();
    const error = warm.error;
    this.release(warm);
    if (error) throw error;
    const { ms } = await this.profile(Array.from({ length: runs }, () => () => this.release(once())));
    const sorted = [...ms].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] as number;
  }

  async read(s: Storage): Promise<Float32Array> {
    const src = s as GpuStorage;
    if (src.external && !(src.buffer.usage & BufferUsage.COPY_SRC)) {
      throw invalid('read', 'tensor', 'a tensor whose buffer can be copied from (GPUBufferUsage.COPY_SRC); tensorFromBuffer was given one without', `usage ${usageNames(src.buffer.usage)}`);
    }
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
    // The caller's buffer: theirs to destroy.
    if (storage.external) return;
    // A tuning run still measures with it: released when the run ends.
    if (this.held.has(storage)) {
      this.held.set(storage, true);
      return;
    }
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

/** A call of a kernel with no optional inputs (the utility kernels). */
function plainCall<P>(params: P): Call<P> {
  return { params, bias: false, residual: false, depthwiseBias: false };
}

/** GPUBufferUsage flags by name, for errors. */
function usageNames(usage: number): string {
  const names = Object.entries({ MAP_READ: 0x1, MAP_WRITE: 0x2, COPY_SRC: 0x4, COPY_DST: 0x8, INDEX: 0x10, VERTEX: 0x20, UNIFORM: 0x40, STORAGE: 0x80, INDIRECT: 0x100, QUERY_RESOLVE: 0x200 })
    .filter(([, bit]) => usage & bit)
    .map(([name]) => name);
  return names.length ? names.join(' | ') : 'none';
}
