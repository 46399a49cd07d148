import type { Backend, Storage } from './backend.js';
import type { Engine } from './engine.js';
import type { GpuBufferView } from './options.js';

/**
 * Memory layout of a rank-4 image tensor: `'NHWC'` (channels last, TF.js/Keras, the
 * default) or `'NCHW'` (channels first, PyTorch). Ops accept either and return the
 * layout of their input.
 */
export type Layout = 'NHWC' | 'NCHW';

/**
 * An f32 tensor owned by one {@link Engine}. On the WebGPU backend its data stays
 * on the GPU between ops; {@link Tensor.read} copies it back.
 */
export class Tensor {
  /** Dimensions, e.g. `[N, H, W, C]` for an image batch. */
  readonly shape: readonly number[];
  /** Number of elements. */
  readonly size: number;
  /** How a rank-4 tensor's dimensions are ordered; `'NHWC'` for every other rank. */
  readonly layout: Layout;
  private disposedFlag = false;

  /** Not for direct use: tensors come from {@link Engine.tensor} and from ops. */
  constructor(
    /** @internal */ readonly engine: Engine,
    shape: readonly number[],
    /** @internal */ readonly storage: Storage,
    /** @internal The backend instance holding `storage` (replaced by engine.recover()). */
    readonly owner: Backend,
    layout: Layout = 'NHWC',
  ) {
    this.shape = Object.freeze([...shape]);
    this.layout = layout;
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

  /**
   * The GPU buffer holding this tensor, once the ops it depends on are submitted: for
   * your own WebGPU passes, without a copy (queue order runs them after sepconv's). Valid
   * until the tensor is disposed; read it only (sepconv may reuse the buffer afterwards).
   * WebGPU backend only.
   * @example const { buffer, offset, size } = await y.gpuBuffer();
   */
  gpuBuffer(): Promise<GpuBufferView> {
    return this.engine.gpuBuffer(this);
  }

  /** Frees the tensor's memory. Ops already queued that use it still see its data. Disposing twice is harmless. */
  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    this.engine.release(this);
  }
}
