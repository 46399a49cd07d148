// Loading model files onto an engine: the bytes (or the JSON and weight shards)
// are read, a loader translates them to the graph IR, and the runtime (passes,
// lowering, memory plan) turns the graph into a Model. Everything that can fail
// happens before anything is uploaded, so a failed load leaves the engine's
// memory as it was.

import type { Engine } from '../engine.js';
import { SepconvError, describe } from '../errors.js';
import { layersToGraph, readLayersModel, type LayersModelArtifacts, type LayersToGraphOptions } from './keras/index.js';
import { importAtRunTime, isNode } from '../platform.js';
import { Model } from './model.js';
import { onnxToGraph } from './onnx/index.js';

/** Where a model file comes from: its bytes, or a URL (browsers: fetched) or a file path (Node). */
export type ModelBytesSource = Uint8Array | ArrayBuffer | string;

/** The bytes of a file or URL: `fetch` in browsers (and for http(s) URLs in Node), the file system in Node. */
export async function readBytes(op: string, arg: string, location: string): Promise<Uint8Array> {
  try {
    if (isNode() && !/^https?:\/\//.test(location)) {
      const fs = await importAtRunTime<{ readFile(p: string | URL): Promise<Uint8Array> }>('node:fs/promises');
      return new Uint8Array(await fs.readFile(location.startsWith('file:') ? new URL(location) : location));
    }
    const response = await fetch(location);
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    return new Uint8Array(await response.arrayBuffer());
  } catch (cause) {
    throw new SepconvError(
      'INVALID_ARGUMENT',
      { op, arg, expected: 'a readable file or URL', given: describe(location), cause },
      `sepconv.${op}: argument '${arg}': could not read ${describe(location)}: ${String((cause as Error)?.message ?? cause)}`,
    );
  }
}

/** The bytes of a model source. */
async function bytesOf(op: string, source: unknown): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (typeof source === 'string') return readBytes(op, 'source', source);
  throw new SepconvError('INVALID_ARGUMENT', { op, arg: 'source', expected: 'a Uint8Array, an ArrayBuffer, or a URL / file path string', given: describe(source) });
}

function checkEngine(op: string, engine: unknown): asserts engine is Engine {
  if (engine === null || typeof engine !== 'object' || typeof (engine as Engine).tensor !== 'function') {
    throw new SepconvError('INVALID_ARGUMENT', { op, arg: 'engine', expected: 'an Engine (from createEngine)', given: describe(engine) });
  }
}

/**
 * Loads an ONNX model (opsets 7–21) onto `engine`. Its inputs and outputs keep the
 * layout the file declares (an NCHW input takes an NCHW tensor, `{ layout: 'NCHW' }`);
 * sepconv converts at the graph's edges only. Unsupported ops are `UNSUPPORTED_OP`,
 * malformed files `BAD_MODEL`; a failed load uploads nothing.
 * @example const face = await loadOnnx(engine, 'face_detection_front_128x128.onnx');
 * const outs = face.predict({ 'input:0': x });   // { 'Identity:0': Tensor, … }
 */
export async function loadOnnx(engine: Engine, source: ModelBytesSource): Promise<Model> {
  const op = 'loadOnnx';
  checkEngine(op, engine);
  const { graph } = onnxToGraph(await bytesOf(op, source));
  return new Model(engine, { graph, op });
}

/**
 * Loads a Keras / TF.js layers model onto `engine`: `tf.io.ModelArtifacts`
 * (`{ modelTopology, weightSpecs, weightData }`), or the URL (browsers) or path (Node)
 * of a model.json with its weight shards beside it. Both model.json shapes are read:
 * saved by tfjs-layers, and converted from Keras by tfjs-converter. `options.inputShapes`
 * fixes input sizes the file leaves open (Keras `None`), by input name.
 * @example const net = await loadLayersModel(engine, 'model/model.json');
 * const y = net.predict(x);
 */
export async function loadLayersModel(engine: Engine, source: LayersModelArtifacts | string | URL, options: LayersToGraphOptions = {}): Promise<Model> {
  const op = 'loadLayersModel';
  checkEngine(op, engine);
  if (source === null || (typeof source !== 'object' && typeof source !== 'string')) {
    throw new SepconvError('INVALID_ARGUMENT', { op, arg: 'source', expected: '{ modelTopology, weightSpecs, weightData } or the URL / path of a model.json', given: describe(source) });
  }
  const artifacts = typeof source === 'string' || source instanceof URL ? await readLayersModel(source) : source;
  const { graph } = layersToGraph(artifacts, options);
  return new Model(engine, { graph, op });
}
