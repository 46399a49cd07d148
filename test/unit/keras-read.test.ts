// readLayersModel: a model.json with its weight shards beside it, from a path,
// a file: URL and over HTTP, in both model.json shapes; truncated or missing
// shards refused naming the file. And quantized weights (uint8, uint16,
// float16) dequantized as tf.loadLayersModel does. CPU only.

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SepconvError } from '../../src/errors.js';
import type { OpAttrs } from '../../src/model/ir.js';
import { layersToGraph, readLayersModel } from '../../src/model/keras/index.js';
import { artifactsOf, converterShape, mobilenetV2Style, modelJsonFiles } from '../support/keras-models.js';

const model = mobilenetV2Style({ inputSize: 16, seed: 3 });
const saved = await artifactsOf(model);
const savedBytes = new Uint8Array(saved.weightData as ArrayBuffer);

let dir = '';
let server: Server;
let base = '';

/** Writes model.json (named `name`) and its shards (`shardBytes` each) into a fresh folder under `dir`. */
async function writeModel(sub: string, a: tf.io.ModelArtifacts, shardBytes: number, name = 'model.json'): Promise<string> {
  const folder = join(dir, sub);
  await mkdir(folder, { recursive: true });
  const { modelJson, shards } = modelJsonFiles(a, shardBytes);
  await writeFile(join(folder, name), modelJson);
  for (const s of shards) await writeFile(join(folder, s.path), s.data);
  return join(folder, name);
}

async function rejection(p: Promise<unknown>): Promise<SepconvError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SepconvError);
    return e as SepconvError;
  }
  throw new Error('the promise resolved');
}

/** The parts back to back (tfjs-core's own join, as tf.io's handlers use it). */
function concat(parts: ArrayBuffer[]): Uint8Array {
  return new Uint8Array(tf.io.concatenateArrayBuffers(parts));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sepconv-keras-'));
  server = createServer((req, res) => {
    readFile(join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)))
      .then((b) => res.end(b))
      .catch(() => {
        res.statusCode = 404;
        res.end('not found');
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address() as { port: number };
  base = `http://127.0.0.1:${addr.port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('readLayersModel', () => {
  it('reads model.json and its shards from a path, a file: URL and over HTTP, giving the saved artifacts', async () => {
    const path = await writeModel('plain', saved, 1000);
    const expected = layersToGraph(saved).graph.nodes.map((n) => n.name);
    for (const source of [path, pathToFileURL(path), pathToFileURL(path).href, `${base}/plain/model.json`]) {
      const a = await readLayersModel(source);
      expect(a.weightData.length).toBe(Math.ceil(savedBytes.byteLength / 1000));
      expect(concat(a.weightData)).toEqual(savedBytes);
      expect(a.weightSpecs).toEqual(saved.weightSpecs);
      expect(a.format).toBe('layers-model');
      expect(layersToGraph(a).graph.nodes.map((n) => n.name)).toEqual(expected);
    }
  });

  it('reads the tfjs-converter shape, with shard paths relative to model.json', async () => {
    const path = await writeModel('converted/deep', converterShape(saved, '2.15.0'), 4 * 1024 * 1024, 'my-model.json');
    const a = await readLayersModel(path);
    expect((a.modelTopology as { keras_version: string }).keras_version).toBe('2.15.0');
    const conv = layersToGraph(a).graph.nodes.find((n) => n.name === 'Conv1');
    const kernel = model.getLayer('Conv1').getWeights()[0]?.dataSync() as Float32Array;
    expect(Array.from((conv?.attrs as OpAttrs['conv']).filter)).toEqual(Array.from(kernel));
  });

  it('BAD_MODEL naming the shard when one is truncated or missing', async () => {
    const path = await writeModel('truncated', saved, 1000);
    const last = `group1-shard${Math.ceil(savedBytes.byteLength / 1000)}of${Math.ceil(savedBytes.byteLength / 1000)}.bin`;
    await writeFile(join(dir, 'truncated', last), new Uint8Array(3));
    const e = await rejection(readLayersModel(path));
    expect(e.code).toBe('BAD_MODEL');
    expect(e.message).toContain(`'${last}'`);
    expect(e.message).toContain('shorter than the manifest says');
    await rm(join(dir, 'truncated', 'group1-shard1of' + last.split('of')[1]));
    const missing = await rejection(readLayersModel(path));
    expect(missing.message).toContain(`weight shard 'group1-shard1of${last.split('of')[1]}'`);
    const http = await rejection(readLayersModel(`${base}/truncated/nothing.json`));
    expect(http.message).toMatch(/model\.json 'nothing\.json'.*HTTP 404/);
  });

  it('BAD_MODEL when model.json is not JSON, not a TF.js model.json, or a graph model', async () => {
    await mkdir(join(dir, 'bad'), { recursive: true });
    const cases: [string, string][] = [
      ['{"modelTopology": ', 'not valid JSON'],
      ['{"hello": 1}', 'no modelTopology'],
      ['{"format": "graph-model", "modelTopology": {"node": []}, "weightsManifest": []}', "format is 'graph-model'"],
      ['{"modelTopology": {}, "weightsManifest": [{"weights": []}]}', 'without a list of shard paths'],
    ];
    for (const [i, [text, want]] of cases.entries()) {
      await writeFile(join(dir, 'bad', `${i}.json`), text);
      const e = await rejection(readLayersModel(join(dir, 'bad', `${i}.json`)));
      expect(e.code).toBe('BAD_MODEL');
      expect(e.message).toContain(want);
    }
  });
});

describe('quantized weights', () => {
  it('uint8 and uint16 (q·scale + min) and float16 are dequantized', async () => {
    const m = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 2, name: 'd' })] });
    const a = await artifactsOf(m);
    // kernel [3, 2] as uint8, bias [2] as uint16; then the same kernel as float16 bit patterns.
    const q8 = new Uint8Array([0, 1, 2, 127, 254, 255]);
    const q16 = new Uint16Array([0, 65535]);
    const kernel8 = { name: 'd/kernel', shape: [3, 2], dtype: 'float32' as const, quantization: { dtype: 'uint8' as const, min: -1.5, scale: 0.01 } };
    const bias16 = { name: 'd/bias', shape: [2], dtype: 'float32' as const, quantization: { dtype: 'uint16' as const, min: -1, scale: 2 / 65535 } };
    // Bytes back to back, unaligned: the uint16 bias starts at byte 6.
    const bytes = new Uint8Array(6 + 4);
    bytes.set(q8, 0);
    bytes.set(new Uint8Array(q16.buffer), 6);
    const g8 = layersToGraph({ ...a, weightSpecs: [kernel8, bias16], weightData: bytes.buffer });
    const dense = g8.graph.nodes[0]?.attrs as OpAttrs['dense'];
    expect(Array.from(dense.weights)).toEqual(Array.from(q8, (q) => Math.fround(q * 0.01 - 1.5)));
    expect(Array.from(dense.bias ?? [])).toEqual([-1, Math.fround(65535 * (2 / 65535) - 1)]);

    // 0.5, −1.25, 65504 (largest half), 2^-14 (smallest normal), 2^-24 (smallest subnormal), −0.
    const halves = new Uint16Array([0x3800, 0xbd00, 0x7bff, 0x0400, 0x0001, 0x8000]);
    const kernel16 = { name: 'd/kernel', shape: [3, 2], dtype: 'float32' as const, quantization: { dtype: 'float16' as const } };
    const bias32 = { name: 'd/bias', shape: [2], dtype: 'float32' as const };
    const data = concat([halves.buffer, new Float32Array([0.25, -2]).buffer]);
    const g16 = layersToGraph({ ...a, weightSpecs: [kernel16, bias32], weightData: data.buffer as ArrayBuffer });
    const d16 = g16.graph.nodes[0]?.attrs as OpAttrs['dense'];
    expect(Array.from(d16.weights)).toEqual([0.5, -1.25, 65504, 2 ** -14, 2 ** -24, -0]);
    expect(Object.is(d16.weights[5], -0)).toBe(true);
    expect(Array.from(d16.bias ?? [])).toEqual([0.25, -2]);
  });

  it('BAD_MODEL when uint8 quantization has no min or scale', async () => {
    const m = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 2, useBias: false, name: 'd' })] });
    const a = await artifactsOf(m);
    const spec = { name: 'd/kernel', shape: [3, 2], dtype: 'float32' as const, quantization: { dtype: 'uint8' as const } };
    let error: unknown;
    try {
      layersToGraph({ ...a, weightSpecs: [spec], weightData: new ArrayBuffer(6) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SepconvError);
    expect((error as SepconvError).code).toBe('BAD_MODEL');
    expect((error as SepconvError).message).toContain("weight 'd/kernel': its uint8 quantization has no finite min and scale");
  });
});
