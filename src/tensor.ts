import type { Storage } from './backend.js';
import type { Engine } from './engine.js';

/**
 * An f32 tensor owned by one {@link Engine}. On the WebGPU backend its data stays
 * on the GPU between ops; {@link Tensor.read} copies it back.
 */
export class Tensor {
  /** Dimensions, e.g. `[N, H, W, C]` for an image batch. */
  readonly shape: readonly number[];
  /** Number of elements. */
  readonly size: number;
  private disposedFlag = false;

  /** @internal Tensors are made by {@link Engine.tensor} and by ops. */
  constructor(
    /** @internal */ readonly engine: Engine,
    shape: readonly number[],
    /** @internal */ readonly storage: Storage,
  ) {
    this.shape = Object.freeze([...shape]);
    this.size = shape.reduce((a, b) => a * b, 1);
  }

  /** True once {@link Tensor.dispose} has been called. */
  get isDisposed(): boolean {
    return this.disposedFlag;
  }

  /**
   * Runs every queued op this tensor depends on and resolves with a copy of its data.
   * @example const values = await y.read();
   */
  read(): Promise<Float32Array> {
    return this.engine.read(this);
  }

  /** Frees the tensor's memory. Ops already queued that use it still see its data. Disposing twice is harmless. */
  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    this.engine.release(this);
  }
}
