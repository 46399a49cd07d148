// A model: a graph (from a builder or a loader) optimized by the passes, lowered
// to steps, its weights uploaded once, and run as whole forward passes: every
// step of a predict is recorded in one command buffer and submitted when a
// result is read; intermediate tensors share buffers by a liveness plan.

import type { Backend, Storage } from '../backend.js';
import type { Engine } from '../engine.js';
import { SepconvError } from '../errors.js';
import type { TuneOptions } from '../gpu/backend.js';
import { Tensor } from '../tensor.js';
import type { TuningRecord } from '../tuning/records.js';
import type { Graph, ImageLayout, Node, OpAttrs } from './ir.js';
import { lowerGraph, type Lowered } from './lower.js';
import { optimize } from './passes.js';
import { planMemory, type MemoryPlan, type PlannedMemory } from './plan.js';

export type { MemoryPlan } from './plan.js';

/** One row of a model summary. */
export interface LayerSummary {
  name: string;
  type: string;
  /** Output shape per image (without the batch). */
  outputShape: number[];
  /** Weights of the layer (Keras counts batch norm as 4 per channel, 2 trainable). */
  params: number;
  /** FLOPs per image, 2 per multiply-add. */
  flops: number;
}

/** A model input as the source declares it. */
export interface ModelInput {
  name: string;
  /** Dimensions; `null` for an open batch (any size). */
  shape: (number | null)[];
  /** Layout of a rank-4 input ('NHWC' or 'NCHW'); null for other ranks. */
  layout: ImageLayout | null;
}

/** A model output as the source declares it. */
export interface ModelOutput {
  name: string;
  shape: (number | null)[];
}

/** What a builder or loader hands the runtime besides the graph. */
export interface ModelSource {
  graph: Graph;
  /** Summary rows per source layer (default: one per graph node). */
  rows?: LayerSummary[];
  /** Parameter counts as the source counts them (default: the graph's weights, all trainable). */
  params?: { total: number; trainable: number };
  /** The weights in the source's order (Keras get_weights() for sequential models). */
  weights?: Float32Array[];
  /** Where errors come from: 'sequential', 'loadOnnx', 'loadLayersModel'. */
  op: string;
}

/** Weights a node holds, in a fixed order. */
function nodeWeights(n: Node): Float32Array[] {
  const a = n.attrs as Partial<OpAttrs['conv'] & OpAttrs['separable'] & OpAttrs['dense'] & OpAttrs['scaleShift']>;
  return [a.filter, a.depthwiseFilter, a.pointwiseFilter, a.weights, a.bias, a.scale, a.shift].filter((w): w is Float32Array => w instanceof Float32Array);
}

/** FLOPs per image of a node (2 per multiply-add of the convolutions and dense layers; 0 for the rest). */
function nodeFlops(g: Graph, n: Node): number {
  const out = g.values[n.output]?.shape ?? [];
  const perImage = out.slice(1).reduce((a, d) => a * d, 1);
  switch (n.op) {
    case 'conv': {
      const a = n.attrs as OpAttrs['conv'];
      const inC = a.filter.length / (a.kH * a.kW * a.outChannels);
      return 2 * perImage * a.kH * a.kW * inC;
    }
    case 'separable': {
      const a = n.attrs as OpAttrs['separable'];
      const pixels = perImage / a.outChannels;
      const mid = a.pointwiseFilter.length / a.outChannels;
      return 2 * pixels * mid * (a.kH * a.kW + a.outChannels);
    }
    case 'dense': {
      const a = n.attrs as OpAttrs['dense'];
      return 2 * perImage * (a.weights.length / a.units);
    }
    default:
      return 0;
  }
}

/** The layout of a node's data: its own for image ops, else its first input's producer's. */
function layoutOf(g: Graph, value: number, seen = new Set<number>()): ImageLayout | null {
  if (seen.has(value)) return null;
  seen.add(value);
  const input = g.inputs.find((i) => i.value === value);
  if (input) return input.layout;
  const n = g.nodes.find((x) => x.output === value);
  if (!n) return null;
  const own = (n.attrs as { layout?: ImageLayout }).layout;
  if (own) return own;
  return n.inputs.length ? layoutOf(g, n.inputs[0] as number, seen) : null;
}

/** A model running on one engine: see {@link sequential}, {@link loadOnnx}, {@link loadLayersModel}. */
export class Model {
  /** The inputs, as the source declares them. */
  readonly inputs: readonly ModelInput[];
  /** The outputs, in the source's order. */
  readonly outputs: readonly ModelOutput[];
  private readonly rows: LayerSummary[];
  private readonly counts: { total: number; trainable: number };
  private readonly sourceWeights: Float32Array[];
  private readonly lowered: Lowered;
  private readonly graph: Graph;
  private readonly op: string;
  private readonly backend: Backend;
  /** Uploaded weights (by weight index) and constants (by tensor id). */
  private readonly weightStorages: Storage[] = [];
  private readonly constantStorages = new Map<number, Storage>();
  private readonly plans = new Map<number, PlannedMemory & { slots: Storage[] | null }>();
  private readonly outputLayouts: (ImageLayout | null)[];
  private disposed = false;

  /** Not for direct use: models come from {@link sequential}, the MobileNet builders and the loaders. */
  constructor(
    private readonly engine: Engine,
    source: ModelSource,
  ) {
    const g = source.graph;
    this.op = source.op;
    this.inputs = g.inputs.map((i) => {
      const v = g.values[i.value] as { name: string; shape: number[] };
      return { name: v.name, shape: v.shape.map((d) => (d < 0 ? null : d)), layout: i.layout };
    });
    this.outputs = g.outputs.map((o) => {
      const v = g.values[o] as { name: string; shape: number[] };
      return { name: v.name, shape: v.shape.map((d) => (d < 0 ? null : d)) };
    });
    this.outputLayouts = g.outputs.map((o) => ((g.values[o]?.shape.length ?? 0) === 4 ? layoutOf(g, o) : null));
    this.rows =
      source.rows ??
      g.nodes.map((n) => ({
        name: n.name,
        type: n.op,
        outputShape: (g.values[n.output]?.shape ?? []).slice(1),
        params: nodeWeights(n).reduce((a, w) => a + w.length, 0),
        flops: nodeFlops(g, n),
      }));
    const total = g.nodes.reduce((a, n) => a + nodeWeights(n).reduce((b, w) => b + w.length, 0), 0);
    this.counts = source.params ?? { total, trainable: total };
    this.sourceWeights = source.weights ?? g.nodes.flatMap(nodeWeights);
    // Everything that can fail is done before anything is uploaded.
    this.graph = optimize(g);
    this.lowered = lowerGraph(this.graph);
    this.backend = engine.implementation;
    for (const w of this.lowered.weights.values()) this.weightStorages.push(this.backend.upload(w));
    for (const t of this.lowered.tensors.values()) if (t.constant) this.constantStorages.set(t.id, this.backend.upload(t.constant));
    void this.compileAhead();
  }

  /**
   * Starts compiling the pipelines of a forward pass with a batch of 1 while the
   * caller gets on with other work (the first predict() then waits only for what is
   * not compiled yet). Best effort: a failure here shows again, as an Error, where
   * predict() meets it. Resolves with the number of pipelines (0 on the CPU backend,
   * or when an input has an open dimension besides the batch).
   */
  private compileAhead(): Promise<number> {
    const compile = this.backend.compile?.bind(this.backend);
    if (!compile || this.inputs.some((i) => i.shape.slice(1).some((d) => d === null))) return Promise.resolve(0);
    const batch = 1;
    const storages = new Map<number, Storage>();
    const made: Storage[] = [];
    try {
      return compile(() => {
        this.inputs.forEach((input, i) => {
          const s = this.backend.allocate(input.shape.reduce<number>((a, d) => a * (d ?? batch), 1));
          made.push(s);
          storages.set((this.lowered.inputs[i] as { tensor: number }).tensor, s);
        });
        // Into the planned buffers, as predict() does: it allocates them once, now.
        const planned = this.planFor(batch);
        planned.slots ??= planned.sizes.map((n) => this.backend.allocate(n));
        const slots = planned.slots;
        const read = this.reader(storages);
        for (const step of this.lowered.steps) {
          const slot = planned.slotOf.get(step.write);
          const s = step.run(this.backend, read, batch, slot === undefined ? undefined : slots[slot]);
          storages.set(step.write, s);
          if (slot === undefined && step.kind !== 'view') made.push(s);
        }
      }).catch(() => 0);
    } catch {
      return Promise.resolve(0);
    } finally {
      for (const s of made) this.backend.release(s);
    }
  }

  // ---- running -----------------------------------------------------------------

  /**
   * Runs the model. A tensor in (a model with one input) gives a tensor out when the
   * model has one output; otherwise pass `{ [inputName]: tensor }` and get
   * `{ [outputName]: tensor }` in the source's output order. The whole forward pass is
   * recorded as one command buffer and submitted when a result is read.
   */
  predict(x: Tensor): Tensor;
  predict(x: Record<string, Tensor>): Record<string, Tensor>;
  predict(x: Tensor | Record<string, Tensor>): Tensor | Record<string, Tensor> {
    const { batch, storages } = this.bind('predict', x);
    const planned = this.planFor(batch);
    planned.slots ??= planned.sizes.map((n) => this.backend.allocate(n));
    const slots = planned.slots;
    const read = this.reader(storages);
    this.backend.atomically(() => {
      for (const step of this.lowered.steps) {
        const slot = planned.slotOf.get(step.write);
        storages.set(step.write, step.run(this.backend, read, batch, slot === undefined ? undefined : slots[slot]));
      }
    });
    return this.wrapOutputs(x, batch, storages);
  }

  /** The values the caller passed, checked, as the inputs' storages (converted to the declared layout). */
  private bind(op: string, x: Tensor | Record<string, Tensor>): { batch: number; storages: Map<number, Storage> } {
    this.assertLive(op);
    const named: Record<string, Tensor> =
      !(x instanceof Tensor)
        ? (x as Record<string, Tensor>)
        : this.inputs.length === 1
          ? { [(this.inputs[0] as ModelInput).name]: x as Tensor }
          : (() => {
              throw new SepconvError('INVALID_ARGUMENT', { op, arg: 'x', expected: `inputs by name: { ${this.inputs.map((i) => `'${i.name}': Tensor`).join(', ')} }`, given: 'one tensor' });
            })();
    for (const key of Object.keys(named)) {
      if (!this.inputs.some((i) => i.name === key)) {
        throw new SepconvError('INVALID_ARGUMENT', { op, arg: `x['${key}']`, expected: `one of the inputs ${this.inputs.map((i) => `'${i.name}'`).join(', ')}`, given: 'an unknown name' });
      }
    }
    const storages = new Map<number, Storage>();
    let batch = -1;
    this.inputs.forEach((input, i) => {
      const arg = this.inputs.length === 1 && !(!(x instanceof Tensor)) ? 'x' : `x['${input.name}']`;
      const t = named[input.name];
      if (t === undefined) throw new SepconvError('INVALID_ARGUMENT', { op, arg, expected: `a tensor for input '${input.name}'`, given: 'none' });
      this.engine.checkInput(op, arg, t);
      const declared = input.shape.map((d) => (d === null ? 'N' : String(d)));
      // A rank-4 tensor of the other layout is converted at the edge.
      const logical = input.layout && t.shape.length === 4 && t.layout !== input.layout ? [0, 1, 2, 3].map((d) => t.shape[(t.layout === 'NCHW' ? [0, 2, 3, 1] : [0, 3, 1, 2])[d] as number] as number) : [...t.shape];
      const ok = logical.length === input.shape.length && input.shape.every((d, k) => d === null || d === logical[k]);
      if (!ok) throw new SepconvError('SHAPE_MISMATCH', { op, arg, expected: `${input.layout ?? ''} [${declared.join(', ')}]`.trim(), given: `${t.layout} [${t.shape.join(', ')}]` });
      const n = logical[0] as number;
      if (batch >= 0 && n !== batch) throw new SepconvError('SHAPE_MISMATCH', { op, arg, expected: `the batch size of the other inputs (${batch})`, given: `${n}` });
      batch = n;
      const perm = input.layout && t.shape.length === 4 && t.layout !== input.layout ? (t.layout === 'NCHW' ? [0, 2, 3, 1] : [0, 3, 1, 2]) : null;
      const storage = perm ? this.backend.permute(t.storage, { inShape: t.shape, perm }) : t.storage;
      storages.set((this.lowered.inputs[i] as { tensor: number }).tensor, storage);
    });
    return { batch, storages };
  }

  private reader(storages: Map<number, Storage>): (id: number) => Storage {
    return (id) => (id < 0 ? (this.weightStorages[-1 - id] as Storage) : (this.constantStorages.get(id) ?? (storages.get(id) as Storage)));
  }

  /** The outputs as tensors of the engine; an output that is an input's own storage is copied. */
  private wrapOutputs(x: Tensor | Record<string, Tensor>, batch: number, storages: Map<number, Storage>): Tensor | Record<string, Tensor> {
    const inputStorages = new Set(this.lowered.inputs.map((i) => storages.get(i.tensor)));
    const tensors = this.lowered.outputs.map((id, i) => {
      const shape = this.outputs[i]?.shape.map((d) => (d === null ? batch : d)) as number[];
      let s = storages.get(id) as Storage;
      if (inputStorages.has(s)) s = this.backend.permute(s, { inShape: [shape.reduce((a, b) => a * b, 1)], perm: [0] });
      return this.engine.wrap(s, shape, this.outputLayouts[i] ?? 'NHWC');
    });
    const single = !(!(x instanceof Tensor));
    if (single && tensors.length === 1) return tensors[0] as Tensor;
    return Object.fromEntries(this.outputs.map((o, i) => [o.name, tensors[i] as Tensor]));
  }

  /**
   * Tunes the kernels of this model's ops for inputs shaped like `x` (see
   * {@link Engine.tune}): later predictions of that batch size run on the fastest
   * measured kernels. Resolves with the new tuning records.
   * @example await model.tune(x); const records = engine.tuning();
   */
  tune(x: Tensor | Record<string, Tensor>, options: TuneOptions = {}): Promise<TuningRecord[]> {
    this.bind('tune', x);
    return this.engine.tune(() => this.predict(x as Tensor), options);
  }

  /** Runs one prediction so every pipeline it needs is compiled (see {@link Engine.warmup}); resolves with the ms it took. */
  warmup(x: Tensor | Record<string, Tensor>): Promise<number> {
    this.bind('warmup', x);
    return this.engine.warmup(() => this.predict(x as Tensor));
  }

  /**
   * Runs `x` through the model once, timing every op: GPU timestamp queries when the
   * adapter has them, else wall clock around each op (with a submit and a wait per
   * op, so it overstates small ops). Resolves with one row per op (batch norm and
   * activations are folded into the op they follow) and the first output's data.
   */
  async profile(x: Tensor | Record<string, Tensor>): Promise<{ method: 'timestamps' | 'wall clock'; layers: { name: string; op: string; ms: number }[]; output: Float32Array }> {
    const { batch, storages } = this.bind('profile', x);
    const read = this.reader(storages);
    const made: Storage[] = [];
    // Views take no time: each runs with the step before it (a leading one on its own, unreported).
    const groups: { run: () => void; row: { name: string; op: string } | null }[] = [];
    for (const step of this.lowered.steps) {
      const run = () => {
        const s = step.run(this.backend, read, batch, undefined);
        storages.set(step.write, s);
        if (step.kind !== 'view') made.push(s);
      };
      const last = groups[groups.length - 1];
      if (step.kind === 'view' && last) {
        const prev = last.run;
        last.run = () => {
          prev();
          run();
        };
      } else groups.push({ run, row: step.kind === 'view' ? null : { name: step.name, op: step.kind } });
    }
    try {
      const { ms, method } = await this.backend.profile(groups.map((g) => g.run));
      const output = await this.backend.read(storages.get(this.lowered.outputs[0] as number) as Storage);
      const layers = groups.flatMap((g, i) => (g.row ? [{ ...g.row, ms: ms[i] as number }] : []));
      return { method, layers, output };
    } finally {
      for (const s of made) this.backend.release(s);
    }
  }

  // ---- memory ------------------------------------------------------------------

  private planFor(batch: number): PlannedMemory & { slots: Storage[] | null } {
    let planned = this.plans.get(batch);
    if (!planned) {
      planned = { ...planMemory(this.lowered, batch), slots: null };
      this.plans.set(batch, planned);
    }
    return planned;
  }

  /** The intermediate-memory plan of a forward pass with `batch` images. */
  memoryPlan(batch = 1): MemoryPlan {
    this.assertLive('memoryPlan');
    return { ...this.planFor(batch).plan };
  }

  // ---- inspection ----------------------------------------------------------------

  /** Parameter counts as the source counts them, and after folding (what the GPU holds). */
  params(): { total: number; trainable: number; nonTrainable: number; folded: number } {
    const folded = [...this.lowered.weights.values()].reduce((a, w) => a + w.length, 0) + [...this.lowered.tensors.values()].reduce((a, t) => a + (t.constant?.length ?? 0), 0);
    return { total: this.counts.total, trainable: this.counts.trainable, nonTrainable: this.counts.total - this.counts.trainable, folded };
  }

  /** Per-layer rows of the summary. */
  layers(): LayerSummary[] {
    return this.rows.map((r) => ({ ...r, outputShape: [...r.outputShape] }));
  }

  /** FLOPs of one image's forward pass (2 per multiply-add). */
  flops(): number {
    return this.rows.reduce((a, r) => a + r.flops, 0);
  }

  /** The weights in the source's order (Keras get_weights() order for sequential models). */
  weights(): Float32Array[] {
    return [...this.sourceWeights];
  }

  /** A table of every layer's output shape, weights and FLOPs, with totals. */
  summary(): string {
    const fmt = (n: number) => n.toLocaleString('en-US');
    const cols = ['layer', 'type', 'output shape', 'params', 'FLOPs'];
    const data = this.rows.map((r) => [r.name, r.type, `[${r.outputShape.join(', ')}]`, fmt(r.params), fmt(r.flops)]);
    const widths = cols.map((c, i) => Math.max(c.length, ...data.map((d) => (d[i] as string).length)));
    const line = (cells: string[]) => cells.map((c, i) => (i >= 3 ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join('  ');
    const p = this.params();
    const plan = this.planFor(1).plan;
    const ops = this.lowered.steps.filter((s) => s.kind !== 'view').length;
    return [
      line(cols),
      widths.map((w) => '-'.repeat(w)).join('  '),
      ...data.map(line),
      '',
      `Total params: ${fmt(p.total)} (trainable ${fmt(p.trainable)}, non-trainable ${fmt(p.nonTrainable)})`,
      `Params after folding batch norm: ${fmt(p.folded)} in ${ops} GPU ops`,
      `FLOPs per image: ${fmt(this.flops())}`,
      `Intermediate memory per image: ${fmt(plan.peakBytes)} bytes in ${plan.buffers} buffers (${fmt(plan.activationBytes)} if unplanned)`,
    ].join('\n');
  }

  /** The steps a forward pass runs (after folding and fusion): op kind and node name, for tests and tools. */
  ops(): { name: string; op: string }[] {
    return this.lowered.steps.filter((s) => s.kind !== 'view').map((s) => ({ name: s.name, op: s.kind }));
  }

  /** Frees the model's weights and planned buffers. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.backend !== this.engine.implementation) return; // lost device: nothing to free
    for (const s of [...this.weightStorages, ...this.constantStorages.values()]) this.backend.release(s);
    for (const p of this.plans.values()) for (const s of p.slots ?? []) this.backend.release(s);
    this.plans.clear();
  }

  private assertLive(op: string): void {
    if (this.disposed) throw new SepconvError('DISPOSED', { op, arg: 'model', expected: 'a live model', given: 'a disposed model' });
  }
}
