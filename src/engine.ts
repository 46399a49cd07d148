// The Engine validates and normalises every argument, picks the backend and
// records ops on it. It makes no GPU calls itself; backends trust what it passes.

import { ACTIVATIONS, type Activation } from './activation.js';
import type { Backend } from './backend.js';
import { CpuBackend } from './cpu/backend.js';
import { SepconvError, describe } from './errors.js';
import { WebGpuBackend } from './gpu/backend.js';
import type { MemoryInfo } from './gpu/buffer-pool.js';
import { acquireDevice, type AdapterDescription } from './gpu/device.js';
import { convGeometry, type PaddingOption, type PairOption } from './shape.js';
import { Tensor } from './tensor.js';

/** Options of {@link createEngine}. */
export interface EngineOptions {
  /** `'webgpu'`, `'cpu'`, or `'auto'` (default): WebGPU when an adapter exists, else the CPU. */
  backend?: 'webgpu' | 'cpu' | 'auto';
  /** Run on this existing device instead of creating one. sepconv will not destroy it. */
  device?: GPUDevice;
  /** Adapter preference when sepconv creates the device. */
  powerPreference?: GPUPowerPreference;
  /** Print each kernel's WGSL and override constants when its pipeline is first built. */
  printShaders?: boolean;
  /** Submit queued GPU work after this many dispatches even without a read (default 64). */
  maxDispatchesPerSubmit?: number;
}

/** Options of {@link Engine.depthwiseConv2d}. */
export interface DepthwiseConv2dOptions {
  /** Stride, one number or `[vertical, horizontal]`. Default 1. */
  stride?: PairOption;
  /** Dilation, one number or `[vertical, horizontal]`. Default 1. */
  dilation?: PairOption;
  /** `'same'`, `'valid'` (default), `p` or `[top, bottom, left, right]`. */
  padding?: PaddingOption;
  /** Bias of shape `[C·M]`, added before the activation. */
  bias?: Tensor;
  /** Activation fused into the write. Default `'linear'`. */
  activation?: Activation;
}

/** Options of {@link Engine.pointwiseConv2d}. */
export interface PointwiseConv2dOptions {
  /** Bias of shape `[Cout]`, added before the activation. */
  bias?: Tensor;
  /** Activation fused into the write. Default `'linear'`. */
  activation?: Activation;
}

/** Tensor data: a Float32Array is used as is (copied); any other array of numbers is converted to f32. */
export type TensorData = Float32Array | ArrayLike<number>;

function invalid(op: string, arg: string, expected: string, given: string): SepconvError {
  return new SepconvError('INVALID_ARGUMENT', { op, arg, expected, given });
}

function mismatch(op: string, arg: string, expected: string, given: string): SepconvError {
  return new SepconvError('SHAPE_MISMATCH', { op, arg, expected, given });
}

/**
 * A convolution engine bound to one backend. Create it with {@link createEngine}.
 * Ops return their output tensor at once; the work is queued and runs when a
 * result is read (or when enough work has been queued).
 */
export class Engine {
  /** The backend actually in use. */
  readonly backend: 'webgpu' | 'cpu';
  /** The GPU adapter in use, or null on the CPU backend. */
  readonly adapter: AdapterDescription | null;
  private readonly impl: Backend;
  private destroyed = false;

  /** @internal Use {@link createEngine}. */
  constructor(impl: Backend) {
    this.impl = impl;
    this.backend = impl.kind;
    this.adapter = impl instanceof WebGpuBackend ? impl.adapter : null;
  }

  /** The GPU device in use, or null on the CPU backend. */
  get device(): GPUDevice | null {
    return this.impl instanceof WebGpuBackend ? this.impl.device : null;
  }

  /**
   * Creates a tensor from `data` laid out row-major in `shape` (NHWC for images).
   * @example const x = engine.tensor(new Float32Array(1 * 8 * 8 * 3), [1, 8, 8, 3]);
   */
  tensor(data: TensorData, shape: readonly number[]): Tensor {
    const op = 'tensor';
    this.assertAlive(op);
    if (!Array.isArray(shape) || shape.length === 0) {
      throw invalid(op, 'shape', 'a non-empty array of positive integers', describe(shape));
    }
    shape.forEach((d, i) => {
      if (typeof d !== 'number' || !Number.isInteger(d) || d <= 0) {
        throw invalid(op, `shape[${i}]`, 'a positive integer', describe(d));
      }
    });
    if (data === null || typeof data !== 'object' || typeof (data as ArrayLike<number>).length !== 'number') {
      throw invalid(op, 'data', 'a Float32Array or an array of numbers', describe(data));
    }
    const size = shape.reduce((a, b) => a * b, 1);
    if (data.length !== size) {
      throw mismatch(op, 'data', `${size} elements for shape ${describe(shape)}`, `${data.length}`);
    }
    const values = data instanceof Float32Array ? data : Float32Array.from(data);
    return new Tensor(this, shape, this.impl.upload(values));
  }

  /**
   * Depthwise 2-D convolution: each input channel is convolved with its own `M`
   * filters (`M` = channel multiplier). Input `[N, H, W, C]`, filter `[kh, kw, C, M]`,
   * output `[N, Ho, Wo, C·M]` with output channel `c·M + m`.
   * @example const y = engine.depthwiseConv2d(x, w, { stride: 2, padding: 'same', activation: 'relu6' });
   */
  depthwiseConv2d(x: Tensor, filter: Tensor, options: DepthwiseConv2dOptions = {}): Tensor {
    const op = 'depthwiseConv2d';
    this.assertAlive(op);
    this.assertOptions(op, options);
    this.assertTensor(op, 'x', x, 4, '[N, H, W, C]');
    this.assertTensor(op, 'filter', filter, 4, '[kh, kw, C, M]');
    const [batch, , , channels] = x.shape as [number, number, number, number];
    const [kH, kW, fc, multiplier] = filter.shape as [number, number, number, number];
    if (fc !== channels) {
      throw mismatch(op, 'filter', `shape [kh, kw, ${channels}, M] (filter channels = input channels)`, describe(filter.shape));
    }
    const outC = channels * multiplier;
    const bias = this.optionalBias(op, options.bias, outC);
    const activation = this.activation(op, options.activation);
    const geom = convGeometry(op, x.shape, kH, kW, options);
    const storage = this.impl.depthwiseConv2d(x.storage, filter.storage, bias, {
      ...geom,
      channels,
      multiplier,
      activation,
    });
    return new Tensor(this, [batch, geom.outH, geom.outW, outC], storage);
  }

  /**
   * Pointwise (1×1) convolution: mixes channels at every pixel. Input `[N, H, W, Cin]`,
   * filter `[Cin, Cout]` (or `[1, 1, Cin, Cout]` as TF.js stores 1×1 filters),
   * output `[N, H, W, Cout]`.
   * @example const z = engine.pointwiseConv2d(y, w2, { bias: b, activation: 'relu' });
   */
  pointwiseConv2d(x: Tensor, filter: Tensor, options: PointwiseConv2dOptions = {}): Tensor {
    const op = 'pointwiseConv2d';
    this.assertAlive(op);
    this.assertOptions(op, options);
    this.assertTensor(op, 'x', x, 4, '[N, H, W, Cin]');
    this.assertTensor(op, 'filter', filter, undefined, '[Cin, Cout]');
    const fs = filter.shape;
    const is1x1 = fs.length === 4 && fs[0] === 1 && fs[1] === 1;
    if (fs.length !== 2 && !is1x1) {
      throw invalid(op, 'filter', 'shape [Cin, Cout] or [1, 1, Cin, Cout]', describe(fs));
    }
    const [cin, cout] = fs.slice(-2) as [number, number];
    const [batch, h, w, channels] = x.shape as [number, number, number, number];
    if (cin !== channels) {
      throw mismatch(op, 'filter', `Cin = ${channels} (the input's channels)`, `filter shape ${describe(fs)}`);
    }
    const bias = this.optionalBias(op, options.bias, cout);
    const activation = this.activation(op, options.activation);
    const storage = this.impl.pointwiseConv2d(x.storage, filter.storage, bias, {
      rows: batch * h * w,
      inChannels: cin,
      outChannels: cout,
      activation,
    });
    return new Tensor(this, [batch, h, w, cout], storage);
  }

  /** Starts every queued op; resolves once they are submitted to the GPU. */
  async flush(): Promise<void> {
    if (this.impl instanceof WebGpuBackend) await this.impl.flush();
  }

  /** GPU memory held by this engine's tensors and buffer pools (zeros on the CPU backend). */
  memory(): MemoryInfo {
    if (this.impl instanceof WebGpuBackend) return this.impl.memory();
    return { bytesAllocated: 0, bytesInUse: 0, buffers: 0, pooledBytes: 0 };
  }

  /**
   * Frees every resource of the engine, and the GPU device if sepconv created it.
   * Tensors of the engine become unusable. Calling it twice is harmless.
   */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.impl.destroy();
  }

  /** @internal */
  read(t: Tensor): Promise<Float32Array> {
    try {
      this.assertAlive('read');
      this.assertTensor('read', 'tensor', t);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.impl.read(t.storage);
  }

  /** @internal */
  release(t: Tensor): void {
    if (!this.destroyed) this.impl.release(t.storage);
  }

  private assertAlive(op: string): void {
    if (this.destroyed) {
      throw new SepconvError('ENGINE_DESTROYED', { op }, `sepconv.${op}: the engine was destroyed; create a new one`);
    }
  }

  private assertOptions(op: string, options: unknown): void {
    if (options === null || typeof options !== 'object') {
      throw invalid(op, 'options', 'an object', describe(options));
    }
  }

  private assertTensor(op: string, arg: string, t: unknown, rank?: number, layout?: string): asserts t is Tensor {
    if (!(t instanceof Tensor)) throw invalid(op, arg, 'a Tensor', describe(t));
    if (t.engine !== this) {
      throw new SepconvError('WRONG_ENGINE', {
        op,
        arg,
        expected: 'a tensor created by this engine',
        given: 'a tensor of another engine',
      });
    }
    if (t.isDisposed) {
      throw new SepconvError('DISPOSED', { op, arg, expected: 'a live tensor', given: 'a disposed tensor' });
    }
    if (rank !== undefined && t.shape.length !== rank) {
      throw invalid(op, arg, `rank ${rank} ${layout ?? ''}`.trim(), `rank ${t.shape.length} ${describe(t.shape)}`);
    }
  }

  private optionalBias(op: string, bias: Tensor | undefined, length: number) {
    if (bias === undefined) return null;
    this.assertTensor(op, 'options.bias', bias);
    if (bias.shape.length !== 1 || bias.shape[0] !== length) {
      throw mismatch(op, 'options.bias', `shape [${length}] (one value per output channel)`, describe(bias.shape));
    }
    return bias.storage;
  }

  private activation(op: string, a: Activation | undefined): Activation {
    if (a === undefined) return 'linear';
    if (!ACTIVATIONS.includes(a)) {
      throw invalid(op, 'options.activation', `one of ${ACTIVATIONS.map((x) => `'${x}'`).join(', ')}`, describe(a));
    }
    return a;
  }
}

/**
 * Creates an engine. With `backend: 'auto'` (the default) it uses WebGPU when an
 * adapter exists and the CPU otherwise; `engine.backend` says which. In Node,
 * WebGPU comes from the optional `webgpu` package.
 * @example const engine = await createEngine({ backend: 'webgpu' });
 */
export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  const op = 'createEngine';
  if (options === null || typeof options !== 'object') throw invalid(op, 'options', 'an object', describe(options));
  const choice = options.backend ?? 'auto';
  if (choice !== 'webgpu' && choice !== 'cpu' && choice !== 'auto') {
    throw invalid(op, 'options.backend', "'webgpu', 'cpu' or 'auto'", describe(choice));
  }
  const m = options.maxDispatchesPerSubmit;
  if (m !== undefined && !(Number.isInteger(m) && m > 0)) {
    throw invalid(op, 'options.maxDispatchesPerSubmit', 'a positive integer', describe(m));
  }
  if (choice === 'cpu') return new Engine(new CpuBackend());
  let acquired;
  try {
    acquired = await acquireDevice(options);
  } catch (e) {
    // 'auto' means: the GPU when there is one. No adapter (or no WebGPU at all) is not an error then.
    if (choice === 'auto' && e instanceof SepconvError && e.code === 'BACKEND_UNAVAILABLE') {
      return new Engine(new CpuBackend());
    }
    throw e;
  }
  const gpuOptions = {
    ...(options.printShaders !== undefined && { printShaders: options.printShaders }),
    ...(m !== undefined && { maxDispatchesPerSubmit: m }),
  };
  return new Engine(new WebGpuBackend(acquired, gpuOptions));
}
