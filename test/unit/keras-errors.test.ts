// The bad layers models: each unsupported or malformed file is refused with a
// SepconvError whose code and message say what and where. Each case starts
// from a valid saved model (which translates) and breaks one thing.

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { SepconvError } from '../../src/errors.js';
import { layersToGraph, SUPPORTED_LAYERS, type LayersModelArtifacts } from '../../src/model/keras/index.js';
import { artifactsOf, converterShape, seedWeights } from '../support/keras-models.js';

type ST = tfl.SymbolicTensor;
type LayerJson = { name: string; class_name: string; config: Record<string, unknown>; inbound_nodes: unknown[][][] };

const input = tfl.input({ shape: [8, 8, 3], name: 'image' });
const c1 = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'c1' }).apply(input) as ST;
const bn = tfl.layers.batchNormalization({ name: 'bn' }).apply(c1) as ST;
const relu = tfl.layers.reLU({ maxValue: 6, name: 'relu' }).apply(bn) as ST;
const gap = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(relu) as ST;
const model = tfl.model({ inputs: input, outputs: tfl.layers.dense({ units: 2, activation: 'softmax', name: 'out' }).apply(gap) as ST });
seedWeights(model, 1);
const saved = await artifactsOf(model);

/** A deep copy of the valid artifacts, for one case to break. */
function copy(): { a: LayersModelArtifacts & { weightSpecs: NonNullable<tf.io.ModelArtifacts['weightSpecs']> }; layers: LayerJson[]; layer: (n: string) => LayerJson } {
  const a = { ...saved, modelTopology: structuredClone(saved.modelTopology), weightSpecs: structuredClone(saved.weightSpecs ?? []) };
  const layers = (a.modelTopology as { config: { layers: LayerJson[] } }).config.layers;
  return { a, layers, layer: (n) => layers.find((l) => l.name === n) as LayerJson };
}

/** The error layersToGraph throws. */
function failure(a: LayersModelArtifacts, options?: Parameters<typeof layersToGraph>[1]): SepconvError {
  try {
    layersToGraph(a, options);
  } catch (e) {
    expect(e).toBeInstanceOf(SepconvError);
    return e as SepconvError;
  }
  throw new Error('layersToGraph accepted the model');
}

/** Byte offset and size of a weight in the saved data. */
function locate(name: string): { offset: number; bytes: number } {
  let offset = 0;
  for (const s of saved.weightSpecs ?? []) {
    const bytes = 4 * s.shape.reduce((p, d) => p * d, 1);
    if (s.name === name) return { offset, bytes };
    offset += bytes;
  }
  throw new Error(`no weight ${name}`);
}

describe('layersToGraph: bad and unsupported models', () => {
  it('the valid model translates (every case below breaks one thing of it)', () => {
    expect(layersToGraph(saved).graph.nodes.length).toBeGreaterThan(5);
  });

  it('UNSUPPORTED_OP: a layer class sepconv does not run, naming the class, the layer and the supported list', () => {
    const { a, layer } = copy();
    layer('c1').class_name = 'Conv2DTranspose';
    const e = failure(a);
    expect(e.code).toBe('UNSUPPORTED_OP');
    expect(e.op).toBe('loadLayersModel');
    expect(e.message).toContain("layer 'c1'");
    expect(e.message).toContain('Conv2DTranspose');
    for (const s of ['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'BatchNormalization', 'ZeroPadding2D', 'Dense']) expect(e.message).toContain(s);
    expect(SUPPORTED_LAYERS).toContain('GlobalAveragePooling2D');
  });

  it('UNSUPPORTED_OP: a layer inside a nested model is found before anything else is checked', () => {
    const { a, layers } = copy();
    const inner = { class_name: 'Sequential', config: { name: 'inner', layers: [{ class_name: 'LSTM', config: { name: 'lstm', units: 3 } }] } };
    layers.push({ name: 'inner', class_name: 'Sequential', config: inner.config, inbound_nodes: [[['out', 0, 0, {}]]] });
    const e = failure({ ...a, weightSpecs: [] });
    expect(e.code).toBe('UNSUPPORTED_OP');
    expect(e.message).toMatch(/layer 'lstm'.*LSTM/);
  });

  it("UNSUPPORTED_OP: an activation sepconv does not run ('selu'), naming it and the layer", () => {
    const { a, layer } = copy();
    layer('out').config.activation = 'selu';
    const e = failure(a);
    expect(e.code).toBe('UNSUPPORTED_OP');
    expect(e.message).toContain("layer 'out' (Dense)");
    expect(e.message).toContain("'selu'");
    expect(e.message).toContain('hard_sigmoid');
  });

  it('UNSUPPORTED_OP: ReLU with a nonzero threshold', () => {
    const { a, layer } = copy();
    layer('relu').config.threshold = 0.5;
    const e = failure(a);
    expect(e.code).toBe('UNSUPPORTED_OP');
    expect(e.message).toContain("layer 'relu' (ReLU): threshold");
    expect(e.message).toContain('threshold 0.5');
  });

  it('BAD_MODEL: a weight the topology needs is missing from the manifest', () => {
    const { a } = copy();
    const { offset, bytes } = locate('bn/moving_variance');
    const data = saved.weightData as ArrayBuffer;
    const without = { ...a, weightSpecs: a.weightSpecs.filter((s) => s.name !== 'bn/moving_variance'), weightData: [data.slice(0, offset), data.slice(offset + bytes)] };
    const e = failure(without);
    expect(e.code).toBe('BAD_MODEL');
    expect(e.message).toContain("layer 'bn' (BatchNormalization): weight 'bn/moving_variance'");
    expect(e.message).toContain('no such weight');
  });

  it('BAD_MODEL: a weight no layer uses', () => {
    const { a } = copy();
    const extra = { ...a, weightSpecs: [...a.weightSpecs, { name: 'stray/kernel', shape: [2], dtype: 'float32' as const }], weightData: [saved.weightData as ArrayBuffer, new ArrayBuffer(8)] };
    const e = failure(extra);
    expect(e.code).toBe('BAD_MODEL');
    expect(e.message).toContain('not used by any layer: stray/kernel');
  });

  it('BAD_MODEL: a weight of the wrong shape (same size, other layout)', () => {
    const { a } = copy();
    const spec = a.weightSpecs.find((s) => s.name === 'c1/kernel') as { shape: number[] };
    spec.shape = [3, 3, 4, 3];
    const e = failure(a);
    expect(e.code).toBe('BAD_MODEL');
    expect(e.message).toContain("layer 'c1' (Conv2D): weight 'c1/kernel'");
    expect(e.message).toContain('[3, 3, 4, 3]');
    expect(e.message).toContain('[3, 3, 3, 4]');
  });

  it('BAD_MODEL: weight data shorter than the manifest (a truncated shard), and longer', () => {
    const data = saved.weightData as ArrayBuffer;
    const short = failure({ ...saved, weightData: data.slice(0, data.byteLength - 10) });
    expect(short.code).toBe('BAD_MODEL');
    expect(short.message).toContain(`the weight data ends at byte ${data.byteLength - 10}`);
    expect(short.message).toContain(`needs ${data.byteLength} bytes`);
    const long = failure({ ...saved, weightData: [data, new ArrayBuffer(4)] });
    expect(long.code).toBe('BAD_MODEL');
    expect(long.message).toContain(`has ${data.byteLength + 4} bytes but the manifest describes ${data.byteLength}`);
  });

  it('BAD_MODEL: a topology that is not JSON, not a layers model, or a graph model', () => {
    const cases: [unknown, string][] = [
      ['{"class_name": "Model", "config": {', 'not valid JSON'],
      [{ format: 'graph-model', node: [] }, 'graph model'],
      [new ArrayBuffer(8), 'graph model'],
      [{ class_name: 'Dense', config: {} }, "class_name 'Dense' is not a layers model"],
      [{ keras_version: '2.15.0', model_config: { class_name: 'Model', config: { layers: 'none' } } }, 'no list of layers'],
      [undefined, 'missing'],
    ];
    for (const [modelTopology, text] of cases) {
      const e = failure({ ...saved, modelTopology });
      expect(e.code, text).toBe('BAD_MODEL');
      expect(e.message).toContain(text);
    }
  });

  it('BAD_MODEL: an inbound node that reads a layer the model does not have, or a cycle', () => {
    const unknown = copy();
    unknown.layer('bn').inbound_nodes = [[['c2', 0, 0, {}]]];
    const missing = failure(unknown.a);
    expect(missing.code).toBe('BAD_MODEL');
    expect(missing.message).toContain("layer 'bn' (BatchNormalization): inbound_nodes[0]: it reads layer 'c2', which the model does not have");
    const cycle = copy();
    cycle.layer('c1').inbound_nodes = [[['relu', 0, 0, {}]]];
    const e = failure(cycle.a);
    expect(e.code).toBe('BAD_MODEL');
    expect(e.message).toContain('never computes');
  });

  it('BAD_MODEL: an open input size, unless options.inputShapes fixes it; a bad data_format', () => {
    const open = copy();
    open.layer('image').config.batch_input_shape = [null, null, null, 3];
    const e = failure(open.a);
    expect(e.code).toBe('BAD_MODEL');
    expect(e.message).toContain("input 'image'");
    expect(e.message).toContain('options.inputShapes');
    expect(layersToGraph(open.a, { inputShapes: { image: [8, 8, 3] } }).inputs[0]?.shape).toEqual([-1, 8, 8, 3]);
    expect(failure(open.a, { inputShapes: { image: [8, 8, 4] } }).message).toContain('which the model declares as 3');
    const df = copy();
    df.layer('c1').config.data_format = 'channels_middle';
    expect(failure(df.a).message).toContain("layer 'c1' (Conv2D): data_format: \"channels_middle\" is not one of 'channels_last', 'channels_first'");
  });

  it('BAD_MODEL: weights in a format sepconv does not read (int32, unknown quantization)', () => {
    const int = copy();
    (int.a.weightSpecs[0] as { dtype: string }).dtype = 'int32';
    expect(failure(int.a).message).toContain("weight 'c1/kernel': dtype 'int32' is not a weight format sepconv reads");
    const q = copy();
    (q.a.weightSpecs[0] as { quantization?: unknown }).quantization = { dtype: 'int4', min: 0, scale: 1 };
    expect(failure(q.a).message).toContain("quantization dtype 'int4'");
  });

  it('the converter shape fails the same way', () => {
    const { a, layer } = copy();
    layer('c1').class_name = 'Cropping2D';
    const e = failure(converterShape(a as tf.io.ModelArtifacts, '2.15.0'));
    expect(e.code).toBe('UNSUPPORTED_OP');
    expect(e.message).toContain('Cropping2D');
  });
});
