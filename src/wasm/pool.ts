// The wasm backend's threads: a pool of workers over the backend's shared
// WebAssembly.Memory, in browsers when the page is cross-origin isolated (shared memory
// needs it) and in Node through worker_threads. An op that is worth splitting becomes a
// job: a kernel and its arguments, written into a control block in the shared memory;
// the workers, asleep on the block (Atomics.wait), wake, and with the calling thread claim
// chunks of the job's rows until none is left. The caller then waits, spinning (a
// browser's main thread may not block), until every chunk is done; a worker the system
// has not scheduled yet holds nothing up (it claims nothing once the job is over). Kernels
// are compiled by each worker from their bytes in the memory the first time a job names
// them. The worker's code, the claim protocol and the control block's layout are in
// pool-worker.js.

import { SepconvError } from '../errors.js';
import { importAtRunTime, isNode } from '../platform.js';
import workerSource from './pool-worker.js?raw';
import type { Kernel, WasmHeap } from './runtime.js';

// Control block words (pool-worker.js has the table).
const GEN = 0;
const DONE = 1;
const KIND = 2;
const CLAIM = 3;
const CHUNKS = 4;
const ERROR = 5;
const KERNEL_A = 8;
const KERNEL_B = 12;
const ARGS_A = 24;
const ARGS_B = 40;

/** Threads by default: more rarely pays on the memory-bound layers of small networks. */
export const MAX_THREADS = 4;

/** Chunks per thread a job is cut into: enough that a thread woken late still finds work. */
const CHUNKS_PER_THREAD = 4;
/** A caller waiting longer than this for the workers gives up: one of them has died. */
const WAIT_LIMIT_MS = 60_000;

/** What the pool keeps of a worker (Node's Worker and the browser's differ). */
interface PoolWorker {
  terminate(): void;
}

/** The separable job's shapes: see WasmBackend.separableConv2d. */
export interface BandsJob {
  depthwise: Kernel;
  pointwise: Kernel;
  /** x, packed depthwise weights, bias. */
  depthwiseArgs: readonly [number, number, number];
  /** Packed pointwise weights, bias, residual, y. */
  pointwiseArgs: readonly [number, number, number, number];
  rows: number;
  band: number;
  /** Byte offset of the scratch blocks (one per thread, `scratchBytes` apart). */
  scratch: number;
  scratchBytes: number;
  /** Bytes of one row of depthwise output; pixels per row. */
  rowBytes: number;
  width: number;
}

export class ThreadPool {
  private readonly control: Int32Array;
  private generation = 0;
  private destroyed = false;

  /** Tests only: false leaves every chunk to the workers (so a test sees their results, whatever the scheduling). */
  callerWorks = true;

  private constructor(
    memory: WebAssembly.Memory,
    private readonly workers: readonly PoolWorker[],
    controlOffset: number,
  ) {
    this.control = new Int32Array(memory.buffer, controlOffset, 64);
  }

  /** Threads working on a job: the workers and the caller. */
  get threads(): number {
    return this.workers.length + 1;
  }

  /**
   * A pool of `threads − 1` workers on `heap`'s (shared) memory, or null where threads are
   * not available here (a browser page that is not cross-origin isolated, no Worker).
   */
  static async create(heap: WasmHeap, threads: number): Promise<ThreadPool | null> {
    if (threads < 2 || !heap.import.shared) return null;
    const control = heap.alloc(64 * 4);
    new Int32Array(heap.memory.buffer, control.offset, 64).fill(0);
    const starts: Promise<PoolWorker>[] = [];
    for (let index = 1; index < threads; index++) starts.push(startWorker({ memory: heap.memory, control: control.offset, index }));
    const workers = await Promise.all(starts);
    return new ThreadPool(heap.memory, workers, control.offset);
  }

  /** `kernel.run(...args, lo', hi')` over [lo, hi) in chunks across the threads (rows of `grain` multiples). */
  rows(kernel: Kernel, args: readonly number[], lo: number, hi: number, grain = 1): void {
    const threads = this.threads;
    const size = Math.ceil(Math.ceil((hi - lo) / (threads * CHUNKS_PER_THREAD)) / grain) * grain;
    const c = this.control;
    this.close();
    this.setKernel(KERNEL_A, kernel);
    c[16] = lo;
    c[17] = hi;
    c[18] = size;
    c[19] = args.length;
    c.set(args, ARGS_A);
    this.run(0, Math.ceil((hi - lo) / size), (i) => {
      const a = lo + i * size;
      kernel.run(...args, a, Math.min(hi, a + size));
    });
  }

  /** A separable convolution's bands across the threads, each thread in its own scratch block. */
  bands(j: BandsJob): void {
    const c = this.control;
    this.close();
    this.setKernel(KERNEL_A, j.depthwise);
    this.setKernel(KERNEL_B, j.pointwise);
    c[16] = j.rows;
    c[17] = j.band;
    c[18] = j.scratch;
    c[19] = j.scratchBytes;
    c[20] = j.rowBytes;
    c[22] = j.width;
    c.set(j.depthwiseArgs, ARGS_A);
    c.set(j.pointwiseArgs, ARGS_B);
    this.run(1, Math.ceil(j.rows / j.band), (i) => {
      const r0 = i * j.band;
      const r1 = Math.min(j.rows, r0 + j.band);
      const base = (j.scratch - r0 * j.rowBytes) | 0; // the caller is thread 0: the first scratch block
      j.depthwise.run(...j.depthwiseArgs, base, r0, r1);
      j.pointwise.run(base, ...j.pointwiseArgs, r0 * j.width, r1 * j.width);
    });
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    const c = this.control;
    c[KIND] = -1;
    Atomics.add(c, GEN, 1);
    Atomics.notify(c, GEN);
    for (const w of this.workers) w.terminate();
  }

  /** Claims the next chunk of the current job, or −1 (pool-worker.js's claim()). */
  private claim(): number {
    const c = this.control;
    for (;;) {
      const word = Atomics.load(c, CLAIM);
      const i = word & 0xffff;
      if (i >= c[CHUNKS]!) return -1;
      if (Atomics.compareExchange(c, CLAIM, word, word + 1) === word) return i;
    }
  }

  private setKernel(slot: number, k: Kernel): void {
    if (!k.bytes) throw new Error('sepconv wasm: a kernel for the thread pool was compiled without shared memory');
    this.control[slot] = k.id;
    this.control[slot + 1] = k.bytes.offset;
    this.control[slot + 2] = k.length;
  }

  /**
   * Starts the next job's description: the claim word gets the new generation with no chunk
   * left, so a worker still looking at the last job claims nothing while it is rewritten.
   */
  private close(): void {
    if (this.destroyed) throw new Error('sepconv wasm: the thread pool was destroyed');
    this.generation++;
    Atomics.store(this.control, CLAIM, ((this.generation & 0x7fff) << 16) | 0xffff);
  }

  /** Publishes the job described since close(), of `chunks` chunks, does chunks here too, then waits until every chunk is done. */
  private run(kind: number, chunks: number, chunk: (i: number) => void): void {
    if (chunks >= 0xffff) throw new Error(`sepconv wasm: a job of ${chunks} chunks (at most 65534)`);
    const c = this.control;
    c[KIND] = kind;
    c[CHUNKS] = chunks;
    Atomics.store(c, DONE, 0);
    Atomics.store(c, ERROR, 0);
    Atomics.store(c, CLAIM, (this.generation & 0x7fff) << 16);
    Atomics.store(c, GEN, this.generation);
    Atomics.notify(c, GEN);
    for (let i = this.callerWorks ? this.claim() : -1; i >= 0; i = this.claim()) {
      chunk(i);
      Atomics.add(c, DONE, 1);
    }
    const t0 = performance.now();
    for (let spins = 0; Atomics.load(c, DONE) < chunks; spins++) {
      if ((spins & 0xffff) === 0xffff && performance.now() - t0 > WAIT_LIMIT_MS) {
        throw new SepconvError('BACKEND_UNAVAILABLE', { op: 'wasm' }, 'sepconv wasm: a worker of the thread pool stopped answering');
      }
    }
    if (Atomics.load(c, ERROR)) throw new Error('sepconv wasm: a kernel failed in a worker of the thread pool');
  }
}

/** What the pool uses of Node's worker_threads.Worker (the library's types do not include Node's). */
type NodeWorkerClass = new (source: string, options: { eval: true }) => {
  unref(): void;
  once(event: 'message' | 'error', listener: (value: unknown) => void): void;
  postMessage(message: unknown): void;
  terminate(): Promise<number>;
};

/** Starts one worker from pool-worker.js's text and resolves once it has its memory. */
async function startWorker(init: { memory: WebAssembly.Memory; control: number; index: number }): Promise<PoolWorker> {
  if (isNode()) {
    const { Worker } = await importAtRunTime<{ Worker: NodeWorkerClass }>('node:worker_threads');
    const w = new Worker(workerSource, { eval: true });
    // A sleeping worker must not keep the process alive.
    w.unref();
    await new Promise<void>((resolve, reject) => {
      w.once('message', () => resolve());
      w.once('error', reject);
      w.postMessage(init);
    });
    return { terminate: () => void w.terminate() };
  }
  const url = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
  try {
    const w = new Worker(url);
    await new Promise<void>((resolve, reject) => {
      w.onmessage = () => resolve();
      w.onerror = (e) => reject(new Error(`sepconv wasm: a pool worker failed to start (${e.message})`));
      w.postMessage(init);
    });
    return { terminate: () => w.terminate() };
  } finally {
    URL.revokeObjectURL(url);
  }
}

/**
 * Threads the wasm backend can use here: 1 where a browser page is not cross-origin
 * isolated (no shared memory) or there are no workers; else min(cores, MAX_THREADS).
 */
export async function availableThreads(): Promise<{ max: number; why: string }> {
  if (isNode()) {
    const os = await importAtRunTime<{ availableParallelism?: () => number; cpus: () => unknown[] }>('node:os');
    return { max: Math.min(MAX_THREADS, os.availableParallelism?.() ?? os.cpus().length), why: '' };
  }
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown; navigator?: { hardwareConcurrency?: number } };
  if (g.crossOriginIsolated !== true) return { max: 1, why: 'the page is not cross-origin isolated (shared memory needs COOP/COEP headers)' };
  if (typeof g.Worker !== 'function') return { max: 1, why: 'there are no Web Workers here' };
  return { max: Math.min(MAX_THREADS, g.navigator?.hardwareConcurrency ?? 1), why: '' };
}
