// Keras layers models built with @tensorflow/tfjs-layers, with seeded weights,
// and their saved forms: tf.io.ModelArtifacts (what model.save hands a save
// handler), the converter-shaped topology (`{ keras_version, model_config }`,
// as tfjs-converter writes Keras files), and model.json + shard files.
// Used by the Keras loader's tests and by the agreement test of the runtime
// (sepconv vs tf.loadLayersModel on the same input). CPU backend only.

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { mulberry32 } from '../../src/random.js';

await tf.setBackend('cpu');

type ST = tfl.SymbolicTensor;
const apply = (layer: tfl.layers.Layer, x: ST | ST[]) => layer.apply(x) as ST;

/**
 * Replaces every weight of `model` with seeded values: kernels and biases in
 * [-s, s) with s = 1/√fan-in-ish (so activations stay O(1) through the net),
 * batch-norm gamma in [0.5, 1.5), beta and moving mean in [-0.5, 0.5),
 * moving variance in [0.25, 1.25) (never the initial 0/1, so folding is exercised).
 */
export function seedWeights(model: tfl.LayersModel, seed: number): void {
  const next = mulberry32(seed);
  const values = model.weights.map((w) => {
    const shape = w.shape as number[];
    const n = shape.reduce((p, d) => p * d, 1);
    const name = w.originalName;
    const data = new Float32Array(n);
    const fanIn = shape.length >= 2 ? shape.slice(0, -1).reduce((p, d) => p * d, 1) : 4;
    for (let i = 0; i < n; i++) {
      const u = next();
      if (name.endsWith('/gamma')) data[i] = 0.5 + u;
      else if (name.endsWith('/moving_variance')) data[i] = 0.25 + u;
      else if (name.endsWith('/beta') || name.endsWith('/moving_mean')) data[i] = u - 0.5;
      else data[i] = (2 * u - 1) * (1.5 / Math.sqrt(fanIn));
    }
    return tf.tensor(data, shape);
  });
  model.setWeights(values);
  values.forEach((t) => t.dispose());
}

/**
 * A MobileNetV2-style functional model: stem (ZeroPadding2D + strided Conv2D,
 * BatchNormalization, ReLU(6.)), an inverted residual block that downsamples
 * (1×1 expand, ZeroPadding2D + DepthwiseConv2D stride 2, 1×1 project) and one
 * with a residual Add (depthwise 'same'), a 1×1 head conv, GlobalAveragePooling2D,
 * Dropout and a Dense softmax classifier. Names follow Keras' MobileNetV2.
 */
export function mobilenetV2Style(opts: { inputSize?: number; classes?: number; seed?: number } = {}): tfl.LayersModel {
  const size = opts.inputSize ?? 32;
  const input = tfl.input({ shape: [size, size, 3], name: 'input_1' });
  const bn = (name: string) => tfl.layers.batchNormalization({ epsilon: 1e-3, momentum: 0.999, name });
  const relu6 = (name: string) => tfl.layers.reLU({ maxValue: 6, name });
  let x = apply(tfl.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: 'Conv1_pad' }), input);
  x = apply(tfl.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'valid', useBias: false, name: 'Conv1' }), x);
  x = apply(relu6('Conv1_relu'), apply(bn('bn_Conv1'), x));

  // block 1: expand 8 → 24, depthwise stride 2 (explicit padding), project to 12.
  x = apply(tfl.layers.conv2d({ filters: 24, kernelSize: 1, useBias: false, name: 'block_1_expand' }), x);
  x = apply(relu6('block_1_expand_relu'), apply(bn('block_1_expand_BN'), x));
  x = apply(tfl.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: 'block_1_pad' }), x);
  x = apply(tfl.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'valid', useBias: false, name: 'block_1_depthwise' }), x);
  x = apply(relu6('block_1_depthwise_relu'), apply(bn('block_1_depthwise_BN'), x));
  x = apply(tfl.layers.conv2d({ filters: 12, kernelSize: 1, useBias: false, name: 'block_1_project' }), x);
  const block1 = apply(bn('block_1_project_BN'), x);

  // block 2: expand 12 → 36, depthwise 'same', project to 12, residual add.
  x = apply(tfl.layers.conv2d({ filters: 36, kernelSize: 1, useBias: false, name: 'block_2_expand' }), block1);
  x = apply(relu6('block_2_expand_relu'), apply(bn('block_2_expand_BN'), x));
  x = apply(tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false, name: 'block_2_depthwise' }), x);
  x = apply(relu6('block_2_depthwise_relu'), apply(bn('block_2_depthwise_BN'), x));
  x = apply(tfl.layers.conv2d({ filters: 12, kernelSize: 1, useBias: false, name: 'block_2_project' }), x);
  x = apply(bn('block_2_project_BN'), x);
  x = apply(tfl.layers.add({ name: 'block_2_add' }), [block1, x]);

  x = apply(tfl.layers.conv2d({ filters: 32, kernelSize: 1, useBias: false, name: 'Conv_1' }), x);
  x = apply(relu6('out_relu'), apply(bn('Conv_1_bn'), x));
  x = apply(tfl.layers.globalAveragePooling2d({ name: 'global_average_pooling2d' }), x);
  x = apply(tfl.layers.dropout({ rate: 0.2, name: 'dropout' }), x);
  const output = apply(tfl.layers.dense({ units: opts.classes ?? 5, activation: 'softmax', name: 'predictions' }), x);
  const model = tfl.model({ inputs: input, outputs: output, name: 'mobilenetv2_style' });
  seedWeights(model, opts.seed ?? 1);
  return model;
}

/** A Sequential model: Conv2D (relu, 'same', stride 2), MaxPooling2D, SeparableConv2D (bias, elu), AveragePooling2D 'same', Flatten, Dense. */
export function sequentialStyle(opts: { inputSize?: number; seed?: number } = {}): tfl.Sequential {
  const size = opts.inputSize ?? 20;
  const model = tfl.sequential({
    name: 'sequential_style',
    layers: [
      tfl.layers.conv2d({ inputShape: [size, size, 3], filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'conv' }),
      tfl.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same', name: 'max_pool' }),
      tfl.layers.separableConv2d({ filters: 10, kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'elu', name: 'separable' }),
      tfl.layers.averagePooling2d({ poolSize: 2, strides: 2, padding: 'same', name: 'avg_pool' }),
      tfl.layers.flatten({ name: 'flatten' }),
      tfl.layers.dense({ units: 4, activation: 'sigmoid', name: 'dense' }),
    ],
  });
  seedWeights(model, opts.seed ?? 2);
  return model;
}

/** What model.save gives a save handler: the tf.io.ModelArtifacts of a layers model. */
export async function artifactsOf(model: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved) throw new Error('model.save did not call the save handler');
  return saved;
}

/**
 * The same artifacts with the topology as tfjs-converter writes a converted Keras
 * file: `{ keras_version, backend, model_config: { class_name, config } }`.
 */
export function converterShape(a: tf.io.ModelArtifacts, kerasVersion = '2.15.0'): tf.io.ModelArtifacts {
  const topo = a.modelTopology as { class_name: string; config: unknown };
  return {
    ...a,
    modelTopology: { keras_version: kerasVersion, backend: 'tensorflow', model_config: { class_name: topo.class_name, config: topo.config } },
  };
}

/** model.json text and its shard files (`group1-shardKofN.bin`, at most `shardBytes` each), as tfjs writes them. */
export function modelJsonFiles(a: tf.io.ModelArtifacts, shardBytes = 4 * 1024 * 1024): { modelJson: string; shards: { path: string; data: Uint8Array }[] } {
  const data = a.weightData;
  const bytes = data === undefined ? new Uint8Array(0) : Array.isArray(data) ? concat(data) : new Uint8Array(data);
  const n = Math.max(1, Math.ceil(bytes.byteLength / shardBytes));
  const shards = Array.from({ length: n }, (_, i) => ({ path: `group1-shard${i + 1}of${n}.bin`, data: bytes.slice(i * shardBytes, (i + 1) * shardBytes) }));
  const modelJson = JSON.stringify({
    modelTopology: a.modelTopology,
    format: 'layers-model',
    generatedBy: 'TensorFlow.js tfjs-layers v4.22.0',
    convertedBy: null,
    weightsManifest: [{ paths: shards.map((s) => s.path), weights: a.weightSpecs }],
  });
  return { modelJson, shards };
}

/** The parts back to back (tfjs-core's own join, as tf.io's handlers use it). */
function concat(parts: ArrayBuffer[]): Uint8Array {
  return new Uint8Array(tf.io.concatenateArrayBuffers(parts));
}
