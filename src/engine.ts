// The Engine validates and normalises every argument, picks the backend and
// records ops on it. It makes no GPU calls itself; backends trust what it passes.
// Backends only see NHWC images and HWIO filters: the Engine transposes NCHW
// inputs and OIHW filters around them (on the backend, so data stays on the GPU).

import { resolveActivation, type Activation } from './activation.js';
import type { Backend, Storage } from './backend.js';
import { CpuBackend } from './cpu/backend.js';
import { SepconvError, describe } from './errors.js';
import { WebGpuBackend, type EngineLimits, type KernelChoice } from './gpu/backend.js';
import type { MemoryInfo } from './gpu/buffer-pool.js';
import { acquireDevice, type AdapterDescription } from './gpu/device.js';
import { convGeometry, type ConvGeometry, type PaddingOption, type PairOption } from './shape.js';
import { Tensor, type Layout } from './tensor.js';

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
  /**
   * Force kernel variants instead of sepconv's choice (for tests and tuning), e.g.
   * `{ depthwise: 'scalar' }`. A variant that cannot run a shape falls back to one that can.
   */
  kernels?: KernelChoice;
}

/**
 * How filters are laid out: `'HWIO'` (TF.js/Keras, the default) or `'OIHW'` (PyTorch).
 * For each op, HWIO / OIHW shapes are:
 * - conv2d: `[kh, kw, Cin/groups, Cout]` / `[Cout, Cin/groups, kh, kw]`
 * - depthwise: `[kh, kw, C, M]` / `[C·M, 1, kh, kw]`
 * - pointwise: `[Cin, Cout]` or `[1, 1, Cin, Cout]` / `[Cout, Cin, 1, 1]`
 */
export type FilterLayout = 'HWIO' | 'OIHW';

/** Options every op with a fused epilogue takes. */
export interface ActivationOptions {
  /** Activation fused into the write. Default `'linear'`. */
  activation?: Activation;
  /** Negative slope of `leakyRelu` (default 0.2) or scale of `elu` (default 1). */
  alpha?: number;
}

/** Spatial options of the k×k convolutions. */
export interface SpatialOptions {
  /** Stride, one number or `[vertical, horizontal]`. Default 1. */
  stride?: PairOption;
  /** Dilation, one number or `[vertical, horizontal]`. Default 1. */
  dilation?: PairOption;
  /** `'same'`, `'valid'` (default), `p` or `[top, bottom, left, right]`. */
  padding?: PaddingOption;
}

/** Options of {@link Engine.depthwiseConv2d}. */
export interface DepthwiseConv2dOptions extends SpatialOptions, ActivationOptions {
  /** Bias of shape `[C·M]`, added before the activation. */
  bias?: Tensor;
  /** Layout of `filter`. Default `'HWIO'` (`[kh, kw, C, M]`). */
  filterLayout?: FilterLayout;
}

/** Options of {@link Engine.pointwiseConv2d}. */
export interface PointwiseConv2dOptions extends ActivationOptions {
  /** Bias of shape `[Cout]`, added before the activation. */
  bias?: Tensor;
  /** Layout of `filter`. Default `'HWIO'` (`[Cin, Cout]` or `[1, 1, Cin, Cout]`). */
  filterLayout?: FilterLayout;
}

/** Options of {@link Engine.conv2d}. */
export interface Conv2dOptions extends SpatialOptions, ActivationOptions {
  /** Number of channel groups; divides Cin and Cout. Default 1. */
  groups?: number;
  /** Bias of shape `[Cout]`, added before the activation. */
  bias?: Tensor;
  /** Layout of `filter`. Default `'HWIO'` (`[kh, kw, Cin/groups, Cout]`). */
  filterLayout?: FilterLayout;
}

/** Options of {@link Engine.separableConv2d}. */
export interface SeparableConv2dOptions extends SpatialOptions, ActivationOptions {
  /** Bias of shape `[C·M]` added after the depthwise step (no activation there). */
  depthwiseBias?: Tensor;
  /** Bias of shape `[Cout]` added after the pointwise step, before the activation. */
  bias?: Tensor;
  /** Layout of both filters. Default `'HWIO'`. */
  filterLayout?: FilterLayout;
}

/** Options of {@link Engine.tensor}. */
export interface TensorOptions {
  /** Layout of a rank-4 image tensor. Default `'NHWC'`. */
  layout?: Layout;
}

/** Tensor data: a Float32Array is used as is (copied); any other array of numbers is converted to f32. */
export type TensorData = Float32Array | ArrayLike<number>;

function invalid(op: string, arg: string, expected: string, given: string): SepconvError {
  return new SepconvError('INVALID_ARGUMENT', { op, arg, expected, given });
}

function mismatch(op: string, arg: string, expected: string, given: string): SepconvError {
  return new SepconvError('SHAPE_MISMATCH', { op, arg, expected, given });
}

/** OIHW → HWIO is the same transpose for every filter kind. */
const OIHW_TO_HWIO = [2, 3, 1, 0] as const;
const NCHW_TO_NHWC = [0, 2, 3, 1] as const;
const NHWC_TO_NCHW = [0, 3, 1, 2] as const;

/** An NHWC view of an op's input: its storage, shape, and a temporary to free after recording. */
interface Prepared {
  storage: Storage;
  shape: [number, number, number, number];
  temp: Storage | null;
}

/**
 * A convolution engine bound to one backend. Create it with {@link createEngine}.
 * Ops return their output tensor at once; the work is queued and runs when a
 * result is read (or when enough work has been queued).
 */
export class Engine {
  private impl: Backend;
  private readonly options: EngineOptions;
  private destroyed = false;
  /** The op being validated, for errors raised by shared helpers. */
  private currentOp = '';
  /** Open tidy() scopes, innermost last: every tensor made inside joins the innermost. */
  private readonly scopes: Set<Tensor>[] = [];
  /** Tensors passed to keep(): never disposed by a tidy() scope. */
  private kept = new WeakSet<Tensor>();

  /** @internal Use {@link createEngine}. */
  constructor(impl: Backend, options: EngineOptions = {}) {
    this.impl = impl;
    this.options = options;
  }

  /** The backend in use: `'webgpu'` or `'cpu'` (after a fallback in {@link Engine.recover}, `'cpu'`). */
  get backend(): 'webgpu' | 'cpu' {
    return this.impl.kind;
  }

  /** The GPU adapter in use, or null on the CPU backend. */
  get adapter(): AdapterDescription | null {
    return this.impl instanceof WebGpuBackend ? this.impl.adapter : null;
  }

  /** The GPU device in use, or null on the CPU backend. */
  get device(): GPUDevice | null {
    return this.impl instanceof WebGpuBackend ? this.impl.device : null;
  }

  /**
   * The device limits sepconv runs under, as granted (sepconv asks for the adapter's
   * best), or null on the CPU backend. Tensors up to `maxBufferSize` bytes work; ops
   * larger than `maxStorageBufferBindingSize` run in bands of rows.
   */
  get limits(): EngineLimits | null {
    return this.impl instanceof WebGpuBackend ? this.impl.limits : null;
  }

  /** True once the GPU device was lost; {@link Engine.recover} makes a new one. */
  get isLost(): boolean {
    return this.impl instanceof WebGpuBackend && this.impl.lost !== null;
  }

  /**
   * Creates a tensor from `data` laid out row-major in `shape`: `[N, H, W, C]` for an
   * NHWC image, `[N, C, H, W]` with `{ layout: 'NCHW' }`.
   * @example const x = engine.tensor(new Float32Array(1 * 8 * 8 * 3), [1, 8, 8, 3]);
   */
  tensor(data: TensorData, shape: readonly number[], options: TensorOptions = {}): Tensor {
    const op = 'tensor';
    this.assertAlive(op);
    this.assertOptions(op, options);
    if (!Array.isArray(shape) || shape.length === 0) {
      throw invalid(op, 'shape', 'a non-empty array of positive integers', describe(shape));
    }
    shape.forEach((d, i) => {
      if (typeof d !== 'number' || !Number.isInteger(d) || d <= 0) {
        throw invalid(op, `shape[${i}]`, 'a positive integer', describe(d));
      }
    });
    const layout = options.layout ?? 'NHWC';
    if (layout !== 'NHWC' && layout !== 'NCHW') {
      throw invalid(op, 'options.layout', "'NHWC' or 'NCHW'", describe(layout));
    }
    if (layout === 'NCHW' && shape.length !== 4) {
      throw invalid(op, 'options.layout', "'NCHW' only for rank-4 shapes [N, C, H, W]", `rank ${shape.length}`);
    }
    const size = shape.reduce((a, b) => a * b, 1);
    this.assertSize(op, 'shape', shape, size);
    if (data === null || typeof data !== 'object' || typeof (data as ArrayLike<number>).length !== 'number') {
      throw invalid(op, 'data', 'a Float32Array, another typed array or an array of numbers', describe(data));
    }
    if (data.length !== size) {
      throw mismatch(op, 'data', `${size} elements for shape ${describe(shape)}`, `${data.length}`);
    }
    return this.track(new Tensor(this, shape, this.impl.upload(toFloat32(op, data)), this.impl, layout));
  }

  /**
   * Depthwise 2-D convolution: each input channel is convolved with its own `M`
   * filters (`M` = channel multiplier). Input `[N, H, W, C]`, filter `[kh, kw, C, M]`,
   * output `[N, Ho, Wo, C·M]` with output channel `c·M + m`.
   * Keras `DepthwiseConv2D`, PyTorch `Conv2d(C, C·M, k, groups=C)`.
   * @example const y = engine.depthwiseConv2d(x, w, { stride: 2, padding: 'same', activation: 'relu6' });
   */
  depthwiseConv2d(x: Tensor, filter: Tensor, options: DepthwiseConv2dOptions = {}): Tensor {
    const op = 'depthwiseConv2d';
    this.begin(op, options, [
      ['x', x],
      ['filter', filter],
      ['options.bias', options.bias],
    ]);
    const input = this.imageShape(op, x);
    const fl = this.filterLayout(op, options.filterLayout);
    const [kH, kW, multiplier] = this.depthwiseFilterShape(op, 'filter', filter, input[3], fl);
    const channels = input[3];
    const bias = this.bias(op, 'options.bias', options.bias, channels * multiplier);
    const act = resolveActivation(op, options.activation, options.alpha);
    const geom = convGeometry(op, input, kH, kW, options);
    return this.record(x, input, (xs) =>
      this.withFilter(filter, fl, (fs) =>
        this.impl.depthwiseConv2d(xs, fs, bias, { ...geom, channels, multiplier, act }),
      ),
      [input[0], geom.outH, geom.outW, channels * multiplier],
    );
  }

  /**
   * Pointwise (1×1) convolution: mixes channels at every pixel. Input `[N, H, W, Cin]`,
   * filter `[Cin, Cout]` (or `[1, 1, Cin, Cout]` as TF.js stores 1×1 filters),
   * output `[N, H, W, Cout]`. Keras `Conv2D(Cout, 1)`, PyTorch `Conv2d(Cin, Cout, 1)`.
   * @example const z = engine.pointwiseConv2d(y, w2, { bias: b, activation: 'relu' });
   */
  pointwiseConv2d(x: Tensor, filter: Tensor, options: PointwiseConv2dOptions = {}): Tensor {
    const op = 'pointwiseConv2d';
    this.begin(op, options, [
      ['x', x],
      ['filter', filter],
      ['options.bias', options.bias],
    ]);
    const input = this.imageShape(op, x);
    const fl = this.filterLayout(op, options.filterLayout);
    const cout = this.pointwiseFilterShape(op, 'filter', filter, input[3], fl);
    const bias = this.bias(op, 'options.bias', options.bias, cout);
    const act = resolveActivation(op, options.activation, options.alpha);
    const [n, h, w, cin] = input;
    return this.record(
      x,
      input,
      (xs) =>
        this.withFilter(filter, fl, (fs) =>
          this.impl.pointwiseConv2d(xs, fs, bias, { pixels: n * h * w, inChannels: cin, outChannels: cout, act }),
        ),
      [n, h, w, cout],
    );
  }

  /**
   * Standard or grouped 2-D convolution. Input `[N, H, W, Cin]`, filter
   * `[kh, kw, Cin/groups, Cout]` (HWIO), output `[N, Ho, Wo, Cout]`. Runs as an
   * implicit GEMM on the GPU; a conv2d that is really a depthwise one
   * (`groups = Cin`) or a pointwise one (1×1, stride 1, no padding) runs on that kernel.
   * Keras `Conv2D(groups=…)`, PyTorch `Conv2d(groups=…)`.
   * @example const y = engine.conv2d(x, w, { stride: 2, padding: 'same', groups: 2, activation: 'relu' });
   */
  conv2d(x: Tensor, filter: Tensor, options: Conv2dOptions = {}): Tensor {
    const op = 'conv2d';
    this.begin(op, options, [
      ['x', x],
      ['filter', filter],
      ['options.bias', options.bias],
    ]);
    const input = this.imageShape(op, x);
    const cin = input[3];
    const groups = options.groups ?? 1;
    if (!(typeof groups === 'number' && Number.isInteger(groups) && groups > 0)) {
      throw invalid(op, 'options.groups', 'a positive integer', describe(groups));
    }
    if (cin % groups !== 0) {
      throw mismatch(op, 'options.groups', `a divisor of the input channels (${cin})`, `${groups}`);
    }
    const fl = this.filterLayout(op, options.filterLayout);
    const [kH, kW, cout] = this.conv2dFilterShape(op, filter, cin / groups, fl);
    if (cout % groups !== 0) {
      throw mismatch(op, 'options.groups', `a divisor of the output channels (${cout})`, `${groups}`);
    }
    const bias = this.bias(op, 'options.bias', options.bias, cout);
    const act = resolveActivation(op, options.activation, options.alpha);
    const geom = convGeometry(op, input, kH, kW, options);
    const outShape: [number, number, number, number] = [input[0], geom.outH, geom.outW, cout];
    const { pad } = geom;
    const isPointwise =
      groups === 1 && kH === 1 && kW === 1 && geom.strideH === 1 && geom.strideW === 1 &&
      pad.top + pad.bottom + pad.left + pad.right === 0;
    return this.record(
      x,
      input,
      (xs) =>
        this.withFilter(filter, fl, (fs) => {
          // HWIO [1, 1, Cin, Cout] is [Cin, Cout]; grouped HWIO [kh, kw, 1, C·M] with
          // groups = C is the depthwise [kh, kw, C, M]: same data, no copy.
          if (isPointwise) {
            return this.impl.pointwiseConv2d(xs, fs, bias, {
              pixels: input[0] * input[1] * input[2],
              inChannels: cin,
              outChannels: cout,
              act,
            });
          }
          if (groups === cin) {
            return this.impl.depthwiseConv2d(xs, fs, bias, { ...geom, channels: cin, multiplier: cout / cin, act });
          }
          return this.impl.conv2d(xs, fs, bias, { ...geom, inChannels: cin, outChannels: cout, groups, act });
        }),
      outShape,
    );
  }

  /**
   * Depthwise then pointwise convolution, as TF.js `separableConv2d` and Keras
   * `SeparableConv2D` define it: the activation follows the pointwise step.
   * Input `[N, H, W, C]`, depthwise filter `[kh, kw, C, M]`, pointwise filter
   * `[C·M, Cout]` (or `[1, 1, C·M, Cout]`), output `[N, Ho, Wo, Cout]`.
   * @example const y = engine.separableConv2d(x, dw, pw, { padding: 'same', bias: b, activation: 'relu' });
   */
  separableConv2d(
    x: Tensor,
    depthwiseFilter: Tensor,
    pointwiseFilter: Tensor,
    options: SeparableConv2dOptions = {},
  ): Tensor {
    const op = 'separableConv2d';
    this.begin(op, options, [
      ['x', x],
      ['depthwiseFilter', depthwiseFilter],
      ['pointwiseFilter', pointwiseFilter],
      ['options.depthwiseBias', options.depthwiseBias],
      ['options.bias', options.bias],
    ]);
    const input = this.imageShape(op, x);
    const fl = this.filterLayout(op, options.filterLayout);
    const [n, , , channels] = input;
    const [kH, kW, multiplier] = this.depthwiseFilterShape(op, 'depthwiseFilter', depthwiseFilter, channels, fl);
    const mid = channels * multiplier;
    const cout = this.pointwiseFilterShape(op, 'pointwiseFilter', pointwiseFilter, mid, fl);
    const dwBias = this.bias(op, 'options.depthwiseBias', options.depthwiseBias, mid);
    const bias = this.bias(op, 'options.bias', options.bias, cout);
    const act = resolveActivation(op, options.activation, options.alpha);
    const geom: ConvGeometry = convGeometry(op, input, kH, kW, options);
    return this.record(
      x,
      input,
      (xs) =>
        this.withFilter(depthwiseFilter, fl, (dws) =>
          this.withFilter(pointwiseFilter, fl, (pws) =>
            this.impl.separableConv2d(xs, dws, dwBias, pws, bias, { ...geom, channels, multiplier, outChannels: cout, act }),
          ),
        ),
      [n, geom.outH, geom.outW, cout],
    );
  }

  /**
   * Permutes the dimensions of a tensor of rank ≤ 4: output dimension `i` is input
   * dimension `perm[i]`, as TF.js `transpose`. Converts layouts once, e.g. PyTorch
   * OIHW weights to HWIO with `engine.transpose(w, [2, 3, 1, 0])`. The result has
   * the default layout tag (`'NHWC'`).
   */
  transpose(x: Tensor, perm: readonly number[]): Tensor {
    const op = 'transpose';
    this.assertAlive(op);
    this.assertTensor(op, 'x', x);
    const rank = x.shape.length;
    if (rank > 4) throw invalid(op, 'x', 'a tensor of rank ≤ 4', `rank ${rank}`);
    const isPerm =
      Array.isArray(perm) &&
      perm.length === rank &&
      [...perm].sort((a, b) => a - b).every((v, i) => v === i);
    if (!isPerm) throw invalid(op, 'perm', `a permutation of 0..${rank - 1}`, describe(perm));
    const storage = this.impl.permute(x.storage, { inShape: x.shape, perm });
    return this.track(new Tensor(this, perm.map((d) => x.shape[d] as number), storage, this.impl));
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
   * Warm-up: runs `fn` once, as {@link Engine.tidy} (every tensor it makes is
   * disposed, including what it returns), and resolves when the GPU has compiled
   * every pipeline those ops need and run them, with the milliseconds it took.
   * Later calls of the same ops (same kernels, any data) start without compiling.
   * @example await engine.warmup(() => model.predict(engine.tensor(new Float32Array(224 * 224 * 3), [1, 224, 224, 3])));
   */
  async warmup(fn: () => unknown): Promise<number> {
    const t0 = performance.now();
    const result = this.tidy(fn);
    const made = new Set<Tensor>();
    collectTensors(result, made);
    made.forEach((t) => t.dispose());
    if (this.impl instanceof WebGpuBackend) {
      await this.impl.flush();
      await this.impl.device.queue.onSubmittedWorkDone();
    }
    return performance.now() - t0;
  }

  /** Releases the pooled (free) GPU buffers; tensors in use are kept. */
  trim(): void {
    if (this.impl instanceof WebGpuBackend) this.impl.trim();
  }

  /**
   * Runs `fn` and disposes every tensor created inside it, except those it returns
   * (a tensor, or tensors inside returned arrays and plain objects) and those passed
   * to {@link Engine.keep}, as TF.js `tidy`. `fn` must be synchronous; scopes nest.
   * @example const y = engine.tidy(() => engine.pointwiseConv2d(engine.depthwiseConv2d(x, dw), pw));
   */
  tidy<T>(fn: () => T): T {
    const op = 'tidy';
    this.assertAlive(op);
    if (typeof fn !== 'function') throw invalid(op, 'fn', 'a function', describe(fn));
    const scope = new Set<Tensor>();
    this.scopes.push(scope);
    let result: T;
    try {
      result = fn();
    } catch (e) {
      this.scopes.pop();
      for (const t of scope) t.dispose();
      throw e;
    }
    this.scopes.pop();
    if (result instanceof Promise) {
      for (const t of scope) t.dispose();
      throw invalid(op, 'fn', 'a synchronous function (tensors cannot outlive an async scope)', 'a function returning a Promise');
    }
    const kept = new Set<Tensor>();
    collectTensors(result, kept);
    for (const t of scope) {
      if (kept.has(t)) this.track(t);
      else if (!this.kept.has(t)) t.dispose();
    }
    return result;
  }

  /** Exempts `t` from disposal by the enclosing {@link Engine.tidy} scopes. */
  keep(t: Tensor): Tensor {
    this.assertTensor('keep', 't', t);
    this.kept.add(t);
    return t;
  }

  /**
   * After the GPU device was lost, makes a new one (or uses `options.device`) and
   * resolves with the backend now in use. Tensors made before are unusable (ops on
   * them throw DEVICE_LOST) and must be recreated. With `backend: 'auto'` and no
   * adapter left, the engine falls back to the CPU: the result says `'cpu'`.
   */
  async recover(options: { device?: GPUDevice } = {}): Promise<'webgpu' | 'cpu'> {
    if (this.destroyed) {
      throw new SepconvError('ENGINE_DESTROYED', { op: 'recover' }, 'sepconv.recover: the engine was destroyed; create a new one');
    }
    const old = this.impl;
    const next = await createBackend({
      ...this.options,
      ...(this.options.device && !options.device ? { device: undefined } : {}),
      ...(options.device && { device: options.device }),
    });
    old.destroy();
    this.impl = next;
    this.kept = new WeakSet();
    return next.kind;
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

  /** @internal The backend, for the model runtime (src/model), which plans its own memory. */
  get implementation(): Backend {
    this.assertAlive('model');
    return this.impl;
  }

  /** @internal Wraps backend storage (made by `implementation`) as a tensor of this engine. */
  wrap(storage: Storage, shape: readonly number[]): Tensor {
    return this.track(new Tensor(this, shape, storage, this.impl));
  }

  /** @internal Checks that `t` is a live NHWC tensor of this engine, for the model runtime. */
  checkInput(op: string, arg: string, t: unknown): asserts t is Tensor {
    this.assertAlive(op);
    this.assertTensor(op, arg, t);
  }

  /** @internal */
  release(t: Tensor): void {
    if (!this.destroyed && t.owner === this.impl) this.impl.release(t.storage);
  }

  // ---- recording helpers -------------------------------------------------

  /**
   * Runs `body` on an NHWC view of `x` and returns the result in `x`'s layout.
   * `input` is x's NHWC shape, `outShape` the op's NHWC output shape.
   */
  private record(
    x: Tensor,
    input: [number, number, number, number],
    body: (xs: Storage) => Storage,
    outShape: [number, number, number, number],
  ): Tensor {
    this.assertSize(this.currentOp, 'output', outShape, outShape.reduce((a, b) => a * b, 1));
    const prepared = this.nhwc(x, input);
    const out = body(prepared.storage);
    if (prepared.temp) this.impl.release(prepared.temp);
    if (x.layout === 'NHWC') return this.track(new Tensor(this, outShape, out, this.impl));
    const back = this.impl.permute(out, { inShape: outShape, perm: NHWC_TO_NCHW });
    this.impl.release(out);
    return this.track(new Tensor(this, NHWC_TO_NCHW.map((d) => outShape[d] as number), back, this.impl, 'NCHW'));
  }

  private nhwc(x: Tensor, input: [number, number, number, number]): Prepared {
    if (x.layout === 'NHWC') return { storage: x.storage, shape: input, temp: null };
    const storage = this.impl.permute(x.storage, { inShape: x.shape, perm: NCHW_TO_NHWC });
    return { storage, shape: input, temp: storage };
  }

  /** Runs `body` with the filter in HWIO order, transposing an OIHW filter first. */
  private withFilter(filter: Tensor, layout: FilterLayout, body: (fs: Storage) => Storage): Storage {
    if (layout === 'HWIO') return body(filter.storage);
    const hwio = this.impl.permute(filter.storage, { inShape: filter.shape, perm: OIHW_TO_HWIO });
    const out = body(hwio);
    this.impl.release(hwio);
    return out;
  }

  // ---- validation --------------------------------------------------------

  /** Common checks of every op: engine alive, options an object, every tensor usable. */
  private begin(op: string, options: unknown, tensors: [string, Tensor | undefined][]): void {
    this.currentOp = op;
    this.assertAlive(op);
    this.assertOptions(op, options);
    for (const [arg, t] of tensors) if (t !== undefined || !arg.startsWith('options.')) this.assertTensor(op, arg, t);
  }

  /** The NHWC shape of an image input, whatever its layout. */
  private imageShape(op: string, x: Tensor): [number, number, number, number] {
    const layout = x.layout === 'NCHW' ? '[N, C, H, W]' : '[N, H, W, C]';
    if (x.shape.length !== 4) {
      throw invalid(op, 'x', `rank 4 ${layout}`, `rank ${x.shape.length} ${describe(x.shape)}`);
    }
    const s = x.shape as [number, number, number, number];
    return x.layout === 'NCHW' ? [s[0], s[2], s[3], s[1]] : [s[0], s[1], s[2], s[3]];
  }

  private filterLayout(op: string, layout: unknown): FilterLayout {
    if (layout === undefined) return 'HWIO';
    if (layout !== 'HWIO' && layout !== 'OIHW') {
      throw invalid(op, 'options.filterLayout', "'HWIO' or 'OIHW'", describe(layout));
    }
    return layout;
  }

  /** Checks a depthwise filter against C input channels; returns [kh, kw, M]. */
  private depthwiseFilterShape(op: string, arg: string, f: Tensor, channels: number, layout: FilterLayout) {
    const s = f.shape;
    if (layout === 'OIHW') {
      if (s.length !== 4 || s[1] !== 1 || (s[0] as number) % channels !== 0) {
        throw mismatch(op, arg, `OIHW shape [${channels}·M, 1, kh, kw] for ${channels} input channels`, describe(s));
      }
      return [s[2], s[3], (s[0] as number) / channels] as [number, number, number];
    }
    if (s.length !== 4) throw invalid(op, arg, 'rank 4 [kh, kw, C, M]', `rank ${s.length} ${describe(s)}`);
    if (s[2] !== channels) {
      throw mismatch(op, arg, `shape [kh, kw, ${channels}, M] (filter channels = input channels)`, describe(s));
    }
    return [s[0], s[1], s[3]] as [number, number, number];
  }

  /** Checks a pointwise filter against Cin; returns Cout. */
  private pointwiseFilterShape(op: string, arg: string, f: Tensor, cin: number, layout: FilterLayout): number {
    const s = f.shape;
    if (layout === 'OIHW') {
      if (s.length !== 4 || s[2] !== 1 || s[3] !== 1 || s[1] !== cin) {
        throw mismatch(op, arg, `OIHW shape [Cout, ${cin}, 1, 1]`, describe(s));
      }
      return s[0] as number;
    }
    const is1x1 = s.length === 4 && s[0] === 1 && s[1] === 1;
    if (s.length !== 2 && !is1x1) throw invalid(op, arg, 'shape [Cin, Cout] or [1, 1, Cin, Cout]', describe(s));
    const [fin, cout] = s.slice(-2) as [number, number];
    if (fin !== cin) throw mismatch(op, arg, `Cin = ${cin} (the input's channels)`, `${arg} shape ${describe(s)}`);
    return cout;
  }

  /** Checks a conv2d filter against Cin/groups; returns [kh, kw, Cout]. */
  private conv2dFilterShape(op: string, f: Tensor, cinPerGroup: number, layout: FilterLayout) {
    const s = f.shape;
    const expected = layout === 'OIHW' ? `[Cout, ${cinPerGroup}, kh, kw]` : `[kh, kw, ${cinPerGroup}, Cout]`;
    if (s.length !== 4) throw invalid(op, 'filter', `rank 4 ${layout} ${expected}`, `rank ${s.length} ${describe(s)}`);
    const [kH, kW, ci, cout] = (layout === 'OIHW' ? [s[2], s[3], s[1], s[0]] : s) as [number, number, number, number];
    if (ci !== cinPerGroup) {
      throw mismatch(op, 'filter', `${layout} shape ${expected} (input channels / groups = ${cinPerGroup})`, describe(s));
    }
    return [kH, kW, cout] as [number, number, number];
  }

  private bias(op: string, arg: string, bias: Tensor | undefined, length: number): Storage | null {
    if (bias === undefined) return null;
    if (bias.shape.length !== 1 || bias.shape[0] !== length) {
      throw mismatch(op, arg, `shape [${length}] (one value per output channel)`, describe(bias.shape));
    }
    return bias.storage;
  }

  private assertAlive(op: string): void {
    if (this.destroyed) {
      throw new SepconvError('ENGINE_DESTROYED', { op }, `sepconv.${op}: the engine was destroyed; create a new one`);
    }
    if (this.impl instanceof WebGpuBackend && this.impl.lost) {
      const lost = this.impl.lost;
      throw new SepconvError('DEVICE_LOST', { op, cause: lost }, `sepconv.${op}: ${lost.message.replace(/^sepconv: /, '')}`);
    }
  }

  /** Throws TOO_LARGE when `size` f32 elements exceed 2^32 bytes or the backend's largest tensor. */
  private assertSize(op: string, arg: string, shape: readonly number[], size: number): void {
    const bytes = size * 4;
    const limit = Math.min(2 ** 32, this.impl.maxTensorBytes);
    if (bytes > limit) {
      const which = limit === 2 ** 32 ? '2^32 bytes' : `the device's maxBufferSize (${limit} bytes)`;
      throw new SepconvError('TOO_LARGE', {
        op,
        arg,
        expected: `a tensor of at most ${which}`,
        given: `${describe(shape)} = ${size} elements = ${bytes} bytes`,
      });
    }
  }

  /** Registers a new tensor with the innermost tidy() scope. */
  private track(t: Tensor): Tensor {
    this.scopes[this.scopes.length - 1]?.add(t);
    return t;
  }

  private assertOptions(op: string, options: unknown): void {
    if (options === null || typeof options !== 'object') {
      throw invalid(op, 'options', 'an object', describe(options));
    }
  }

  private assertTensor(op: string, arg: string, t: unknown): asserts t is Tensor {
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
    if (t.owner !== this.impl) {
      throw new SepconvError('DEVICE_LOST', {
        op,
        arg,
        expected: 'a tensor created since the last engine.recover()',
        given: 'a tensor whose GPU device was lost (recreate it from its data)',
      });
    }
  }
}

/** Tensor data as f32: Float32Array as is; other typed arrays and arrays of numbers converted. */
function toFloat32(op: string, data: TensorData): Float32Array {
  if (data instanceof Float32Array) return data;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    throw invalid(op, 'data', 'numbers (BigInt arrays are not converted)', describe(data));
  }
  if (Array.isArray(data)) {
    const bad = data.findIndex((v) => typeof v !== 'number');
    if (bad >= 0) throw invalid(op, `data[${bad}]`, 'a number', describe(data[bad]));
  }
  return Float32Array.from(data);
}

/**
 * Creates an engine. With `backend: 'auto'` (the default) it uses WebGPU when an
 * adapter exists and the CPU otherwise; `engine.backend` says which. In Node,
 * WebGPU comes from the optional `webgpu` package.
 * @example const engine = await createEngine({ backend: 'webgpu' });
 */
export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  return new Engine(await createBackend(options), options);
}

async function createBackend(options: EngineOptions): Promise<Backend> {
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
  if (options.kernels !== undefined) checkKernelChoice(op, options.kernels);
  if (choice === 'cpu') return new CpuBackend();
  let acquired;
  try {
    acquired = await acquireDevice(options);
  } catch (e) {
    // 'auto' means: the GPU when there is one. No adapter (or no WebGPU at all) is not an error then.
    if (choice === 'auto' && e instanceof SepconvError && e.code === 'BACKEND_UNAVAILABLE') return new CpuBackend();
    throw e;
  }
  const gpuOptions = {
    ...(options.kernels !== undefined && { kernels: options.kernels }),
    ...(options.printShaders !== undefined && { printShaders: options.printShaders }),
    ...(m !== undefined && { maxDispatchesPerSubmit: m }),
  };
  return new WebGpuBackend(acquired, gpuOptions);
}

const KERNEL_VARIANTS: Record<Exclude<keyof KernelChoice, 'depthwiseRows'>, readonly string[]> = {
  depthwise: ['auto', '3x3', '5x5', 'vec4', 'scalar'],
  pointwise: ['auto', 'tiled', 'direct', 'direct8', 'conv8'],
  conv2d: ['auto', 'tiled', 'direct', 'direct8'],
  separable: ['auto', 'fused', 'unfused'],
};

function checkKernelChoice(op: string, k: KernelChoice): void {
  if (k === null || typeof k !== 'object') throw invalid(op, 'options.kernels', 'an object', describe(k));
  for (const [key, value] of Object.entries(k)) {
    if (key === 'depthwiseRows') {
      if (!(Number.isInteger(value) && value >= 1 && value <= 64)) throw invalid(op, 'options.kernels.depthwiseRows', 'an integer from 1 to 64', describe(value));
      continue;
    }
    const allowed = KERNEL_VARIANTS[key as keyof typeof KERNEL_VARIANTS];
    if (allowed === undefined) throw invalid(op, `options.kernels.${key}`, `one of the keys ${[...Object.keys(KERNEL_VARIANTS), 'depthwiseRows'].join(', ')}`, 'an unknown key');
    if (value !== undefined && !allowed.includes(value as string)) {
      throw invalid(op, `options.kernels.${key}`, allowed.map((a) => `'${a}'`).join(', '), describe(value));
    }
  }
}

/** Adds every Tensor in `value` (itself, or inside arrays and plain objects) to `out`. */
function collectTensors(value: unknown, out: Set<Tensor>, seen = new Set<unknown>()): void {
  if (value instanceof Tensor) {
    out.add(value);
    return;
  }
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (Array.isArray(value)) for (const v of value) collectTensors(v, out, seen);
  else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) collectTensors(v, out, seen);
}
