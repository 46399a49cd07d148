// The only place that touches GPUCommandEncoder. Ops are recorded into an open
// batch and return at once; a batch is encoded into one command encoder (one
// compute pass for consecutive dispatches) and submitted when a read needs it or
// when it reaches `maxDispatchesPerBatch`. Pipelines compile asynchronously, so
// encoding waits for them; batches still submit strictly in record order.
//
// Errors: a failed allocation, pipeline or input marks the op's output with the
// error and skips the dispatch (every later op using it is skipped too), so a
// read reports the first cause. Validation and out-of-memory errors of a whole
// batch are caught with error scopes and mark every output of the batch.

import { SepconvError } from '../errors.js';
import type { BindRange } from '../kernels/bands.js';
import type { BufferPool } from './buffer-pool.js';

/** A tensor's data on the GPU. */
export interface GpuStorage {
  buffer: GPUBuffer;
  /** Where the data starts in `buffer`, in bytes: 0 for sepconv's own buffers; a caller's offset for tensorFromBuffer. */
  offset: number;
  /** Bytes of data (the buffer may be larger: pool buckets). */
  byteLength: number;
  /** The caller's buffer (engine.tensorFromBuffer): never pooled, written or destroyed by sepconv. */
  external: boolean;
  /** Id of the last batch that recorded a command using this buffer. */
  lastUse: number;
  /** Set when the op producing this data failed; every later use reports it. */
  error: SepconvError | null;
  /** The out-of-memory check of a freshly created buffer, until the scheduler has looked at it. */
  allocation: Promise<GPUError | null> | null;
  /** The check of a caller's buffer (its device), until the scheduler has looked at it: the error to mark it with, or null. */
  check?: Promise<SepconvError | null> | null;
}

/** One compute dispatch: bindings are [uniform, ...inputs, output]. */
export interface DispatchCommand {
  kind: 'dispatch';
  op: string;
  label: string;
  pipeline: Promise<GPUComputePipeline>;
  layout: GPUBindGroupLayout;
  uniforms: ArrayBuffer;
  inputs: readonly GpuStorage[];
  output: GpuStorage;
  /** Byte range bound for each of [...inputs, output]; null binds all of the data. */
  ranges: readonly (BindRange | null)[];
  /** Total workgroups; the scheduler folds them into a grid within the device's per-dimension limit. */
  workgroups: number;
}

/** A buffer-to-buffer copy, used for readback. */
export interface CopyCommand {
  kind: 'copy';
  src: GpuStorage;
  dst: GPUBuffer;
  byteLength: number;
}

/**
 * Starts a timed section: the dispatches after it (until the next section, copy or
 * resolve) run in their own compute pass, which writes GPU timestamps to
 * `querySet` at indices 2·index (begin) and 2·index + 1 (end).
 */
export interface SectionCommand {
  kind: 'section';
  querySet: GPUQuerySet;
  index: number;
}

/** Resolves `count` timestamps into `resolveBuffer` and copies them to `staging` for reading. */
export interface ResolveCommand {
  kind: 'resolve';
  querySet: GPUQuerySet;
  count: number;
  resolveBuffer: GPUBuffer;
  staging: GPUBuffer;
}

type Command = DispatchCommand | CopyCommand | SectionCommand | ResolveCommand;

/**
 * Folds `total` workgroups into an [x, y, z] grid with every dimension ≤ `maxPerDim`.
 * Shaders linearise the workgroup id and skip ids ≥ total.
 */
export function dispatchGrid(total: number, maxPerDim: number): [number, number, number] {
  if (total <= maxPerDim) return [Math.max(total, 1), 1, 1];
  const planes = Math.ceil(total / (maxPerDim * maxPerDim));
  const perPlane = Math.ceil(total / planes);
  const y = Math.ceil(perPlane / maxPerDim);
  const x = Math.ceil(perPlane / y);
  return [x, y, planes];
}

// Uniform blocks of a batch share one buffer, each at an offset aligned as the
// device requires (minUniformBufferOffsetAlignment, 256 by default).
function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** Small integer ids for GPU objects, for bind group cache keys. */
const objectIds = new WeakMap<object, number>();
let nextObjectId = 1;
function idOf(o: object): number {
  let id = objectIds.get(o);
  if (id === undefined) objectIds.set(o, (id = nextObjectId++));
  return id;
}

/** Cached bind groups per output buffer; a few per buffer is all a steady loop needs. */
const MAX_BIND_GROUPS_PER_BUFFER = 8;

export class Scheduler {
  private open: Command[] = [];
  /**
   * Bind groups by output buffer, then by the rest of their contents. Buffers are
   * never rebound to other data under the same object, and a destroyed buffer's id
   * never comes back, so a hit is always valid.
   */
  private readonly bindGroups = new WeakMap<GPUBuffer, Map<string, GPUBindGroup>>();
  private openId = 0;
  private tail: Promise<void> = Promise.resolve();
  private lastBatch: Promise<void> = Promise.resolve();
  private lostReason: SepconvError | null = null;
  /** > 0 while atomically() runs: no automatic flush. */
  private held = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly uniformPool: BufferPool,
    /** Pools whose released buffers wait for a submit. */
    private readonly pools: readonly BufferPool[],
    private readonly maxDispatchesPerBatch = 64,
    /** Called when the GPU reports it is out of memory, to free what can be freed. */
    private readonly onOutOfMemory: () => void = () => {},
  ) {}

  /** Id of the batch that commands recorded now will belong to. */
  get currentBatch(): number {
    return this.openId;
  }

  /** Marks the device lost: later batches fail with `reason`. */
  markLost(reason: SepconvError): void {
    this.lostReason = reason;
  }

  record(cmd: Command): void {
    if (cmd.kind === 'dispatch') {
      for (const s of cmd.inputs) s.lastUse = this.openId;
      cmd.output.lastUse = this.openId;
    } else if (cmd.kind === 'copy') {
      cmd.src.lastUse = this.openId;
    }
    this.open.push(cmd);
    if (this.held === 0 && this.open.length >= this.maxDispatchesPerBatch) void this.flush().catch(() => {});
  }

  /**
   * Records everything `fn` records into the open batch, however many dispatches
   * that is (no automatic submit in between): one command buffer, one submit.
   */
  atomically<T>(fn: () => T): T {
    this.held++;
    try {
      return fn();
    } finally {
      this.held--;
    }
  }

  /** Submits everything recorded so far; resolves when that batch is submitted. */
  flush(): Promise<void> {
    if (this.open.length === 0) return this.lastBatch;
    const cmds = this.open;
    const id = this.openId;
    this.open = [];
    this.openId++;
    const done = this.tail.then(() => this.submit(cmds, id));
    this.tail = done.catch(() => {});
    this.lastBatch = done;
    return done;
  }

  private async submit(cmds: Command[], id: number): Promise<void> {
    try {
      await this.encodeAndSubmit(cmds, id);
    } catch (e) {
      // After a device loss every GPU call may fail in its own way; report the loss.
      throw this.lostReason ?? e;
    } finally {
      for (const pool of this.pools) pool.onSubmitted(id);
    }
  }

  /** The bind group of a dispatch, from the cache when the same buffers and ranges were bound before. */
  private bindGroup(c: DispatchCommand, uniform: GPUBuffer): GPUBindGroup {
    const key = bindGroupKey(c, uniform);
    let cache = this.bindGroups.get(c.output.buffer);
    const hit = cache?.get(key);
    if (hit) return hit;
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: uniform, offset: 0, size: c.uniforms.byteLength } }];
    [...c.inputs, c.output].forEach((s, k) => {
      const r = c.ranges[k] ?? { offset: 0, size: s.byteLength };
      entries.push({ binding: k + 1, resource: { buffer: s.buffer, offset: s.offset + r.offset, size: r.size } });
    });
    const group = this.device.createBindGroup({ label: c.label, layout: c.layout, entries });
    if (!cache) this.bindGroups.set(c.output.buffer, (cache = new Map()));
    if (cache.size >= MAX_BIND_GROUPS_PER_BUFFER) cache.clear();
    cache.set(key, group);
    return group;
  }

  /** Resolves the pending allocation checks of a storage, marking it on failure. */
  private async checkAllocation(s: GpuStorage, op: string): Promise<void> {
    const check = s.check;
    if (check) {
      s.check = null;
      s.error ??= await check;
    }
    const pending = s.allocation;
    if (!pending) return;
    s.allocation = null;
    const err = await pending;
    if (err && !s.error) {
      this.onOutOfMemory();
      s.error = new SepconvError(
        'GPU_OUT_OF_MEMORY',
        { op, cause: err },
        `sepconv.${op}: the GPU could not allocate ${s.byteLength} bytes (${err.message}); ` +
          'sepconv released its pooled buffers: dispose unused tensors and retry',
      );
    }
  }

  private async encodeAndSubmit(cmds: Command[], id: number): Promise<void> {
    if (this.lostReason) {
      for (const c of cmds) if (c.kind === 'dispatch') c.output.error ??= this.lostReason;
      throw this.lostReason;
    }
    const checks: Promise<void>[] = [];
    for (const c of cmds) {
      if (c.kind === 'dispatch') for (const s of [...c.inputs, c.output]) checks.push(this.checkAllocation(s, c.op));
      else if (c.kind === 'copy') checks.push(this.checkAllocation(c.src, 'read'));
    }
    await Promise.all(checks);
    const pipelines = await Promise.allSettled(cmds.map((c) => (c.kind === 'dispatch' ? c.pipeline : null)));
    if (this.lostReason) throw this.lostReason;

    const uniformAlign = this.device.limits.minUniformBufferOffsetAlignment;
    let uniformBytes = 0;
    for (const c of cmds) if (c.kind === 'dispatch') uniformBytes = align(uniformBytes, uniformAlign) + c.uniforms.byteLength;
    const uniformBuffer = uniformBytes > 0 ? this.uniformPool.acquire(uniformBytes).buffer : null;
    const staged = new Uint8Array(uniformBytes);

    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    const encoder = this.device.createCommandEncoder({ label: `sepconv batch ${id}` });
    const maxPerDim = this.device.limits.maxComputeWorkgroupsPerDimension;
    let pass: GPUComputePassEncoder | null = null;
    let timestamps: GPUComputePassTimestampWrites | undefined;
    let offset = 0;
    const ran: DispatchCommand[] = [];
    cmds.forEach((c, i) => {
      if (c.kind !== 'dispatch') {
        pass?.end();
        pass = null;
        timestamps = undefined;
        if (c.kind === 'copy') {
          if (!c.src.error) encoder.copyBufferToBuffer(c.src.buffer, c.src.offset, c.dst, 0, c.byteLength);
        } else if (c.kind === 'section') {
          timestamps = { querySet: c.querySet, beginningOfPassWriteIndex: 2 * c.index, endOfPassWriteIndex: 2 * c.index + 1 };
          // A section with no dispatch still gets its pass, so its timestamps exist.
          pass = encoder.beginComputePass({ label: `sepconv batch ${id} section ${c.index}`, timestampWrites: timestamps });
        } else {
          encoder.resolveQuerySet(c.querySet, 0, c.count, c.resolveBuffer, 0);
          encoder.copyBufferToBuffer(c.resolveBuffer, 0, c.staging, 0, c.count * 8);
        }
        return;
      }
      const failedInput = c.inputs.find((s) => s.error)?.error ?? c.output.error;
      const compiled = pipelines[i] as PromiseSettledResult<GPUComputePipeline>;
      if (failedInput || compiled.status === 'rejected') {
        // Skip it; the output carries the first error so reads report it.
        c.output.error = failedInput ?? toSepconvError(c.op, (compiled as PromiseRejectedResult).reason);
        return;
      }
      offset = align(offset, uniformAlign);
      staged.set(new Uint8Array(c.uniforms), offset);
      const bindGroup = this.bindGroup(c, uniformBuffer as GPUBuffer);
      pass ??= encoder.beginComputePass({ label: `sepconv batch ${id}` });
      pass.setPipeline(compiled.value);
      pass.setBindGroup(0, bindGroup, [offset]);
      offset += c.uniforms.byteLength;
      const [x, y, z] = dispatchGrid(c.workgroups, maxPerDim);
      pass.dispatchWorkgroups(x, y, z);
      ran.push(c);
    });
    (pass as GPUComputePassEncoder | null)?.end();
    if (uniformBuffer) this.device.queue.writeBuffer(uniformBuffer, 0, staged);
    this.device.queue.submit([encoder.finish()]);
    if (uniformBuffer) this.uniformPool.release(uniformBuffer, id);
    const [validation, oom] = await Promise.all([this.device.popErrorScope(), this.device.popErrorScope()]);
    if (this.lostReason) throw this.lostReason;
    const gpuError = validation ?? oom;
    if (gpuError) {
      const op = ran[0]?.op ?? 'read';
      const ops = [...new Set(ran.map((c) => c.op))].join(', ') || 'a readback';
      if (!validation) this.onOutOfMemory();
      const err = validation
        ? new SepconvError(
            'GPU_VALIDATION',
            { op, cause: gpuError },
            `sepconv.${op}: the GPU rejected a batch with ${ops}: ${gpuError.message}`,
          )
        : new SepconvError(
            'GPU_OUT_OF_MEMORY',
            { op, cause: gpuError },
            `sepconv.${op}: the GPU ran out of memory running ${ops} (${gpuError.message}); ` +
              'sepconv released its pooled buffers: dispose unused tensors and retry',
          );
      for (const c of ran) c.output.error ??= err;
      throw err;
    }
  }
}

export function bindGroupKey(c: DispatchCommand, uniform: GPUBuffer): string {
  const parts = [idOf(c.layout), idOf(uniform), c.uniforms.byteLength];
  c.inputs.forEach((s, k) => {
    const r = c.ranges[k];
    parts.push(idOf(s.buffer), s.offset, r ? r.offset : -1, r ? r.size : s.byteLength);
  });
  const r = c.ranges[c.inputs.length];
  parts.push(r ? r.offset : -1, r ? r.size : c.output.byteLength);
  return parts.join(',');
}

function toSepconvError(op: string, reason: unknown): SepconvError {
  return reason instanceof SepconvError
    ? reason
    : new SepconvError('SHADER_COMPILE', { op, cause: reason }, `sepconv.${op}: ${String(reason)}`);
}
