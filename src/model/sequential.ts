// The model runtime: builds a list of layers into a graph of backend ops, folds
// batch normalisation and activations into the convolutions before them, fuses
// a residual add into the pointwise convolution that ends its block, plans the
// intermediate buffers by liveness, and runs a whole forward pass as one
// command buffer and one submit.

import type { ActivationSpec } from '../activation.js';
import { resolveActivation } from '../activation.js';
import type { Backend, Storage } from '../backend.js';
import { countFlops } from '../count.js';
import type { Engine } from '../engine.js';
import type { TuneOptions } from '../gpu/backend.js';
import type { TuningRecord } from '../tuning/records.js';
import { SepconvError, describe } from '../errors.js';
import { conv2dParams, depthwiseParams, pointwiseParams, runConv2d, separableParams } from '../ops.js';
import { seededUniform as uniform } from '../random.js';
import type { ConvGeometry } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { foldBatchNorm } from './fold.js';
import { layerShape, spatialOf, type LayerSpec, type WeightSpec } from './layers.js';

const OP = 'sequential';

/** Options of {@link sequential}. */
export interface SequentialOptions {
  /** The engine the model runs on. */
  engine: Engine;
  /** [H, W, C] of one input image (NHWC). */
  inputShape: readonly [number, number, number];
  /**
   * Weights in Keras `model.get_weights()` order (per layer: kernel, bias; batch norm:
   * gamma, beta, moving mean, moving variance). Default: seeded random weights.
   */
  weights?: readonly Float32Array[];
  /** Seed of the random weights. Default 1. */
  seed?: number;
}

/** The intermediate-memory plan of a forward pass at one batch size. */
export interface MemoryPlan {
  batch: number;
  /** Buffers the plan uses; each holds a succession of intermediate tensors whose lifetimes do not overlap. */
  buffers: number;
  /** Bytes of those buffers: the intermediate memory a forward pass needs. */
  peakBytes: number;
  /** Bytes all intermediate tensors would take if each had its own buffer. */
  activationBytes: number;
}

/** One row of a model summary. */
export interface LayerSummary {
  name: string;
  type: string;
  /** Output shape per image [H, W, C] (after flatten: [features]). */
  outputShape: number[];
  /** Weights as Keras counts them (batch norm: 4 per channel, 2 trainable). */
  params: number;
  /** FLOPs per image, 2 per multiply-add. */
  flops: number;
}

/** A memory plan, the value → buffer assignment, buffer sizes, and the buffers once made. */
interface PlannedMemory {
  plan: MemoryPlan;
  slotOf: Map<number, number>;
  /** Elements of each buffer (whole vec4s). */
  sizes: number[];
  slots: Storage[] | null;
}

type Kind = 'conv2d' | 'depthwise' | 'pointwise' | 'separable' | 'pool' | 'softmax';

/** One backend op of the compiled graph. */
interface Node {
  kind: Kind;
  name: string;
  input: number;
  output: number;
  residual: number | null;
  inShape: [number, number, number];
  outShape: [number, number, number];
  /** Geometry of a k×k op for one image; runNode sets the batch. */
  geometry: ConvGeometry | null;
  groups: number;
  multiplier: number;
  act: ActivationSpec;
  /** Folded weights: filter (HWIO / [kh, kw, C, M] / [Cin, Cout]) and bias; for separable also the depthwise pair. */
  filter: Float32Array | null;
  bias: Float32Array | null;
  depthwiseFilter: Float32Array | null;
  /** Weights on the backend, made when the model is built. */
  stored: { filter: Storage | null; bias: Storage | null; depthwiseFilter: Storage | null };
}

/**
 * Seeded initial values that keep activations in a sane range through deep
 * networks: kernels He-uniform (bound √(6 / fan-in)), biases and batch-norm beta
 * and mean near 0, gamma and variance near 1.
 */
function initialWeight(spec: WeightSpec, seed: number): Float32Array {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const u = uniform(size, seed);
  const name = spec.name;
  if (name.endsWith('kernel')) {
    // fan-in: every dimension but the output one ([kh, kw, C, M] depthwise: kh·kw)
    const shape = spec.shape;
    const fanIn = name === 'depthwise_kernel' ? (shape[0] as number) * (shape[1] as number) : size / (shape[shape.length - 1] as number);
    const bound = Math.sqrt(6 / fanIn);
    return u.map((v) => v * bound);
  }
  if (name === 'gamma' || name === 'moving_variance') return u.map((v) => 1 + 0.25 * v);
  return u.map((v) => 0.05 * v);
}

/** Hands out a model's weights in Keras order: given ones, or seeded random ones. */
class WeightSource {
  private next = 0;
  constructor(
    private readonly given: readonly Float32Array[] | undefined,
    private readonly seed: number,
  ) {}

  take(layer: string, spec: WeightSpec): Float32Array {
    const index = this.next++;
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (!this.given) return initialWeight(spec, this.seed * 100_003 + index * 7919);
    const w = this.given[index];
    if (!(w instanceof Float32Array) || w.length !== size) {
      throw new SepconvError('SHAPE_MISMATCH', {
        op: OP,
        arg: `options.weights[${index}]`,
        expected: `a Float32Array of ${size} values (${layer} ${spec.name} [${spec.shape.join(', ')}])`,
        given: w instanceof Float32Array ? `${w.length} values` : describe(w),
      });
    }
    return w;
  }

  finish(): void {
    if (this.given && this.next !== this.given.length) {
      throw new SepconvError('SHAPE_MISMATCH', {
        op: OP,
        arg: 'options.weights',
        expected: `${this.next} arrays (Keras get_weights() order)`,
        given: `${this.given.length}`,
      });
    }
  }
}

/** A model built from layers: runs whole forward passes on its engine. */
export class Model {
  private readonly nodes: Node[] = [];
  private readonly rows: LayerSummary[] = [];
  private readonly kerasWeights: Float32Array[] = [];
  private trainable = 0;
  private valueShapes: [number, number, number][] = [];
  private outputValue = 0;
  private outputFlat = false;
  private readonly plans = new Map<number, PlannedMemory>();
  private backend: Backend;
  private disposed = false;

  /** Not for direct use: models come from {@link sequential} and the MobileNet builders. */
  constructor(
    private readonly engine: Engine,
    layers: readonly LayerSpec[],
    private readonly inputShape: readonly [number, number, number],
    weights: readonly Float32Array[] | undefined,
    seed: number,
  ) {
    if (!Array.isArray(layers) || layers.length === 0) {
      throw new SepconvError('INVALID_ARGUMENT', { op: OP, arg: 'layers', expected: 'a non-empty array of layers', given: describe(layers) });
    }
    if (!Array.isArray(inputShape) || inputShape.length !== 3 || !inputShape.every((v) => Number.isInteger(v) && v > 0)) {
      throw new SepconvError('INVALID_ARGUMENT', { op: OP, arg: 'options.inputShape', expected: '[H, W, C] of positive integers', given: describe(inputShape) });
    }
    this.backend = engine.implementation;
    const source = new WeightSource(weights, seed);
    this.valueShapes = [[...inputShape] as [number, number, number]];
    const end = this.compile(layers, 0, 'layers', source);
    source.finish();
    this.outputValue = end.value;
    this.upload();
  }

  // ---- building --------------------------------------------------------------

  private newValue(shape: [number, number, number]): number {
    this.valueShapes.push(shape);
    return this.valueShapes.length - 1;
  }

  /** Compiles `layers` applied to value `input`; returns the resulting value and the op that may still absorb BN/activation. */
  private compile(layers: readonly LayerSpec[], input: number, path: string, source: WeightSource): { value: number; open: Node | null } {
    let value = input;
    // The last node, while its output is not used by anything else yet: a following
    // batch norm or activation folds into it.
    let open: Node | null = null;
    layers.forEach((l, i) => {
      const arg = `${path}[${i}]`;
      if (l === null || typeof l !== 'object' || typeof (l as { type?: unknown }).type !== 'string') {
        throw new SepconvError('INVALID_ARGUMENT', { op: OP, arg, expected: 'a layer object with a type', given: describe(l) });
      }
      const name = l.name ?? `${l.type}_${this.rows.length}`;
      const inShape = this.valueShapes[value] as [number, number, number];
      if (l.type === 'residual') {
        const inner = this.compile(l.layers, value, `${arg}.layers`, source);
        const last = inner.open;
        if (!last || last.kind !== 'pointwise' || last.residual !== null || last.act.activation !== 'linear') {
          throw new SepconvError('INVALID_ARGUMENT', {
            op: OP,
            arg: `${arg}.layers`,
            expected: 'a block ending in a pointwiseConv2d (optionally followed by batchNorm) with no activation, which the add is fused into',
            given: last ? `a block ending in ${last.kind}` : 'a block whose last op cannot take the add',
          });
        }
        const outShape = this.valueShapes[inner.value] as [number, number, number];
        if (outShape.join() !== inShape.join()) {
          throw new SepconvError('SHAPE_MISMATCH', { op: OP, arg, expected: `a block output of the input shape [${inShape.join(', ')}]`, given: `[${outShape.join(', ')}]` });
        }
        last.residual = value;
        value = inner.value;
        open = last;
        this.rows.push({ name, type: 'residual (add)', outputShape: outShape, params: 0, flops: 0 });
        return;
      }
      if (!['conv2d', 'depthwiseConv2d', 'pointwiseConv2d', 'separableConv2d', 'batchNorm', 'activation', 'globalAveragePool', 'dense', 'flatten', 'softmax'].includes(l.type)) {
        throw new SepconvError('INVALID_ARGUMENT', { op: OP, arg: `${arg}.type`, expected: 'a known layer type', given: describe(l.type) });
      }
      const { out, weights } = layerShape(arg, l, inShape);
      const arrays = weights.map((w) => source.take(name, w));
      arrays.forEach((a) => this.kerasWeights.push(a));
      const params = weights.reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
      this.trainable += weights.filter((w) => w.trainable).reduce((s, w) => s + w.shape.reduce((a, b) => a * b, 1), 0);
      const row: LayerSummary = { name, type: l.type, outputShape: l.type === 'flatten' ? [out[2]] : out, params, flops: 0 };
      this.rows.push(row);
      const [h, w, c] = inShape;
      const act = (a: ActivationSpec['activation'] | undefined, alpha?: number) => resolveActivation(OP, a, alpha);
      const node = (kind: Kind, extra: Partial<Node>): Node => {
        const n: Node = {
          kind,
          name,
          input: value,
          output: this.newValue(out),
          residual: null,
          inShape,
          outShape: out,
          geometry: null,
          groups: 1,
          multiplier: 1,
          act: act(undefined),
          filter: null,
          bias: null,
          depthwiseFilter: null,
          stored: { filter: null, bias: null, depthwiseFilter: null },
          ...extra,
        };
        this.nodes.push(n);
        value = n.output;
        return n;
      };
      const useBias = (x: { useBias?: boolean }) => x.useBias ?? true;
      switch (l.type) {
        case 'conv2d': {
          const s = spatialOf(arg, l, h, w);
          row.flops = countFlops({ op: 'conv2d', inChannels: c, outChannels: l.filters, kernelSize: [s.kH, s.kW], groups: l.groups ?? 1, inputSize: [h, w], stride: [s.strideH, s.strideW], dilation: [s.dilationH, s.dilationW], padding: l.padding ?? 'valid' });
          open = node('conv2d', { geometry: s, groups: l.groups ?? 1, act: act(l.activation), filter: arrays[0] as Float32Array, bias: useBias(l) ? (arrays[1] as Float32Array) : null });
          break;
        }
        case 'depthwiseConv2d': {
          const s = spatialOf(arg, l, h, w);
          const m = l.depthMultiplier ?? 1;
          row.flops = countFlops({ op: 'depthwise', inChannels: c, kernelSize: [s.kH, s.kW], depthMultiplier: m, inputSize: [h, w], stride: [s.strideH, s.strideW], dilation: [s.dilationH, s.dilationW], padding: l.padding ?? 'valid' });
          open = node('depthwise', { geometry: s, multiplier: m, act: act(l.activation), filter: arrays[0] as Float32Array, bias: useBias(l) ? (arrays[1] as Float32Array) : null });
          break;
        }
        case 'pointwiseConv2d':
        case 'dense': {
          const units = l.type === 'dense' ? l.units : l.filters;
          row.flops = countFlops({ op: 'pointwise', inChannels: c, outChannels: units, inputSize: [h, w] });
          open = node('pointwise', { act: act(l.activation), filter: arrays[0] as Float32Array, bias: useBias(l) ? (arrays[1] as Float32Array) : null });
          break;
        }
        case 'separableConv2d': {
          const s = spatialOf(arg, l, h, w);
          const m = l.depthMultiplier ?? 1;
          row.flops = countFlops({ op: 'separable', inChannels: c, outChannels: l.filters, kernelSize: [s.kH, s.kW], depthMultiplier: m, inputSize: [h, w], stride: [s.strideH, s.strideW], dilation: [s.dilationH, s.dilationW], padding: l.padding ?? 'valid' });
          open = node('separable', {
            geometry: s,
            multiplier: m,
            act: act(l.activation),
            depthwiseFilter: arrays[0] as Float32Array,
            filter: arrays[1] as Float32Array,
            bias: useBias(l) ? (arrays[2] as Float32Array) : null,
          });
          break;
        }
        case 'batchNorm': {
          if (!open || open.act.activation !== 'linear' || open.residual !== null || open.kind === 'pool' || open.kind === 'softmax') {
            throw new SepconvError('INVALID_ARGUMENT', { op: OP, arg, expected: 'a batchNorm right after a convolution or dense layer with no activation (it is folded into its weights)', given: open ? `after ${open.kind}` : 'a batchNorm with no convolution before it' });
          }
          Object.assign(open, foldBatchNorm(open.filter as Float32Array, open.bias, arrays as [Float32Array, Float32Array, Float32Array, Float32Array], l.epsilon ?? 1e-3));
          break;
        }
        case 'activation': {
          if (!open || open.act.activation !== 'linear' || open.kind === 'pool' || open.kind === 'softmax') {
            throw new SepconvError('INVALID_ARGUMENT', { op: OP, arg, expected: 'an activation right after a convolution, dense layer or residual block (it is fused into its write)', given: open ? `after ${open.kind} with activation ${open.act.activation}` : 'an activation with no op before it' });
          }
          open.act = act(l.activation, l.alpha);
          break;
        }
        case 'globalAveragePool':
          node('pool', {});
          open = null;
          break;
        case 'flatten':
          // Same data, new shape: an alias of the value.
          this.valueShapes[value] = out;
          this.outputFlat = true;
          break;
        case 'softmax':
          node('softmax', {});
          open = null;
          break;
      }
    });
    return { value, open };
  }

  private upload(): void {
    const be = this.backend;
    for (const n of this.nodes) {
      if (n.filter) n.stored.filter = be.upload(n.filter);
      if (n.bias) n.stored.bias = be.upload(n.bias);
      if (n.depthwiseFilter) n.stored.depthwiseFilter = be.upload(n.depthwiseFilter);
    }
  }

  // ---- memory plan ---------------------------------------------------------------

  /** Liveness-based assignment of intermediate values to shared buffers, for batch size `batch`. */
  private planFor(batch: number): PlannedMemory {
    let cached = this.plans.get(batch);
    if (cached) return cached;
    const lastUse = new Map<number, number>();
    this.nodes.forEach((n, i) => {
      for (const v of [n.input, n.residual]) if (v !== null) lastUse.set(v, i);
    });
    const elements = (v: number) => batch * (this.valueShapes[v] as number[]).reduce((a, b) => a * b, 1);
    // Slots are sized to whole vec4s: kernels may bind them as arrays of vec4.
    const slotSizes: number[] = [];
    const free: number[] = [];
    const slotOf = new Map<number, number>();
    let activationBytes = 0;
    this.nodes.forEach((n, i) => {
      const v = n.output;
      if (v !== this.outputValue) {
        const need = Math.ceil(elements(v) / 4) * 4;
        activationBytes += 4 * elements(v);
        // Best fit among free slots (smallest that holds it, else the largest, grown).
        let pick = -1;
        for (const s of free) {
          const size = slotSizes[s] as number;
          if (size >= need && (pick < 0 || size < (slotSizes[pick] as number))) pick = s;
        }
        if (pick < 0 && free.length) pick = free.reduce((a, b) => ((slotSizes[a] as number) >= (slotSizes[b] as number) ? a : b));
        if (pick < 0) {
          pick = slotSizes.length;
          slotSizes.push(need);
        } else {
          free.splice(free.indexOf(pick), 1);
          slotSizes[pick] = Math.max(slotSizes[pick] as number, need);
        }
        slotOf.set(v, pick);
      }
      // Values whose last reader is this node free their slot only now: an op never
      // writes the buffer it reads.
      for (const u of [n.input, n.residual]) {
        if (u !== null && lastUse.get(u) === i && slotOf.has(u)) free.push(slotOf.get(u) as number);
      }
    });
    const plan: MemoryPlan = {
      batch,
      buffers: slotSizes.length,
      peakBytes: slotSizes.reduce((a, b) => a + 4 * b, 0),
      activationBytes,
    };
    cached = { plan, slotOf, sizes: slotSizes, slots: null };
    this.plans.set(batch, cached);
    return cached;
  }

  /** The intermediate-memory plan of a forward pass with `batch` images. */
  memoryPlan(batch = 1): MemoryPlan {
    this.assertLive('memoryPlan');
    return { ...this.planFor(batch).plan };
  }

  // ---- running -------------------------------------------------------------------

  /**
   * Runs the model on `x` ([N, H, W, C], NHWC) and returns its output tensor
   * ([N, classes] after flatten/softmax, else [N, H, W, C]). The whole forward pass
   * is recorded as one command buffer and submitted once, when the result is read.
   */
  predict(x: Tensor): Tensor {
    const batch = this.checkInput('predict', x);
    const be = this.backend;
    const planned = this.planFor(batch);
    planned.slots ??= planned.sizes.map((n) => be.allocate(n));
    const slots = planned.slots;
    const storages = new Map<number, Storage>([[0, x.storage]]);
    const result = be.atomically(() => {
      let last: Storage = x.storage;
      for (const n of this.nodes) {
        const input = storages.get(n.input) as Storage;
        const residual = n.residual === null ? undefined : (storages.get(n.residual) as Storage);
        const slot = planned.slotOf.get(n.output);
        const extras = { ...(slot !== undefined && { out: slots[slot] as Storage }), ...(residual && { residual }) };
        const out = this.runNode(n, input, batch, extras);
        storages.set(n.output, out);
        last = out;
      }
      return last;
    });
    const shape = this.valueShapes[this.outputValue] as number[];
    return this.engine.wrap(result, this.outputFlat ? [batch, shape[2] as number] : [batch, ...shape]);
  }

  /**
   * Tunes the kernels of this model's ops for inputs shaped like `x` (see
   * {@link Engine.tune}): later predictions of that batch size run on the fastest
   * measured kernels. Resolves with the new tuning records.
   * @example await model.tune(x); const records = engine.tuning();
   */
  tune(x: Tensor, options: TuneOptions = {}): Promise<TuningRecord[]> {
    this.checkInput('tune', x);
    return this.engine.tune(() => this.predict(x), options);
  }

  /**
   * Runs `x` through the model once, timing every op: GPU timestamp queries when the
   * adapter has them, else wall clock around each op (with a submit and a wait per
   * op, so it overstates small ops). Resolves with one row per op (batch norm and
   * activations are folded into the op they follow) and the output probabilities.
   */
  async profile(x: Tensor): Promise<{ method: 'timestamps' | 'wall clock'; layers: { name: string; op: string; ms: number }[]; output: Float32Array }> {
    const batch = this.checkInput('profile', x);
    const storages = new Map<number, Storage>([[0, x.storage]]);
    const made: Storage[] = [];
    const steps = this.nodes.map((n) => () => {
      const residual = n.residual === null ? undefined : (storages.get(n.residual) as Storage);
      const out = this.runNode(n, storages.get(n.input) as Storage, batch, residual ? { residual } : {});
      storages.set(n.output, out);
      made.push(out);
    });
    try {
      const { ms, method } = await this.backend.profile(steps);
      const output = await this.backend.read(storages.get(this.outputValue) as Storage);
      return { method, layers: this.nodes.map((n, i) => ({ name: n.name, op: n.kind, ms: ms[i] as number })), output };
    } finally {
      for (const s of made) this.backend.release(s);
    }
  }

  private runNode(n: Node, x: Storage, batch: number, extras: { out?: Storage; residual?: Storage }): Storage {
    const be = this.backend;
    const [h, w, c] = n.inShape;
    const [oh, ow, oc] = n.outShape;
    const st = n.stored;
    const geometry = (): ConvGeometry => ({ ...(n.geometry as ConvGeometry), batch });
    switch (n.kind) {
      case 'conv2d':
        return runConv2d(be, x, st.filter as Storage, st.bias, conv2dParams(geometry(), c, oc, n.groups, n.act), extras);
      case 'depthwise':
        return be.depthwiseConv2d(x, st.filter as Storage, st.bias, depthwiseParams(geometry(), c, n.multiplier, n.act), extras);
      case 'pointwise':
        return be.pointwiseConv2d(x, st.filter as Storage, st.bias, pointwiseParams(batch * h * w, c, oc, n.act), extras);
      case 'separable':
        return be.separableConv2d(x, { depthwiseFilter: st.depthwiseFilter as Storage, depthwiseBias: null, pointwiseFilter: st.filter as Storage, bias: st.bias }, separableParams(geometry(), c, n.multiplier, oc, n.act), extras);
      case 'pool':
        return be.globalAveragePool(x, { batch, height: h, width: w, channels: c }, extras);
      case 'softmax':
        return be.softmax(x, { rows: batch * oh * ow, size: oc }, extras);
    }
  }

  // ---- inspection ----------------------------------------------------------------

  /** Keras-style parameter counts, before and after folding batch norm. */
  params(): { total: number; trainable: number; nonTrainable: number; folded: number } {
    const total = this.kerasWeights.reduce((a, w) => a + w.length, 0);
    const folded = this.nodes.reduce((a, n) => a + (n.filter?.length ?? 0) + (n.bias?.length ?? 0) + (n.depthwiseFilter?.length ?? 0), 0);
    return { total, trainable: this.trainable, nonTrainable: total - this.trainable, folded };
  }

  /** Per-layer rows of the summary. */
  layers(): LayerSummary[] {
    return this.rows.map((r) => ({ ...r, outputShape: [...r.outputShape] }));
  }

  /** FLOPs of one image's forward pass (2 per multiply-add). */
  flops(): number {
    return this.rows.reduce((a, r) => a + r.flops, 0);
  }

  /** The weights in Keras get_weights() order, as given or generated. */
  weights(): Float32Array[] {
    return [...this.kerasWeights];
  }

  /** A table of every layer's output shape, weights and FLOPs, with totals (Keras-style and folded). */
  summary(): string {
    const rows = this.rows;
    const fmt = (n: number) => n.toLocaleString('en-US');
    const cols = ['layer', 'type', 'output shape', 'params', 'FLOPs'];
    const data = rows.map((r) => [r.name, r.type, `[${r.outputShape.join(', ')}]`, fmt(r.params), fmt(r.flops)]);
    const widths = cols.map((c, i) => Math.max(c.length, ...data.map((d) => (d[i] as string).length)));
    const line = (cells: string[]) => cells.map((c, i) => (i >= 3 ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join('  ');
    const p = this.params();
    const plan = this.planFor(1).plan;
    return [
      line(cols),
      widths.map((w) => '-'.repeat(w)).join('  '),
      ...data.map(line),
      '',
      `Total params: ${fmt(p.total)} (trainable ${fmt(p.trainable)}, non-trainable ${fmt(p.nonTrainable)}), as Keras counts them`,
      `Params after folding batch norm: ${fmt(p.folded)} in ${this.nodes.length} GPU ops`,
      `FLOPs per image: ${fmt(this.flops())}`,
      `Intermediate memory per image: ${fmt(plan.peakBytes)} bytes in ${plan.buffers} buffers (${fmt(plan.activationBytes)} if unplanned)`,
    ].join('\n');
  }

  /** Frees the model's weights and planned buffers. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.backend !== this.engine.implementation) return; // lost device: nothing to free
    for (const n of this.nodes) for (const s of Object.values(n.stored)) if (s) this.backend.release(s);
    for (const p of this.plans.values()) for (const s of p.slots ?? []) this.backend.release(s);
    this.plans.clear();
  }

  /** Checks the model input; returns the batch size. */
  private checkInput(op: string, x: Tensor): number {
    this.assertLive(op);
    this.engine.checkInput(op, 'x', x);
    const [H, W, C] = this.inputShape;
    const s = x.shape;
    if (x.layout !== 'NHWC' || s.length !== 4 || s[1] !== H || s[2] !== W || s[3] !== C) {
      throw new SepconvError('SHAPE_MISMATCH', { op, arg: 'x', expected: `an NHWC tensor [N, ${H}, ${W}, ${C}]`, given: `${x.layout} [${s.join(', ')}]` });
    }
    return s[0] as number;
  }

  private assertLive(op: string): void {
    if (this.disposed) throw new SepconvError('DISPOSED', { op, arg: 'model', expected: 'a live model', given: 'a disposed model' });
  }
}

/**
 * Builds a model from a list of layers (Keras-like), on `options.engine`.
 * @example
 * const model = sequential([
 *   { type: 'conv2d', filters: 32, kernelSize: 3, strides: 2, padding: 'same', useBias: false },
 *   { type: 'batchNorm' }, { type: 'activation', activation: 'relu6' },
 *   { type: 'depthwiseConv2d', kernelSize: 3, padding: 'same', useBias: false },
 *   { type: 'batchNorm' }, { type: 'activation', activation: 'relu6' },
 *   { type: 'pointwiseConv2d', filters: 64, useBias: false }, { type: 'batchNorm' },
 *   { type: 'globalAveragePool' }, { type: 'dense', units: 10 }, { type: 'flatten' }, { type: 'softmax' },
 * ], { engine, inputShape: [224, 224, 3] });
 * const probs = model.predict(x); // [N, 10]
 */
export function sequential(layers: readonly LayerSpec[], options: SequentialOptions): Model {
  if (options === null || typeof options !== 'object' || !options.engine) {
    throw new SepconvError('INVALID_ARGUMENT', { op: OP, arg: 'options.engine', expected: 'an Engine', given: describe(options?.engine) });
  }
  return new Model(options.engine, layers, options.inputShape, options.weights, options.seed ?? 1);
}
