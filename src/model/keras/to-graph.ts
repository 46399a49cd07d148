// layersToGraph: a Keras / TF.js layers model (tf.io.ModelArtifacts) → the
// graph IR, by translation only (no engine, no GPU, no folding or fusion: the
// passes after loading do those for every source).
//
// The walk: model inputs become graph inputs; every call of every layer
// (Keras' inbound nodes) runs once its input tensors exist, so functional
// models with branches, shared layers and nested models (a Sequential or
// functional model used as a layer, as Teachable Machine saves them) come out
// in a valid order. Weights are found by name, as tf.loadLayersModel finds
// them, and every weight of the manifest must be used exactly by the layers.

import type { Graph, ImageLayout } from '../ir.js';
import { GraphBuilder } from '../ir.js';
import { LayerConfig } from './config.js';
import { badModel, unsupported } from './errors.js';
import { LAYERS, type LayerCall } from './layers.js';
import { MODEL_CLASSES, isRecord, parseModel, parseTopology, type KerasLayer, type KerasModelConfig, type TensorRef } from './topology.js';
import { checkWeightSpecs, decodeWeights, type Weight, type WeightData, type WeightSpec } from './weights.js';

/** A layers model as tf.io.ModelArtifacts has it (what `model.save(tf.io.withSaveHandler(…))` receives). */
export interface LayersModelArtifacts {
  /** The model config, in either model.json shape (tfjs-layers, or tfjs-converter's `{ model_config, keras_version }`), or its JSON text. */
  modelTopology?: unknown;
  weightSpecs?: WeightSpec[];
  /** The weights' bytes: one buffer or the shards in manifest order. */
  weightData?: WeightData;
}

export interface LayersToGraphOptions {
  /**
   * Sizes for the open dimensions of inputs (Keras `None` besides the batch), by
   * input name, without the batch: `{ image: [224, 224, 3] }`. Dimensions the
   * model fixes must agree.
   */
  inputShapes?: Record<string, readonly number[]>;
}

/** A model input as the file declares it; shape[0] is -1 when any batch is accepted. */
export interface ModelInput {
  name: string;
  shape: number[];
  /** For rank-4 inputs, the data_format of the model: 'NHWC' (channels_last) or 'NCHW'. */
  layout: ImageLayout | null;
}

export interface ModelOutput {
  name: string;
  shape: number[];
}

export interface LayersGraph {
  graph: Graph;
  /** The graph's inputs and outputs in the model's order (the same order as graph.inputs / graph.outputs). */
  inputs: ModelInput[];
  outputs: ModelOutput[];
}

/** Every class name a layers model may use: InputLayer, the translated layers, and models nested as layers. */
export const SUPPORTED_LAYERS: readonly string[] = ['InputLayer', ...Object.keys(LAYERS), ...MODEL_CLASSES].sort();

/** The weights by name, handed to the layers that own them; what no layer takes is an error at the end. */
class WeightStore {
  private readonly used = new Set<string>();
  private readonly byLayer = new Map<string, Weight[]>();

  constructor(private readonly all: Map<string, Weight>) {}

  take(cfg: LayerConfig, wanted: readonly ([string, readonly number[]] | null)[]): (Float32Array | null)[] {
    const layer = cfg.layer.name;
    const shared = this.byLayer.get(layer); // a layer called again reuses what its first call took
    const taken: Weight[] = [];
    let index = 0;
    const out = wanted.map((w) => {
      if (w === null) return null;
      const [key, shape] = w;
      const weight = shared ? (shared[index] as Weight) : this.find(cfg, key, index);
      index++;
      if (weight.shape.length !== shape.length || weight.shape.some((d, i) => shape[i] !== -1 && d !== shape[i])) {
        throw badModel(
          `${cfg.where}: weight '${weight.name}'`,
          `its shape is [${weight.shape.join(', ')}], but the layer's config and input need [${shape.map((d) => (d === -1 ? '…' : d)).join(', ')}]`,
          `[${shape.map((d) => (d === -1 ? '…' : d)).join(', ')}]`,
          `[${weight.shape.join(', ')}]`,
        );
      }
      taken.push(weight);
      return weight.data;
    });
    if (!shared) this.byLayer.set(layer, taken);
    return out;
  }

  /**
   * `layer/key` as tfjs-layers and Keras 2 name weights; `layer/vars/i` or `layer/i`
   * (the i-th weight of the layer) as Keras 3 does; else a unique name ending in
   * `/layer/key` (a model's name scope in front) or `layer/cell/key` (TF 2.2 cells).
   */
  private find(cfg: LayerConfig, key: string, index: number): Weight {
    const layer = cfg.layer.name;
    for (const name of [`${layer}/${key}`, `${layer}/vars/${index}`, `${layer}/${index}`]) {
      const w = this.all.get(name);
      if (w && !this.used.has(name)) return this.use(w);
    }
    const candidates = [...this.all.values()].filter((w) => {
      if (this.used.has(w.name)) return false;
      const parts = w.name.split('/');
      return w.name.endsWith(`/${layer}/${key}`) || (parts.length === 3 && parts[0] === layer && parts[2] === key);
    });
    if (candidates.length === 1) return this.use(candidates[0] as Weight);
    const names = [...this.all.keys()];
    if (candidates.length > 1) {
      throw badModel(`${cfg.where}: weight '${key}'`, `several weights could be it: ${candidates.map((w) => w.name).join(', ')}`, 'one weight per name');
    }
    throw badModel(
      `${cfg.where}: weight '${layer}/${key}'`,
      `the weights manifest has no such weight (it has ${names.length}: ${names.slice(0, 8).join(', ')}${names.length > 8 ? ', …' : ''})`,
      `a weight named '${layer}/${key}'`,
      'none',
    );
  }

  private use(w: Weight): Weight {
    this.used.add(w.name);
    return w;
  }

  unused(): string[] {
    return [...this.all.keys()].filter((n) => !this.used.has(n));
  }
}

const refKey = (r: TensorRef) => `${r.layer}\u0000${r.node}\u0000${r.tensor}`;

/** Every layer of a model, nested models' layers included. */
function* allLayers(model: KerasModelConfig, where: string): Generator<KerasLayer> {
  for (const l of model.layers) {
    if (MODEL_CLASSES.includes(l.className)) {
      yield* allLayers(parseModel({ class_name: l.className, config: l.config }, `${where} > ${l.name}`), `${where} > ${l.name}`);
    } else yield l;
  }
}

class Translation {
  readonly b = new GraphBuilder();
  readonly inputs: ModelInput[] = [];
  private readonly hardSigmoidSlope: number;
  private readonly imageLayout: ImageLayout;
  private readonly nestedModels = new Map<KerasLayer, KerasModelConfig>();

  constructor(
    top: KerasModelConfig,
    kerasVersion: string | null,
    private readonly weights: WeightStore,
    private readonly options: LayersToGraphOptions,
  ) {
    this.hardSigmoidSlope = /^3\./.test(kerasVersion ?? '') ? 1 / 6 : 0.2;
    // A rank-4 input is laid out as the model's image layers expect: their data_format.
    const first = [...allLayers(top, 'model')].find((l) => typeof l.config.data_format === 'string');
    this.imageLayout = first?.config.data_format === 'channels_first' ? 'NCHW' : 'NHWC';
  }

  /** Translates a model; `bound` gives its inputs' values when it is nested as a layer. Returns its outputs. */
  model(model: KerasModelConfig, bound: readonly number[] | null): number[] {
    const byName = new Map(model.layers.map((l) => [l.name, l]));
    const where = `model '${model.name}'`;
    const known = (r: TensorRef, at: string) => {
      if (!byName.has(r.layer)) throw badModel(at, `it reads layer '${r.layer}', which the model does not have`, 'a layer of the model');
    };
    const values = new Map<string, number>();
    if (bound && bound.length !== model.inputs.length) {
      throw badModel(where, `it is called on ${bound.length} tensors but has ${model.inputs.length} inputs`, `${model.inputs.length} inputs`);
    }
    if (model.className === 'Sequential') {
      // A chain: each layer's one call reads the previous layer's output (whatever a
      // nested model's call numbering, see nodeOffset).
      let x = bound ? (bound[0] as number) : this.input(model.layers[0] as KerasLayer);
      for (const layer of model.layers.slice(1)) {
        const out = this.call(layer, 0, [x]);
        if (out.length !== 1) throw badModel(`layer '${layer.name}' (${layer.className})`, `it has ${out.length} outputs inside a Sequential model`, 'one output');
        x = out[0] as number;
      }
      return [x];
    }
    model.inputs.forEach((r, i) => {
      known(r, `${where}: input_layers`);
      const layer = byName.get(r.layer) as KerasLayer;
      if (layer.className !== 'InputLayer') throw badModel(`${where}: input_layers`, `'${r.layer}' is a ${layer.className}, not an InputLayer`, 'InputLayer');
      values.set(refKey({ layer: r.layer, node: 0, tensor: 0 }), bound ? (bound[i] as number) : this.input(layer));
    });
    const pending: { layer: KerasLayer; node: number }[] = [];
    for (const layer of model.layers) {
      if (layer.className === 'InputLayer') continue;
      layer.inbound.forEach((refs, node) => {
        for (const r of refs) known(r, `layer '${layer.name}' (${layer.className}): inbound_nodes[${node}]`);
        pending.push({ layer, node });
      });
    }
    while (pending.length > 0) {
      const i = pending.findIndex((p) => (p.layer.inbound[p.node] as TensorRef[]).every((r) => values.has(refKey(r))));
      if (i < 0) {
        const p = pending[0] as (typeof pending)[number];
        const missing = (p.layer.inbound[p.node] as TensorRef[]).filter((r) => !values.has(refKey(r)))[0] as TensorRef;
        throw badModel(
          `layer '${p.layer.name}' (${p.layer.className})`,
          `it reads output ${missing.tensor} of call ${missing.node} of layer '${missing.layer}', which the model never computes (a cycle, or a call that does not exist)`,
          'inbound nodes that refer to computed tensors',
        );
      }
      const { layer, node } = pending.splice(i, 1)[0] as (typeof pending)[number];
      const inputs = (layer.inbound[node] as TensorRef[]).map((r) => values.get(refKey(r)) as number);
      const id = node + this.nodeOffset(layer);
      this.call(layer, node, inputs).forEach((v, t) => values.set(refKey({ layer: layer.name, node: id, tensor: t }), v));
    }
    return model.outputs.map((r, i) => {
      known(r, `${where}: output_layers[${i}]`);
      const v = values.get(refKey(r));
      if (v === undefined) {
        throw badModel(`${where}: output_layers[${i}]`, `output ${r.tensor} of call ${r.node} of layer '${r.layer}' does not exist`, 'a computed tensor');
      }
      return v;
    });
  }

  private nested(layer: KerasLayer): KerasModelConfig {
    let m = this.nestedModels.get(layer);
    if (!m) {
      m = parseModel({ class_name: layer.className, config: layer.config }, `layer '${layer.name}'`);
      this.nestedModels.set(layer, m);
    }
    return m;
  }

  /**
   * How the model's references number the calls of a layer, from its saved
   * inbound_nodes. A nested model that declares its own input was called once
   * when it was built (its input to its outputs); that call is not saved, so
   * references count its saved calls from 1 (tfjs-layers container.ts
   * buildNodeConversionMap, Keras' _should_skip_first_node).
   */
  private nodeOffset(layer: KerasLayer): number {
    if (!MODEL_CLASSES.includes(layer.className)) return 0;
    if (layer.className !== 'Sequential') return 1;
    const input = this.nested(layer).layers[0] as KerasLayer;
    return input.config.batch_input_shape !== undefined || input.config.batch_shape !== undefined ? 1 : 0;
  }

  /** One call of a layer (node index `node`) on `inputs`; returns its output values. */
  private call(layer: KerasLayer, node: number, inputs: number[]): number[] {
    if (MODEL_CLASSES.includes(layer.className)) return this.model(this.nested(layer), inputs);
    const translate = LAYERS[layer.className];
    if (!translate) throw unsupportedLayer(layer);
    const cfg = new LayerConfig(layer);
    const b = this.b;
    const base = node > 0 ? `${layer.name}:${node}` : layer.name;
    const firstNew = b.graph.values.length;
    const call: LayerCall = {
      cfg,
      inputs,
      shape: (v) => b.shape(v),
      weights: (wanted) => this.weights.take(cfg, wanted),
      emit: (op, suffix, ins, attrs) => b.node(op, suffix ? `${base}/${suffix}` : base, ins, attrs),
      hardSigmoidSlope: this.hardSigmoidSlope,
    };
    const out = translate(call);
    // The layer's output value carries the layer's name, as Keras names a layer's output.
    if (out >= firstNew) (b.graph.values[out] as { name: string }).name = base;
    return [out];
  }

  /** A graph input for an InputLayer of the top-level model. */
  private input(layer: KerasLayer): number {
    const c = layer.config;
    const declared = c.batch_input_shape ?? c.batch_shape ?? (Array.isArray(c.input_shape) ? [null, ...(c.input_shape as unknown[])] : undefined);
    const where = `input '${layer.name}'`;
    if (!Array.isArray(declared) || declared.length < 2 || !declared.every((d) => d === null || d === -1 || (Number.isInteger(d) && (d as number) > 0))) {
      throw badModel(where, `its shape ${JSON.stringify(declared) ?? 'is missing'}: expected a batch_input_shape such as [null, 224, 224, 3]`, '[null, …sizes]');
    }
    const given = this.options.inputShapes?.[layer.name];
    if (given !== undefined && given.length !== declared.length - 1) {
      throw badModel(where, `options.inputShapes gives [${given.join(', ')}] for a rank-${declared.length} input (sizes without the batch)`, `${declared.length - 1} sizes`);
    }
    const shape = declared.map((d, i) => {
      if (i === 0) return d === null || d === -1 ? -1 : (d as number);
      const g = given?.[i - 1];
      const open = d === null || d === -1;
      if (g !== undefined && (!Number.isInteger(g) || g <= 0 || (!open && g !== d))) {
        throw badModel(where, `options.inputShapes gives size ${g} for dimension ${i}, which the model declares as ${open ? 'open' : d}`, open ? 'a positive integer' : `${d as number}`);
      }
      if (open && g === undefined) {
        throw badModel(
          where,
          `its shape ${JSON.stringify(declared)} leaves dimension ${i} open: sepconv needs fixed sizes (pass options.inputShapes: { '${layer.name}': [${declared
            .slice(1)
            .map((x) => (x === null ? '…' : x))
            .join(', ')}] })`,
          'fixed sizes besides the batch',
        );
      }
      return g ?? (d as number);
    });
    const layout = shape.length === 4 ? this.imageLayout : null;
    this.inputs.push({ name: layer.name, shape, layout });
    return this.b.input(layer.name, shape, layout);
  }
}

function unsupportedLayer(layer: KerasLayer): Error {
  return unsupported(`layer '${layer.name}'`, `its class ${layer.className} is not a layer sepconv runs`, SUPPORTED_LAYERS);
}

/**
 * Translates a Keras / TF.js layers model into the graph IR.
 *
 * `artifacts` is what tf.io.ModelArtifacts holds for a layers model (from
 * `model.save(tf.io.withSaveHandler(…))`, or {@link readLayersModel} for a
 * model.json with its shards). Sequential and functional models, in both
 * model.json shapes, Keras 2, Keras 3 and tfjs-layers configs.
 *
 * Errors: UNSUPPORTED_OP for a layer class (or a layer option, or an
 * activation) sepconv does not run, naming the layer and listing what it runs;
 * BAD_MODEL for a malformed topology, weights that do not match it (missing,
 * unused, wrong shape), weight data shorter or longer than the manifest, or a
 * shape that cannot be resolved.
 *
 * @example
 * const { graph, inputs, outputs } = layersToGraph(await readLayersModel('model/model.json'));
 */
export function layersToGraph(artifacts: LayersModelArtifacts, options: LayersToGraphOptions = {}): LayersGraph {
  if (!isRecord(artifacts as unknown)) throw badModel('artifacts', 'they are not an object', '{ modelTopology, weightSpecs, weightData }');
  const { model, kerasVersion } = parseTopology(artifacts.modelTopology);
  for (const layer of allLayers(model, 'model')) {
    if (layer.className !== 'InputLayer' && !LAYERS[layer.className]) throw unsupportedLayer(layer);
  }
  const specs = checkWeightSpecs(artifacts.weightSpecs ?? [], 'weightSpecs');
  const weights = new WeightStore(decodeWeights(specs, artifacts.weightData));
  const t = new Translation(model, kerasVersion, weights, options);
  const outputs = t.model(model, null);
  const unused = weights.unused();
  if (unused.length > 0) {
    throw badModel(
      'weightSpecs',
      `${unused.length} weight${unused.length === 1 ? ' is' : 's are'} not used by any layer: ${unused.slice(0, 8).join(', ')}${unused.length > 8 ? ', …' : ''}`,
      'only the weights of the model’s layers',
      unused.join(', '),
    );
  }
  for (const v of outputs) t.b.output(v);
  return {
    graph: t.b.graph,
    inputs: t.inputs,
    outputs: outputs.map((v) => ({ name: t.b.graph.values[v]?.name as string, shape: [...t.b.shape(v)] })),
  };
}
