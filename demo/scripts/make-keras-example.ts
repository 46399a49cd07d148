// Makes the "Your model" panel's Keras example: a small MobileNetV2-style functional
// model (ZeroPadding2D, Conv2D, BatchNormalization, ReLU(6.), DepthwiseConv2D, a residual
// Add, GlobalAveragePooling2D, Dropout, a Dense softmax head over 5 classes) with seeded
// weights, built and saved with @tensorflow/tfjs-layers as tfjs-layers writes a model:
// model.json and its weights split into two shards, so the panel's loading shows shards
// being joined in the manifest's order. The model is the one the Keras loader's tests
// use (test/support/keras-models.ts), at 96×96.
//
//   npx tsx demo/scripts/make-keras-example.ts
//
// writes demo/assets/models/keras-mobilenetv2-style/ (see demo/assets/README.md).
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { artifactsOf, mobilenetV2Style, modelJsonFiles } from '../../test/support/keras-models.js';

const out = fileURLToPath(new URL('../assets/models/keras-mobilenetv2-style/', import.meta.url));
const model = mobilenetV2Style({ inputSize: 96, classes: 5, seed: 13 });
const artifacts = await artifactsOf(model);
const bytes = artifacts.weightSpecs?.reduce((n, s) => n + 4 * s.shape.reduce((a, d) => a * d, 1), 0) ?? 0;
// Two shards: the first holds a little more than half of the weights (shards are cut at 4-byte multiples).
const { modelJson, shards } = modelJsonFiles(artifacts, 4 * Math.ceil(bytes / 8) + 4);
mkdirSync(out, { recursive: true });
writeFileSync(`${out}model.json`, modelJson);
for (const s of shards) writeFileSync(`${out}${s.path}`, s.data);
console.log(`${out}: model.json and ${shards.map((s) => `${s.path} (${s.data.byteLength} bytes)`).join(', ')}; ${model.countParams()} params`);
