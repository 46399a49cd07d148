// Keras / TF.js layers models end to end: sepconv's loadLayersModel against
// tf.loadLayersModel (tfjs-layers on TF.js's CPU backend) predicting the same
// input, on both backends. The models are built and saved in the test with
// tfjs-layers (test/support/keras-models.ts), seeded weights and batch-norm
// statistics; they are read back from the artifacts, from a model.json with
// its shards on disk, and in tfjs-converter's shape.
//
// Tolerance: |ours − tfjs| ≤ 1e-4 + 1e-3·|tfjs|, as for the ONNX models (f32
// sums in other orders over ~10 layers, batch norm folded on our side).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createEngine, loadLayersModel, type Engine } from '../../src/index.js';
import { artifactsOf, converterShape, mobilenetV2Style, modelJsonFiles, sequentialStyle } from '../support/keras-models.js';
import { randomData } from '../support/random.js';

const engines: Record<string, Engine> = {};
beforeAll(async () => {
  engines.cpu = await createEngine({ backend: 'cpu' });
  engines.webgpu = await createEngine({ backend: 'webgpu' });
});
afterAll(() => Object.values(engines).forEach((e) => e.destroy()));

function expectClose(got: Float32Array, want: Float32Array): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const tol = 1e-4 + 1e-3 * Math.abs(want[i] as number);
    if (!(Math.abs((got[i] as number) - (want[i] as number)) <= tol)) throw new Error(`element ${i}: sepconv ${got[i]}, tfjs ${want[i]}`);
  }
}

/** tf.loadLayersModel's prediction from the same artifacts. */
async function reference(artifacts: tf.io.ModelArtifacts, x: Float32Array, shape: number[]): Promise<Float32Array> {
  const model = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
  const y = model.predict(tf.tensor(x, shape)) as tf.Tensor;
  const data = (await y.data()) as Float32Array;
  y.dispose();
  model.dispose();
  return data;
}

describe.each(['cpu', 'webgpu'])('%s backend agrees with tf.loadLayersModel', (backend) => {
  test('a MobileNetV2-style functional model (ZeroPadding2D, residual Add, Dense head), batch 2', async () => {
    const e = engines[backend] as Engine;
    const artifacts = await artifactsOf(mobilenetV2Style({ inputSize: 32, classes: 10, seed: 3 }));
    const x = randomData(2 * 32 * 32 * 3, 21);
    const want = await reference(artifacts, x, [2, 32, 32, 3]);
    const net = await loadLayersModel(e, artifacts);
    expect(net.inputs).toEqual([{ name: 'input_1', shape: [null, 32, 32, 3], layout: 'NHWC' }]);
    const y = net.predict(e.tensor(x, [2, 32, 32, 3]));
    expect(y.shape).toEqual([2, 10]);
    expectClose(await y.read(), want);
    // Batch norm folds into the convs and every ReLU(6.) and the residual add fuse into them.
    expect(net.ops().filter((o) => ['binary', 'activation'].includes(o.op))).toEqual([]);
    net.dispose();
  });

  test('a Sequential model (SeparableConv2D with depth multiplier 2), read as tfjs-converter writes Keras files', async () => {
    const e = engines[backend] as Engine;
    const model = sequentialStyle({ inputSize: 16, seed: 4 });
    const artifacts = await artifactsOf(model);
    const x = randomData(16 * 16 * 3, 22);
    // tfjs-layers 4.22 saves SeparableConv2D without its depth_multiplier and cannot load
    // it back when it is not 1: the reference is the built model's own prediction.
    const y0 = model.predict(tf.tensor(x, [1, 16, 16, 3])) as tf.Tensor;
    const want = (await y0.data()) as Float32Array;
    y0.dispose();
    const net = await loadLayersModel(e, converterShape(artifacts));
    expectClose(await net.predict(e.tensor(x, [1, 16, 16, 3])).read(), want);
    net.dispose();
  });
});

test('a model.json with its weight shards beside it, by path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sepconv-keras-'));
  try {
    const artifacts = await artifactsOf(mobilenetV2Style({ inputSize: 32, classes: 10, seed: 5 }));
    const files = modelJsonFiles(artifacts, 4096);
    expect(files.shards.length).toBeGreaterThan(1);
    writeFileSync(join(dir, 'model.json'), files.modelJson);
    for (const s of files.shards) writeFileSync(join(dir, s.path), s.data);
    const x = randomData(32 * 32 * 3, 23);
    const want = await reference(artifacts, x, [1, 32, 32, 3]);
    const e = engines.cpu as Engine;
    const net = await loadLayersModel(e, join(dir, 'model.json'));
    expectClose(await net.predict(e.tensor(x, [1, 32, 32, 3])).read(), want);
    net.dispose();
    await expect(loadLayersModel(e, join(dir, 'missing.json'))).rejects.toThrow(/missing\.json/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
