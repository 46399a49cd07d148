// The Engine: the public API of the ops. Each op checks its arguments
// (validate.ts), resolves them, converts layouts around the backend (layout.ts)
// and records the backend call built in ops.ts. It makes no GPU calls itself;
// backends trust what it passes. The backend comes from create-backend.ts.

import { resolveActivation } from './activation.js';
import type { Backend, BinaryParams, Storage } from './backend.js';
import { createBackend } from './create-backend.js';
import { SepconvError, describe } from './errors.js';
import type { EngineLimits, KernelExplanation, TuneOptions } from './gpu/backend.js';
import type { MemoryInfo } from './gpu/buffer-pool.js';
import type { AdapterDescription } from './gpu/device.js';
import { inNhwc, withHwioFilter } from './layout.js';
import { binaryParams } from './ops.js';
import { conv2dParams, depthwiseParams, matMulParams, pointwiseParams, pool2dParams, runConv2d, separableParams } from './ops.js';
import type {
  AvgPoolOptions,
  BinaryOptions,
  Conv2dOptions,
  DepthwiseConv2dOptions,
  EngineOptions,
  FromPixelsOptions,
  GpuBufferView,
  MaxPoolOptions,
  PointwiseConv2dOptions,
  SeparableConv2dOptions,
  TensorData,
  TensorFromBufferOptions,
  TensorOptions,
} from './options.js';
import { isPixelData, pixelsParams, sourceBytes, sourceSize, type PixelSource } from './pixels.js';
import { TensorScopes, collectTensors } from './scope.js';
import { convGeometry } from './shape.js';
import { Tensor, type Layout } from './tensor.js';
import type { TuningRecord } from './tuning/records.js';
import {
  biasStorage,
  broadcastShape,
  checkBindable,
  checkOptions,
  checkPermutation,
  checkSize,
  checkTensor,
  concatShape,
  conv2dFilterShape,
  conv2dGroups,
  depthwiseFilterShape,
  destroyedError,
  deviceLostError,
  filterLayout,
  imageShape,
  invalid,
  matMulShapes,
  padAmounts,
  pointwiseFilterShape,
  POOL_GEOMETRY_ARGS,
  poolKernelSize,
  tensorLayout,
  tensorValues,
} from './validate.js';

/**
 * A convolution engine bound to one backend. Create it with {@link createEngine}.
 * Ops return their output tensor at once; the work is queued and runs when a
 * result is read (or when enough work has been queued).
 */
export class Engine {
  private impl: Backend;
  private readonly options: EngineOptions;
  private destroyed = false;
  private readonly scopes = new TensorScopes();

  /** Not for direct use: engines come from {@link createEngine}, which picks and creates the backend. */
  constructor(impl: Backend, options: EngineOptions = {}) {
    this.impl = impl;
    this.options = options;
  }

  /** The backend in use: `'webgpu'`, `'wasm'` or `'cpu'` (after a fallback in {@link Engine.recover}, `'wasm'` or `'cpu'`). */
  get backend(): 'webgpu' | 'wasm' | 'cpu' {
    return this.impl.kind;
  }

  /** CPU threads the backend's kernels run on: the wasm backend's pool and the caller; 1 elsewhere. */
  get threads(): number {
    return this.impl.threads ?? 1;
  }

  /** The GPU adapter in use, or null on the CPU backend. */
  get adapter(): AdapterDescription | null {
    return this.impl.adapter ?? null;
  }

  /** The GPU device in use, or null on the CPU backend. */
  get device(): GPUDevice | null {
    return this.impl.device ?? null;
  }

  /**
   * The device limits sepconv runs under, as granted (sepconv asks for the adapter's
   * best), or null on the CPU backend. Tensors up to `maxBufferSize` bytes work; ops
   * larger than `maxStorageBufferBindingSize` run in bands of rows.
   */
  get limits(): EngineLimits | null {
    return this.impl.limits ?? null;
  }

  /** True once the GPU device was lost; {@link Engine.recover} makes a new one. */
  get isLost(): boolean {
    return (this.impl.lost ?? null) !== null;
  }

  /**
   * Creates a tensor from `data` laid out row-major in `shape`: `[N, H, W, C]` for an
   * NHWC image, `[N, C, H, W]` with `{ layout: 'NCHW' }`.
   * @example const x = engine.tensor(new Float32Array(1 * 8 * 8 * 3), [1, 8, 8, 3]);
   */
  tensor(data: TensorData, shape: readonly number[], options: TensorOptions = {}): Tensor {
    const layout = this.newTensorChecks('tensor', shape, options);
    const values = tensorValues('tensor', data, shape);
    return this.scopes.track(new Tensor(this, shape, this.impl.upload(values), this.impl, layout));
  }

  /**
   * A tensor over a GPUBuffer of yours, without a copy: f32 values laid out row-major
   * in `shape` from byte `options.offset` on. The buffer needs `GPUBufferUsage.STORAGE`
   * (and `COPY_SRC` to `read()` the tensor), must belong to {@link Engine.device}, and
   * stays yours: sepconv reads it in the ops you call and never writes or destroys it,
   * so write it only when the ops using it have run, and keep it alive until then.
   * Disposing the tensor leaves the buffer as it is. WebGPU backend only.
   * @example const x = engine.tensorFromBuffer(myBuffer, [1, 224, 224, 3]);
   */
  tensorFromBuffer(buffer: GPUBuffer, shape: readonly number[], options: TensorFromBufferOptions = {}): Tensor {
    const op = 'tensorFromBuffer';
    const layout = this.newTensorChecks(op, shape, options);
    if (!this.impl.wrapBuffer) {
      throw invalid(op, 'buffer', "an engine on the WebGPU backend (a GPUBuffer needs a device)", `an engine on the '${this.backend}' backend`);
    }
    const bytes = 4 * shape.reduce((a, b) => a * b, 1);
    return this.scopes.track(new Tensor(this, shape, this.impl.wrapBuffer(buffer, bytes, options.offset ?? 0), this.impl, layout));
  }

  /**
   * An image as a tensor `[1, height, width, channels]` (or `[1, channels, height, width]`
   * with `layout: 'NCHW'`): resized bilinearly (half-pixel centres, as
   * `tf.image.resizeBilinear` with `halfPixelCenters`; no antialiasing) to `size`, with
   * `fit: 'cover'` cropping the centre to keep the aspect ratio (`'contain'`: black
   * letterbox bands instead, as `letterbox()`), then each value
   * v (0–255) becomes `(v·scale − mean[c]) / std[c]`. On WebGPU the GPU copies the image
   * (`copyExternalImageToTexture`) and one compute pass does the rest: no `getImageData`,
   * no CPU loop. The CPU backend reads the pixels through a canvas. Sources: ImageBitmap,
   * ImageData, HTMLImageElement, HTMLCanvasElement, HTMLVideoElement, VideoFrame,
   * OffscreenCanvas, or RGBA bytes `{ data, width, height }` (the only kind in Node).
   * @example const x = engine.fromPixels(video, { size: [224, 224], mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
   */
  fromPixels(source: PixelSource, options: FromPixelsOptions = {}): Tensor {
    const op = 'fromPixels';
    this.assertAlive(op);
    checkOptions(op, options);
    const [w, h] = sourceSize(source);
    const { params, shape, layout } = pixelsParams(w, h, options);
    checkSize(op, 'output', shape, this.impl.maxTensorBytes);
    let storage: Storage | null = null;
    if (this.impl.pixelsFromImage && !isPixelData(source)) {
      try {
        storage = this.impl.pixelsFromImage(source, params);
      } catch (e) {
        // A source the GPU cannot copy here (Chromium on SwiftShader refuses VideoFrames): through a canvas.
        if (!(e instanceof SepconvError && e.arg === 'source')) throw e;
      }
    }
    storage ??= this.impl.pixels(sourceBytes(source, w, h), params);
    return this.scopes.track(new Tensor(this, shape, storage, this.impl, layout));
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
    this.begin(op, options, [['x', x], ['filter', filter], ['options.bias', options.bias]]);
    const input = imageShape(op, x);
    const fl = filterLayout(op, options.filterLayout);
    const channels = input[3];
    const [kH, kW, multiplier] = depthwiseFilterShape(op, 'filter', filter, channels, fl);
    const bias = biasStorage(op, 'options.bias', options.bias, channels * multiplier);
    const act = resolveActivation(op, options.activation, options.alpha, options.beta);
    const geom = convGeometry(op, input, kH, kW, options);
    const p = depthwiseParams(geom, channels, multiplier, act);
    return this.record(
      op,
      x,
      (xs) => withHwioFilter(this.impl, filter, fl, (fs) => this.impl.depthwiseConv2d(xs, fs, bias, p)),
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
    this.begin(op, options, [['x', x], ['filter', filter], ['options.bias', options.bias]]);
    const input = imageShape(op, x);
    const fl = filterLayout(op, options.filterLayout);
    const [n, h, w, cin] = input;
    const cout = pointwiseFilterShape(op, 'filter', filter, cin, fl);
    const bias = biasStorage(op, 'options.bias', options.bias, cout);
    const act = resolveActivation(op, options.activation, options.alpha, options.beta);
    const p = pointwiseParams(n * h * w, cin, cout, act);
    return this.record(
      op,
      x,
      (xs) => withHwioFilter(this.impl, filter, fl, (fs) => this.impl.pointwiseConv2d(xs, fs, bias, p)),
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
    this.begin(op, options, [['x', x], ['filter', filter], ['options.bias', options.bias]]);
    const input = imageShape(op, x);
    const cin = input[3];
    const groups = conv2dGroups(op, options.groups, cin);
    const fl = filterLayout(op, options.filterLayout);
    const [kH, kW, cout] = conv2dFilterShape(op, filter, cin, groups, fl);
    const bias = biasStorage(op, 'options.bias', options.bias, cout);
    const act = resolveActivation(op, options.activation, options.alpha, options.beta);
    const geom = convGeometry(op, input, kH, kW, options);
    const p = conv2dParams(geom, cin, cout, groups, act);
    return this.record(
      op,
      x,
      (xs) => withHwioFilter(this.impl, filter, fl, (fs) => runConv2d(this.impl, xs, fs, bias, p)),
      [input[0], geom.outH, geom.outW, cout],
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
    const input = imageShape(op, x);
    const fl = filterLayout(op, options.filterLayout);
    const [n, , , channels] = input;
    const [kH, kW, multiplier] = depthwiseFilterShape(op, 'depthwiseFilter', depthwiseFilter, channels, fl);
    const mid = channels * multiplier;
    const cout = pointwiseFilterShape(op, 'pointwiseFilter', pointwiseFilter, mid, fl);
    const dwBias = biasStorage(op, 'options.depthwiseBias', options.depthwiseBias, mid);
    const bias = biasStorage(op, 'options.bias', options.bias, cout);
    const act = resolveActivation(op, options.activation, options.alpha, options.beta);
    const geom = convGeometry(op, input, kH, kW, options);
    const p = separableParams(geom, channels, multiplier, cout, act);
    return this.record(
      op,
      x,
      (xs) =>
        withHwioFilter(this.impl, depthwiseFilter, fl, (dws) =>
          withHwioFilter(this.impl, pointwiseFilter, fl, (pws) => this.impl.separableConv2d(xs, { depthwiseFilter: dws, depthwiseBias: dwBias, pointwiseFilter: pws, bias }, p)),
        ),
      [n, geom.outH, geom.outW, cout],
    );
  }

  /**
   * Elementwise `a + b`, as TF.js `add`: shapes of rank ≤ 4 that broadcast by NumPy
   * rules (aligned from the right, each dimension equal or 1, in either direction),
   * then the activation. Works on the data as laid out: a rank-4 result has the layout
   * of the rank-4 operand, and two rank-4 operands must share one. Keras `Add`, ONNX `Add`.
   * @example const y = engine.add(x, shortcut, { activation: 'relu' });
   */
  add(a: Tensor, b: Tensor, options: BinaryOptions = {}): Tensor {
    return this.binary('add', a, b, options);
  }

  /**
   * Elementwise `a − b` with broadcasting, as TF.js `sub` (see {@link Engine.add}). ONNX `Sub`.
   * @example const centred = engine.sub(x, engine.tensor(mean, [3]));
   */
  sub(a: Tensor, b: Tensor, options: BinaryOptions = {}): Tensor {
    return this.binary('sub', a, b, options);
  }

  /**
   * Elementwise `a · b` with broadcasting, as TF.js `mul` (see {@link Engine.add}):
   * squeeze-excite scaling is `mul(x, scale)` with `x` `[N, H, W, C]` and `scale`
   * `[N, 1, 1, C]` (NCHW: `[N, C, H, W]` and `[N, C, 1, 1]`). Keras `Multiply`, ONNX `Mul`.
   * @example const y = engine.mul(x, scale, { activation: 'clip', alpha: 0, beta: 6 });
   */
  mul(a: Tensor, b: Tensor, options: BinaryOptions = {}): Tensor {
    return this.binary('mul', a, b, options);
  }

  /**
   * Elementwise `a / b` with broadcasting, as TF.js `div` (see {@link Engine.add}); IEEE
   * division: `x / 0` is ±Inf and `0 / 0` is NaN, not errors. ONNX `Div`.
   * @example const normalised = engine.div(x, engine.tensor(std, [3]));
   */
  div(a: Tensor, b: Tensor, options: BinaryOptions = {}): Tensor {
    return this.binary('div', a, b, options);
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
    checkTensor(op, 'x', x, this, this.impl);
    checkPermutation(op, x.shape.length, perm);
    const storage = this.impl.permute(x.storage, { inShape: x.shape, perm });
    return this.scopes.track(new Tensor(this, perm.map((d) => x.shape[d] as number), storage, this.impl));
  }

  /**
   * Joins tensors of rank ≤ 4 along `axis` (negative counts from the end), as TF.js
   * `concat`: they agree on every other dimension, and on layout; the axis refers to
   * their shape as given (axis 1 of an NCHW tensor is its channels). Keras
   * `Concatenate`, ONNX `Concat`, `torch.cat`.
   * @example const y = engine.concat([a, b], 3); // [N, H, W, Ca] and [N, H, W, Cb] → [N, H, W, Ca + Cb]
   */
  concat(tensors: readonly Tensor[], axis = 0): Tensor {
    const op = 'concat';
    this.assertAlive(op);
    if (!Array.isArray(tensors) || tensors.length === 0) throw invalid(op, 'tensors', 'a non-empty array of tensors', describe(tensors));
    tensors.forEach((t, i) => checkTensor(op, `tensors[${i}]`, t, this, this.impl));
    const { axis: a, shape } = concatShape(op, tensors, axis);
    checkSize(op, 'output', shape, this.impl.maxTensorBytes);
    const storage = this.impl.concat(tensors.map((t) => t.storage), { shapes: tensors.map((t) => t.shape), axis: a });
    return this.scopes.track(new Tensor(this, shape, storage, this.impl, (tensors[0] as Tensor).layout));
  }

  /**
   * Pads a tensor of rank ≤ 4 with `constantValue`, as TF.js `pad`: `paddings` has one
   * `[before, after]` pair per dimension of its shape as given (NCHW tensors: `[N, C, H, W]`
   * order). Keras `ZeroPadding2D(((t, b), (l, r)))` is `[[0, 0], [t, b], [l, r], [0, 0]]`;
   * ONNX `Pad` (constant mode).
   * @example const y = engine.pad(x, [[0, 0], [1, 1], [2, 2], [0, 0]]); // 1 row above and below, 2 columns each side
   */
  pad(x: Tensor, paddings: readonly (readonly [number, number])[], constantValue = 0): Tensor {
    const op = 'pad';
    this.assertAlive(op);
    checkTensor(op, 'x', x, this, this.impl);
    const pads = padAmounts(op, x.shape, paddings);
    if (typeof constantValue !== 'number') throw invalid(op, 'constantValue', 'a number', describe(constantValue));
    const rank = x.shape.length;
    const shape = x.shape.map((d, i) => d + (pads[i] as number) + (pads[rank + i] as number));
    checkSize(op, 'output', shape, this.impl.maxTensorBytes);
    const storage = this.impl.pad(x.storage, { inShape: x.shape, pads, value: constantValue });
    return this.scopes.track(new Tensor(this, shape, storage, this.impl, x.layout));
  }

  /**
   * Max pooling: the largest value of each `kernelSize` window, padded cells left out (a
   * NaN in a window gives NaN, where TF.js skips it). Input `[N, H, W, C]` (or NCHW),
   * output `[N, Ho, Wo, C]`. TF.js `maxPool`, Keras `MaxPooling2D`, PyTorch `MaxPool2d`.
   * @example const y = engine.maxPool(x, { kernelSize: 2 }); // stride 2: half the size
   */
  maxPool(x: Tensor, options: MaxPoolOptions): Tensor {
    return this.pool2d('maxPool', x, options, 'max', undefined);
  }

  /**
   * Average pooling: the mean of each `kernelSize` window over its cells inside the
   * input, or over the whole window with `countIncludePad`. Input `[N, H, W, C]` (or
   * NCHW), output `[N, Ho, Wo, C]`. TF.js `avgPool`, Keras `AveragePooling2D`, PyTorch
   * `AvgPool2d` (whose default is `countIncludePad: true`).
   * @example const y = engine.avgPool(x, { kernelSize: 3, stride: 1, padding: 'same' });
   */
  avgPool(x: Tensor, options: AvgPoolOptions): Tensor {
    return this.pool2d('avgPool', x, options, 'avg', (options as AvgPoolOptions | null | undefined)?.countIncludePad);
  }

  /**
   * Matrix product of `a` `[M, K]` and `b` `[K, N]` → `[M, N]`, as TF.js `matMul`
   * (2-D, no transposes). Runs on the pointwise convolution kernels: M pixels of K
   * channels times a `[K, N]` filter. ONNX `MatMul`, `torch.mm`.
   * @example const y = engine.matMul(a, b);
   */
  matMul(a: Tensor, b: Tensor): Tensor {
    const op = 'matMul';
    this.assertAlive(op);
    checkTensor(op, 'a', a, this, this.impl);
    checkTensor(op, 'b', b, this, this.impl);
    const [m, k, n] = matMulShapes(op, a, b);
    checkBindable(op, 'b', b, this.impl.limits);
    checkSize(op, 'output', [m, n], this.impl.maxTensorBytes);
    const storage = this.impl.pointwiseConv2d(a.storage, b.storage, null, matMulParams(m, k, n));
    return this.scopes.track(new Tensor(this, [m, n], storage, this.impl));
  }

  /** Starts every queued op; resolves once they are submitted to the GPU. */
  async flush(): Promise<void> {
    await this.impl.flush?.();
  }

  /** GPU memory held by this engine's tensors and buffer pools (zeros on the CPU backend). */
  memory(): MemoryInfo {
    return this.impl.memory?.() ?? { bytesAllocated: 0, bytesInUse: 0, buffers: 0, pooledBytes: 0 };
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
    await this.impl.settle?.();
    return performance.now() - t0;
  }

  /**
   * Compiles ahead: records `fn` without running anything on the GPU (as
   * {@link Engine.explain}; every tensor it makes is disposed, and their contents are
   * never computed), starts compiling every pipeline its ops need, all at once, and
   * resolves with their number when all are compiled. The first real call of the same
   * ops then waits for no compiler. Models do this for a batch of 1 when they are
   * built. Resolves with 0 on the CPU backend.
   * @example await engine.compile(() => model.predict(engine.tensor(new Float32Array(4 * 224 * 224 * 3), [4, 224, 224, 3])));
   */
  async compile(fn: () => unknown): Promise<number> {
    const op = 'compile';
    this.assertAlive(op);
    if (typeof fn !== 'function') throw invalid(op, 'fn', 'a function', describe(fn));
    if (!this.impl.compile) return 0;
    return this.impl.compile(() => {
      const made = new Set<Tensor>();
      collectTensors(this.tidy(fn), made);
      made.forEach((t) => t.dispose());
    });
  }

  /**
   * Tunes the kernels of every op `fn` records, on this device: like
   * {@link Engine.warmup} (`fn` runs once as {@link Engine.tidy}), then for each
   * distinct op call (op, shapes, options) it times the kernel variants and tunable
   * values that can run it, the cost model's best guesses first, within
   * `options.budgetMs`, and keeps the fastest. Later calls with the same key run on
   * the winner. Resolves with the new records; {@link Engine.tuning} returns all of
   * them, for `createEngine({ tuning })`. A forced `kernels` choice still wins. On
   * the CPU backend there is nothing to tune: it warms up and resolves with `[]`.
   * @example await engine.tune(() => model.predict(x)); localStorage.sepconvTuning = JSON.stringify(engine.tuning());
   */
  async tune(fn: () => unknown, options: TuneOptions = {}): Promise<TuningRecord[]> {
    const op = 'tune';
    this.assertAlive(op);
    if (typeof fn !== 'function') throw invalid(op, 'fn', 'a function', describe(fn));
    checkOptions(op, options);
    const { budgetMs, runs } = options;
    if (budgetMs !== undefined && !(typeof budgetMs === 'number' && budgetMs >= 0)) {
      throw invalid(op, 'options.budgetMs', 'a number of milliseconds ≥ 0 (Infinity: no limit)', describe(budgetMs));
    }
    if (runs !== undefined && !(Number.isInteger(runs) && runs >= 1 && runs <= 100)) {
      throw invalid(op, 'options.runs', 'an integer from 1 to 100', describe(runs));
    }
    if (!this.impl.tune) {
      await this.warmup(fn);
      return [];
    }
    return this.impl.tune(() => {
      const made = new Set<Tensor>();
      collectTensors(this.tidy(fn), made);
      made.forEach((t) => t.dispose());
    }, options);
  }

  /**
   * Which kernel each distinct op call of `fn` would run on, and why: forced by the
   * `kernels` option, chosen by a tuning record, or by the cost model (`by`). Runs
   * `fn` as {@link Engine.tidy} without dispatching anything; `[]` on the CPU backend.
   * @example for (const k of engine.explain(() => model.predict(x))) console.log(k.key, k.variant, k.tunables, k.by);
   */
  explain(fn: () => unknown): KernelExplanation[] {
    const op = 'explain';
    this.assertAlive(op);
    if (typeof fn !== 'function') throw invalid(op, 'fn', 'a function', describe(fn));
    if (!this.impl.explain) return [];
    return this.impl.explain(() => {
      const made = new Set<Tensor>();
      collectTensors(this.tidy(fn), made);
      made.forEach((t) => t.dispose());
    });
  }

  /**
   * The tuning records this engine uses: those given to `createEngine({ tuning })`
   * that apply to its adapter and kernels, and those {@link Engine.tune} measured.
   * Plain JSON: keep them in a file (Node), IndexedDB or localStorage (browser), and
   * pass them to `createEngine({ tuning })` to skip timing next time.
   */
  tuning(): TuningRecord[] {
    return this.impl.tuning?.() ?? [];
  }

  /** Releases the pooled (free) GPU buffers; tensors in use are kept. */
  trim(): void {
    this.impl.trim?.();
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
    return this.scopes.run(op, fn);
  }

  /** Exempts `t` from disposal by the enclosing {@link Engine.tidy} scopes. */
  keep(t: Tensor): Tensor {
    checkTensor('keep', 't', t, this, this.impl);
    this.scopes.keep(t);
    return t;
  }

  /**
   * After the GPU device was lost, makes a new one (or uses `options.device`) and
   * resolves with the backend now in use. Tensors made before are unusable (ops on
   * them throw DEVICE_LOST) and must be recreated. With `backend: 'auto'` and no
   * hardware adapter left, the engine falls back to wasm: the result says `'wasm'`.
   */
  async recover(options: { device?: GPUDevice } = {}): Promise<'webgpu' | 'wasm' | 'cpu'> {
    if (this.destroyed) throw destroyedError('recover');
    const old = this.impl;
    const next = await createBackend({
      ...this.options,
      // What was tuned since still applies to a new device on the same adapter.
      ...(old.tuning && { tuning: [...(this.options.tuning ?? []), ...old.tuning()] }),
      ...(this.options.device && !options.device ? { device: undefined } : {}),
      ...(options.device && { device: options.device }),
    });
    old.destroy();
    this.impl = next;
    this.scopes.forgetKept();
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
      checkTensor('read', 'tensor', t, this, this.impl);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.impl.read(t.storage);
  }

  /** @internal */
  async gpuBuffer(t: Tensor): Promise<GpuBufferView> {
    const op = 'gpuBuffer';
    this.assertAlive(op);
    checkTensor(op, 'tensor', t, this, this.impl);
    if (!this.impl.gpuBuffer) {
      throw invalid(op, 'tensor', 'a tensor of an engine on the WebGPU backend', `a tensor on the '${this.backend}' backend`);
    }
    return this.impl.gpuBuffer(t.storage);
  }

  /** @internal The backend, for the model runtime (src/model), which plans its own memory. */
  get implementation(): Backend {
    this.assertAlive('model');
    return this.impl;
  }

  /** @internal Wraps backend storage (made by `implementation`) as a tensor of this engine. */
  wrap(storage: Storage, shape: readonly number[], layout: Layout = 'NHWC'): Tensor {
    return this.scopes.track(new Tensor(this, shape, storage, this.impl, layout));
  }

  /** @internal Checks that `t` is a live NHWC tensor of this engine, for the model runtime. */
  checkInput(op: string, arg: string, t: unknown): asserts t is Tensor {
    this.assertAlive(op);
    checkTensor(op, arg, t, this, this.impl);
  }

  /** @internal */
  release(t: Tensor): void {
    if (!this.destroyed && t.owner === this.impl) this.impl.release(t.storage);
  }

  /**
   * Runs `body` (the backend call) on an NHWC view of `x` and returns its result, of
   * NHWC shape `outShape`, as a tensor in `x`'s layout.
   */
  private record(op: string, x: Tensor, body: (xs: Storage) => Storage, outShape: [number, number, number, number]): Tensor {
    checkSize(op, 'output', outShape, this.impl.maxTensorBytes);
    const out = inNhwc(this.impl, x, body, outShape);
    return this.scopes.track(new Tensor(this, out.shape, out.storage, this.impl, out.layout));
  }

  /** Max or average pooling (see {@link Engine.maxPool}, {@link Engine.avgPool}). */
  private pool2d(op: string, x: Tensor, options: MaxPoolOptions, kind: 'max' | 'avg', countIncludePad: unknown): Tensor {
    this.begin(op, options, [['x', x]]);
    const includePad = countIncludePad ?? false;
    if (typeof includePad !== 'boolean') throw invalid(op, 'options.countIncludePad', 'a boolean', describe(includePad));
    const input = imageShape(op, x);
    const [kH, kW] = poolKernelSize(op, options.kernelSize);
    const geom = convGeometry(op, input, kH, kW, { stride: options.stride ?? [kH, kW], padding: options.padding }, POOL_GEOMETRY_ARGS);
    const p = pool2dParams(geom, input[3], kind, includePad);
    return this.record(op, x, (xs) => this.impl.pool2d(xs, p), [input[0], geom.outH, geom.outW, input[3]]);
  }

  /** An elementwise binary op (see {@link Engine.add}). */
  private binary(op: BinaryParams['kind'], a: Tensor, b: Tensor, options: BinaryOptions): Tensor {
    this.begin(op, options, [['a', a], ['b', b]]);
    const { shape, layout } = broadcastShape(op, a, b);
    const act = resolveActivation(op, options.activation, options.alpha, options.beta);
    checkSize(op, 'output', shape, this.impl.maxTensorBytes);
    const storage = this.impl.binary(a.storage, b.storage, binaryParams(op, a.shape, b.shape, shape, act));
    return this.scopes.track(new Tensor(this, shape, storage, this.impl, layout));
  }

  /** The checks of a new tensor's shape and options; returns its layout. */
  private newTensorChecks(op: string, shape: readonly number[], options: TensorOptions): Layout {
    this.assertAlive(op);
    checkOptions(op, options);
    const layout = tensorLayout(op, shape, options.layout);
    checkSize(op, 'shape', shape, this.impl.maxTensorBytes);
    return layout;
  }

  /** Common checks of every op: engine alive, options an object, every tensor usable. */
  private begin(op: string, options: unknown, tensors: [string, Tensor | undefined][]): void {
    this.assertAlive(op);
    checkOptions(op, options);
    for (const [arg, t] of tensors) {
      if (t !== undefined || !arg.startsWith('options.')) checkTensor(op, arg, t, this, this.impl);
    }
  }

  private assertAlive(op: string): void {
    if (this.destroyed) throw destroyedError(op);
    const lost = this.impl.lost;
    if (lost) throw deviceLostError(op, lost);
  }
}

/**
 * Creates an engine. With `backend: 'auto'` (the default) it uses WebGPU on a hardware
 * adapter, else the wasm backend (else the CPU reference where WebAssembly has no
 * SIMD); `engine.backend` says which. In Node,
 * WebGPU comes from the optional `webgpu` package.
 * @example const engine = await createEngine({ backend: 'webgpu' });
 */
export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  return new Engine(await createBackend(options), options);
}
