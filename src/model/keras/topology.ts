// The model config of a layers model, read from either shape of model.json's
// `modelTopology` and normalised to one form: a list of layers, each with its
// class, config and the tensors each of its calls ("inbound nodes") reads,
// plus the model's input and output tensors.
//
// - Saved by tfjs-layers (`model.save`): `modelTopology` is the model config,
//   `{ class_name, config, keras_version: 'tfjs-layers x.y.z', backend }`.
// - Converted from Keras by tfjs-converter: `modelTopology` is
//   `{ keras_version, backend, model_config: { class_name, config }, training_config? }`.
// - `Sequential` configs (`{ name, layers }`, or a bare list in old Keras) become
//   a chain (an InputLayer first, then each layer's call 0 reading the previous
//   layer's); functional configs (`Model`, `Functional`) list `inbound_nodes` per
//   layer, in the Keras 2 / tfjs form `[[layer, node, tensor, kwargs], …]` per
//   call or the Keras 3 form `{ args, kwargs }` whose args hold
//   `{ class_name: '__keras_tensor__', config: { keras_history: [layer, node, tensor] } }`.

import { badModel } from './errors.js';

/** Output `tensor` of call `node` of layer `layer` (Keras' keras_history). */
export interface TensorRef {
  layer: string;
  node: number;
  tensor: number;
}

/** One layer of a model config. */
export interface KerasLayer {
  className: string;
  name: string;
  config: Record<string, unknown>;
  /** Per call of the layer, the tensors it reads (empty for input layers). */
  inbound: TensorRef[][];
}

/** A Sequential or functional model, as a list of layers wired by TensorRefs. */
export interface KerasModelConfig {
  className: string;
  name: string;
  layers: KerasLayer[];
  inputs: TensorRef[];
  outputs: TensorRef[];
}

/** What a model.json's modelTopology says. */
export interface KerasTopology {
  model: KerasModelConfig;
  /** `keras_version` as written ('2.15.0', '3.3.3', 'tfjs-layers 4.22.0'), or null. */
  kerasVersion: string | null;
}

/** Class names of model configs (top level, or nested as a layer). */
export const MODEL_CLASSES: readonly string[] = ['Sequential', 'Model', 'Functional'];

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads modelTopology (an object, or its JSON text) in either model.json shape. */
export function parseTopology(modelTopology: unknown): KerasTopology {
  let topo = modelTopology;
  if (typeof topo === 'string') {
    try {
      topo = JSON.parse(topo) as unknown;
    } catch (cause) {
      throw badModel('modelTopology', `it is not valid JSON (${String(cause)})`, 'JSON');
    }
  }
  if (topo instanceof ArrayBuffer || ArrayBuffer.isView(topo)) {
    throw badModel('modelTopology', 'it is binary (a graph model, for tf.loadGraphModel), not a layers model config', 'a layers model config');
  }
  if (!isRecord(topo)) throw badModel('modelTopology', 'it is missing or not an object', 'a layers model config', typeof topo);
  if (Array.isArray(topo.node)) {
    throw badModel('modelTopology', 'it is a TensorFlow graph (a graph model, for tf.loadGraphModel), not a layers model config', 'a layers model config');
  }
  const kerasVersion = typeof topo.keras_version === 'string' ? topo.keras_version : null;
  const config = 'model_config' in topo ? topo.model_config : topo;
  return { model: parseModel(config, 'modelTopology'), kerasVersion };
}

/** Reads a `{ class_name, config }` model config (also a model nested as a layer). */
export function parseModel(value: unknown, where: string): KerasModelConfig {
  if (!isRecord(value) || typeof value.class_name !== 'string') {
    throw badModel(where, 'no model config (an object with class_name and config)', "{ class_name: 'Sequential' | 'Model' | 'Functional', config }");
  }
  const className = value.class_name;
  if (className === 'Sequential') return parseSequential(value.config, where);
  if (className === 'Model' || className === 'Functional') return parseFunctional(value.config, where, className);
  throw badModel(where, `its class_name '${className}' is not a layers model`, "'Sequential', 'Model' or 'Functional'", `'${className}'`);
}

function layerName(entry: Record<string, unknown>, config: Record<string, unknown>, at: string): string {
  const name = entry.name ?? config.name;
  if (typeof name !== 'string' || name === '') throw badModel(at, 'a layer without a name', 'a name in the layer or its config');
  return name;
}

function layerEntry(entry: unknown, at: string): { className: string; name: string; config: Record<string, unknown> } {
  if (!isRecord(entry) || typeof entry.class_name !== 'string') throw badModel(at, 'a layer without a class_name', '{ class_name, config }');
  const config = entry.config === undefined ? {} : entry.config;
  if (!isRecord(config)) throw badModel(at, `layer config of ${entry.class_name} is not an object`, 'an object');
  return { className: entry.class_name, name: layerName(entry, config, at), config };
}

function parseSequential(config: unknown, where: string): KerasModelConfig {
  // Old Keras wrote a Sequential's config as the bare list of layers.
  const list = Array.isArray(config) ? config : isRecord(config) ? config.layers : undefined;
  const name = isRecord(config) && typeof config.name === 'string' ? config.name : 'sequential';
  if (!Array.isArray(list) || list.length === 0) throw badModel(`${where} (Sequential '${name}')`, 'no layers', 'a non-empty list of layers');
  const entries = list.map((e, i) => layerEntry(e, `${where}.layers[${i}]`));
  const layers: KerasLayer[] = [];
  const first = entries[0] as (typeof entries)[number];
  if (first.className !== 'InputLayer') {
    // The input is declared by the first layer (batch_input_shape), by the input of a model
    // that is the first layer (Teachable Machine nests them), or given by the caller of a nested model.
    const shape = first.config.batch_input_shape ?? first.config.batch_shape ?? nestedInputShape(first, `${where}.layers[0]`);
    const inputConfig: Record<string, unknown> = { name: `${first.name}_input` };
    if (shape !== undefined) inputConfig.batch_input_shape = shape;
    layers.push({ className: 'InputLayer', name: `${first.name}_input`, config: inputConfig, inbound: [] });
  }
  for (const e of entries) {
    const prev = layers[layers.length - 1];
    layers.push({ ...e, inbound: prev ? [[{ layer: prev.name, node: 0, tensor: 0 }]] : [] });
  }
  checkUniqueNames(layers, where);
  const input = layers[0] as KerasLayer;
  const output = layers[layers.length - 1] as KerasLayer;
  return {
    className: 'Sequential',
    name,
    layers,
    inputs: [{ layer: input.name, node: 0, tensor: 0 }],
    outputs: [{ layer: output.name, node: 0, tensor: 0 }],
  };
}

/** The declared shape of the first input of a model used as a layer, if it declares one. */
function nestedInputShape(entry: { className: string; config: Record<string, unknown> }, where: string): unknown {
  if (!MODEL_CLASSES.includes(entry.className)) return undefined;
  const m = parseModel({ class_name: entry.className, config: entry.config }, where);
  const input = m.layers.find((l) => l.name === m.inputs[0]?.layer);
  return input?.config.batch_input_shape ?? input?.config.batch_shape;
}

function checkUniqueNames(layers: readonly KerasLayer[], where: string): void {
  const seen = new Set<string>();
  for (const l of layers) {
    if (seen.has(l.name)) throw badModel(`${where}: layer '${l.name}'`, 'two layers have this name', 'unique layer names');
    seen.add(l.name);
  }
}

function ref(value: unknown, at: string): TensorRef {
  if (Array.isArray(value) && typeof value[0] === 'string') {
    const [layer, node = 0, tensor = 0] = value as [string, unknown, unknown];
    if (Number.isInteger(node) && Number.isInteger(tensor)) return { layer, node: node as number, tensor: tensor as number };
  }
  throw badModel(at, `${JSON.stringify(value)} is not a tensor reference`, '[layer name, node index, tensor index]');
}

/** input_layers / output_layers: a list of references, or (Keras 3, one tensor) a single one. */
function refs(value: unknown, at: string): TensorRef[] {
  if (!Array.isArray(value) || value.length === 0) throw badModel(at, 'missing or empty', 'a list of [layer name, node index, tensor index]');
  if (typeof value[0] === 'string') return [ref(value, at)];
  return value.map((v, i) => ref(v, `${at}[${i}]`));
}

function isKerasTensor(v: unknown): v is { config: { keras_history: unknown } } {
  return isRecord(v) && v.class_name === '__keras_tensor__' && isRecord(v.config);
}

/** The tensors a Keras 3 call reads: every __keras_tensor__ in its args, in order. */
function kerasTensors(args: unknown, at: string, out: TensorRef[]): TensorRef[] {
  if (Array.isArray(args)) for (const a of args) kerasTensors(a, at, out);
  else if (isKerasTensor(args)) out.push(ref(args.config.keras_history, `${at}.keras_history`));
  return out;
}

function inboundNodes(value: unknown, at: string): TensorRef[][] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw badModel(at, 'inbound_nodes is not a list', 'a list of calls');
  return value.map((node, i) => {
    const nodeAt = `${at}[${i}]`;
    if (isRecord(node)) return kerasTensors(node.args, `${nodeAt}.args`, []); // Keras 3
    if (!Array.isArray(node)) throw badModel(nodeAt, 'an inbound node that is neither a list nor { args, kwargs }', 'a call');
    return node.map((r, j) => ref(r, `${nodeAt}[${j}]`)); // Keras 2 / tfjs
  });
}

function parseFunctional(config: unknown, where: string, className: string): KerasModelConfig {
  if (!isRecord(config) || !Array.isArray(config.layers)) throw badModel(where, `the ${className} config has no list of layers`, 'config.layers');
  const name = typeof config.name === 'string' ? config.name : 'model';
  const layers = config.layers.map((e, i) => {
    const at = `${where}.layers[${i}]`;
    const entry = layerEntry(e, at);
    return { ...entry, inbound: inboundNodes((e as Record<string, unknown>).inbound_nodes, `layer '${entry.name}': inbound_nodes`) };
  });
  checkUniqueNames(layers, where);
  return {
    className,
    name,
    layers,
    inputs: refs(config.input_layers, `${where}: input_layers`),
    outputs: refs(config.output_layers, `${where}: output_layers`),
  };
}
