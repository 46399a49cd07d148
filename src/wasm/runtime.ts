// The wasm backend's runtime pieces: one WebAssembly.Memory that tensors live in,
// a first-fit allocator over it (16-byte aligned blocks, grown by whole pages), and
// the generated kernels, compiled once per specialisation and instantiated on that
// memory. Views of the memory are made per use: growing it detaches old ones. With
// threads the memory is shared (it then needs a maximum: 2 GiB, the backend's tensor
// limit) and each kernel's bytes stay in it, for the pool's workers to compile.

import type { MemoryImport } from './emit.js';

const PAGE = 65536;
/** A shared memory's maximum: 2 GiB. */
const SHARED_MAX_PAGES = 32768;

/** A block of the memory: byte offset and size. */
export interface Block {
  readonly offset: number;
  readonly bytes: number;
}

export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  /** Free blocks, by offset; adjacent ones merge on free. */
  private free: Block[] = [];
  private top = 16; // address 0 stays unused: a null pointer is never a tensor

  readonly import: MemoryImport;

  constructor(shared = false, initialPages = 16) {
    this.memory = shared ? new WebAssembly.Memory({ initial: initialPages, maximum: SHARED_MAX_PAGES, shared: true }) : new WebAssembly.Memory({ initial: initialPages });
    this.import = { shared, maxPages: shared ? SHARED_MAX_PAGES : 0 };
  }

  /** A 16-byte-aligned block of at least `bytes` bytes (and at least 16: v128 accesses past a tail stay inside). */
  alloc(bytes: number): Block {
    const size = Math.max(16, Math.ceil(bytes / 16) * 16) + 16;
    const i = this.free.findIndex((b) => b.bytes >= size);
    if (i >= 0) {
      const b = this.free[i] as Block;
      if (b.bytes === size) this.free.splice(i, 1);
      else this.free[i] = { offset: b.offset + size, bytes: b.bytes - size };
      return { offset: b.offset, bytes: size };
    }
    const offset = this.top;
    this.top += size;
    const have = this.memory.buffer.byteLength;
    if (this.top > have) this.memory.grow(Math.ceil((this.top - have) / PAGE));
    return { offset, bytes: size };
  }

  release(b: Block): void {
    const list = this.free;
    let i = 0;
    while (i < list.length && (list[i] as Block).offset < b.offset) i++;
    list.splice(i, 0, { ...b });
    // Merge with the next, then the previous block.
    const next = list[i + 1];
    if (next && b.offset + b.bytes === next.offset) list.splice(i, 2, { offset: b.offset, bytes: b.bytes + next.bytes });
    const prev = list[i - 1];
    const cur = list[i] as Block;
    if (prev && prev.offset + prev.bytes === cur.offset) list.splice(i - 1, 2, { offset: prev.offset, bytes: prev.bytes + cur.bytes });
    // A free block at the top returns to the bump region.
    const tail = list[list.length - 1];
    if (tail && tail.offset + tail.bytes === this.top) {
      this.top = tail.offset;
      list.pop();
    }
  }

  /** The f32 view of `elements` values at `b` (valid until the memory grows). */
  f32(b: Block, elements: number): Float32Array {
    return new Float32Array(this.memory.buffer, b.offset, elements);
  }
}

/** A compiled kernel: its `run` export here; with a shared memory, its id and bytes (in the memory) for the workers. */
export interface Kernel {
  readonly run: (...args: number[]) => void;
  readonly id: number;
  readonly bytes: Block | null;
  readonly length: number;
}

/** Generated modules compiled once per key and instantiated on the heap's memory. */
export class KernelCache {
  private readonly kernels = new Map<string, Kernel>();

  constructor(private readonly heap: WasmHeap) {}

  /** The kernel `emit()` makes for `key` (emitted for the heap's memory import). */
  get(key: string, emit: (memory: MemoryImport) => Uint8Array): Kernel {
    let k = this.kernels.get(key);
    if (!k) {
      const code = emit(this.heap.import);
      const inst = new WebAssembly.Instance(new WebAssembly.Module(code as BufferSource), { env: { memory: this.heap.memory } });
      let bytes: Block | null = null;
      if (this.heap.import.shared) {
        bytes = this.heap.alloc(code.length);
        new Uint8Array(this.heap.memory.buffer, bytes.offset, code.length).set(code);
      }
      k = { run: inst.exports.run as (...args: number[]) => void, id: this.kernels.size + 1, bytes, length: code.length };
      this.kernels.set(key, k);
    }
    return k;
  }

  get size(): number {
    return this.kernels.size;
  }
}
