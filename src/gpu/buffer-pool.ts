// Size-bucketed pool of GPU buffers of one usage.
//
// Why buckets: activations of a network come in a handful of sizes; rounding up to
// one of four sizes per power of two (≤ 25% waste) lets a 1.1 MB request reuse a
// 1.2 MB buffer instead of allocating (tfjs reuses exact sizes only, #2526).
// Why deferred release: a buffer released while a recorded-but-unsubmitted command
// still reads it must not be handed out (and overwritten by queue.writeBuffer)
// before that command is submitted; queue order does the rest.

/** Byte counts the pool reports. */
export interface MemoryInfo {
  /** Bytes of all live GPU buffers this pool created. */
  bytesAllocated: number;
  /** Bytes of buffers currently handed out (or waiting for their last submit). */
  bytesInUse: number;
  /** Number of live GPU buffers. */
  buffers: number;
  /** Bytes of free buffers kept for reuse. */
  pooledBytes: number;
}

const MIN_BUCKET = 256;
/** Free buffers kept per bucket before extra ones are destroyed. */
const MAX_FREE_PER_BUCKET = 8;

/** Rounds a byte size up to its bucket: 256 B minimum, then 2^k·{1, 1.25, 1.5, 1.75}. */
export function bucketSize(bytes: number): number {
  if (bytes <= MIN_BUCKET) return MIN_BUCKET;
  const pow = 2 ** Math.floor(Math.log2(bytes));
  const quarter = pow / 4;
  return pow + Math.ceil((bytes - pow) / quarter) * quarter;
}

export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private readonly live = new Set<GPUBuffer>();
  /** Released buffers waiting for the submit of the batch that last used them. */
  private parked: { buffer: GPUBuffer; batch: number }[] = [];
  private allocated = 0;
  private inUse = 0;
  private pooled = 0;
  private submitted = -1;

  constructor(
    private readonly device: GPUDevice,
    private readonly usage: number,
    private readonly label: string,
  ) {}

  /**
   * A buffer of at least `bytes` bytes (its real size is its bucket's). For a new
   * buffer, `allocation` resolves with the out-of-memory error the GPU reported for
   * it, or null; a reused buffer has no pending allocation.
   */
  acquire(bytes: number): { buffer: GPUBuffer; allocation: Promise<GPUError | null> | null } {
    const size = bucketSize(bytes);
    const list = this.free.get(size);
    const reused = list?.pop();
    if (reused) {
      this.pooled -= size;
      this.inUse += size;
      return { buffer: reused, allocation: null };
    }
    // Allocation failures are reported asynchronously through error scopes; catch
    // them here so they reach the op that needed the buffer, not the console.
    this.device.pushErrorScope('out-of-memory');
    const buffer = this.device.createBuffer({ label: `${this.label}[${size}]`, size, usage: this.usage });
    const allocation = this.device.popErrorScope().catch(() => null);
    this.allocated += size;
    this.inUse += size;
    this.live.add(buffer);
    return { buffer, allocation };
  }

  /** Returns a buffer; it becomes reusable once batch `lastBatch` has been submitted. */
  release(buffer: GPUBuffer, lastBatch: number): void {
    if (lastBatch <= this.submitted) this.recycle(buffer);
    else this.parked.push({ buffer, batch: lastBatch });
  }

  /** Tells the pool that every batch up to `batch` has been submitted. */
  onSubmitted(batch: number): void {
    this.submitted = Math.max(this.submitted, batch);
    if (this.parked.length === 0) return;
    const still: { buffer: GPUBuffer; batch: number }[] = [];
    for (const p of this.parked) {
      if (p.batch <= this.submitted) this.recycle(p.buffer);
      else still.push(p);
    }
    this.parked = still;
  }

  private recycle(buffer: GPUBuffer): void {
    const size = buffer.size;
    this.inUse -= size;
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    if (list.length >= MAX_FREE_PER_BUCKET) {
      this.destroyBuffer(buffer);
      return;
    }
    list.push(buffer);
    this.pooled += size;
  }

  private destroyBuffer(buffer: GPUBuffer): void {
    this.allocated -= buffer.size;
    this.live.delete(buffer);
    buffer.destroy();
  }

  /** Destroys every free buffer. */
  trim(): void {
    for (const list of this.free.values()) for (const b of list) this.destroyBuffer(b);
    this.free.clear();
    this.pooled = 0;
  }

  /** Destroys every buffer this pool created, handed out or not. */
  destroyAll(): void {
    for (const b of this.live) b.destroy();
    this.live.clear();
    this.free.clear();
    this.parked = [];
    this.allocated = this.inUse = this.pooled = 0;
  }

  stats(): MemoryInfo {
    return { bytesAllocated: this.allocated, bytesInUse: this.inUse, buffers: this.live.size, pooledBytes: this.pooled };
  }
}
