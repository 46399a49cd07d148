// The benchmark's end-to-end network cases, without a browser: the cases and their
// selection, the arithmetic (FLOPs, minimal bytes), deterministic shared weights, the
// lowering with batch norm folded (checked against sepconv's CPU backend through
// TF.js CPU), the ONNX export of a tiny 2-block network (node types, initializers,
// pads, and its output run by ONNX Runtime's CPU wasm backend), the agreement
// tolerance, the harness skipping engines that sit a case out, and the report.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import shapesJson from '../../bench/shapes.json';
import networksJson from '../../bench/networks.json';
import { createEngine, sequential, type Engine, type LayerSpec } from '../../src/index.js';
import { seededUniform } from '../../src/random.js';
import { buildOnnxModel, buildOnnxNetwork } from '../../bench/engines/onnx-model.js';
import { tfjsNetwork } from '../../bench/engines/tfjs-network.js';
import { nhwcToNchw } from '../../bench/lib/layout.js';
import { joinSuites, parseSuite, QUICK_IDS, QUICK_NETWORK_IDS, selectCases } from '../../bench/lib/cases.js';
import { runCases } from '../../bench/lib/harness.js';
import { lowerNetwork } from '../../bench/lib/network-graph.js';
import { loadCase, networkCase } from '../../bench/lib/networks.js';
import { agreement, assertResultSchema, caseTolerance, markdownTable, NETWORK_TOLERANCE } from '../../bench/lib/report.js';
import type { BenchCase, BenchEngine } from '../../bench/lib/types.js';
import { benchResult, OP_ROW } from '../support/bench-result.js';

const networks = parseSuite(networksJson);
const all = joinSuites(parseSuite(shapesJson), networks);
const byId = (id: string) => all.find((c) => c.id === id) as BenchCase;

let cpu: Engine;
beforeAll(async () => {
  cpu = await createEngine({ backend: 'cpu' });
  await tf.setBackend('cpu');
});
afterAll(() => cpu?.destroy());

describe('network cases', () => {
  test('networks.json has MobileNetV2-1.0 and MobileNetV1-1.0 at 224; --quick and --filter select them', () => {
    expect(networks.map((c) => c.id)).toEqual(['mobilenetV2_1.0_224', 'mobilenetV1_1.0_224']);
    expect(networks.every((c) => c.op === 'network' && c.input.join() === '1,224,224,3' && c.alpha === 1)).toBe(true);
    const quick = selectCases(all, { quick: true }).map((c) => c.id);
    expect(quick.sort()).toEqual([...QUICK_IDS, ...QUICK_NETWORK_IDS].sort());
    expect(selectCases(all, { filter: 'mobilenet' }).map((c) => c.id)).toEqual(['mobilenetV2_1.0_224', 'mobilenetV1_1.0_224']);
    expect(selectCases(all, { filter: 'V1' }).map((c) => c.id)).toEqual(['mobilenetV1_1.0_224']);
    expect(() => joinSuites(networks, networks)).toThrow(/duplicate case id mobilenetV2_1.0_224/);
    expect(() => parseSuite({ cases: [{ id: 'n', op: 'network', network: 'resnet50', input: [1, 224, 224, 3] }] })).toThrow(/network must be one of/);
  });

  test('MobileNetV1 arithmetic: FLOPs by hand, bytes = input + folded weights + output', async () => {
    const { data, flops, bytes } = await networkCase(byId('mobilenetV1_1.0_224'));
    // 3×3 s2 stem to 112×112×32, 13 depthwise (3×3) + pointwise blocks, dense 1024 → 1000.
    let macs = 112 * 112 * 32 * 27;
    let [size, channels] = [112, 32];
    for (const [filters, stride] of [[64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2], [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1]] as const) {
      size = Math.ceil(size / stride);
      macs += size * size * channels * 9 + size * size * channels * filters;
      channels = filters;
    }
    macs += 1024 * 1000;
    expect(flops).toBe(2 * macs);
    // Keras: 4,253,864 weights, 21,888 of them moving statistics; folding keeps a
    // scale-folded kernel and one bias per batch-norm channel (10,944 channels).
    const folded = 4_253_864 - 2 * 21_888 + 10_944;
    expect(bytes).toBe(4 * (224 * 224 * 3 + folded + 1000));
    expect(data.weights!.reduce((a, w) => a + w.length, 0)).toBe(4_253_864);
    expect(data.outShape).toEqual([1, 1, 1, 1000]);
  });

  test('MobileNetV2: weights deterministic and shared; the lowering folds to the library\'s folded count', async () => {
    const c = byId('mobilenetV2_1.0_224');
    const [a, b] = [await loadCase(c), await loadCase(c)];
    // (byte comparisons: toEqual on 3.5 M floats takes seconds)
    const same = (p: Float32Array, q: Float32Array | undefined) => !!q && Buffer.compare(Buffer.from(p.buffer, p.byteOffset, p.byteLength), Buffer.from(q.buffer, q.byteOffset, q.byteLength)) === 0;
    expect(same(a.data.x, b.data.x)).toBe(true);
    expect(a.data.weights!.length).toBe(b.data.weights!.length);
    expect(a.data.weights!.every((w, i) => same(w, b.data.weights![i]))).toBe(true);
    expect(a.flops).toBeGreaterThan(590e6); // ~300 M multiply-adds
    expect(a.flops).toBeLessThan(610e6);
    expect(a.bytes).toBe(4 * (224 * 224 * 3 + 3_487_816 + 1000));
    const g = lowerNetwork(a.data.layers!, a.data.weights!, [224, 224, 3]);
    expect(g.foldedParams).toBe(3_487_816);
    expect(g.ops.filter((o) => o.kind === 'add')).toHaveLength(10);
    expect(g.ops.filter((o) => o.kind === 'depthwise')).toHaveLength(17);
    expect(g.outputShape).toEqual([1, 1, 1000]);
    expect(g.flat).toBe(true);
    // The arrays are the model's own: a sepconv model built from them gives the same weights back.
    const m = sequential(a.data.layers!, { engine: cpu, inputShape: [224, 224, 3], weights: a.data.weights! });
    expect(m.params().folded).toBe(g.foldedParams);
    m.dispose();
  });
});

// A tiny 2-block network: a stem, a V1 block (depthwise s2 + pointwise) and a V2
// inverted residual block, then the classifier head. The 10×10 input makes the
// stem's 'same' padding asymmetric (0 before, 1 after).
const bnRelu6 = (): LayerSpec[] => [{ type: 'batchNorm' }, { type: 'activation', activation: 'relu6' }];
const tiny: LayerSpec[] = [
  { type: 'conv2d', filters: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false },
  ...bnRelu6(),
  { type: 'depthwiseConv2d', kernelSize: 3, strides: 2, padding: 'same', useBias: false },
  ...bnRelu6(),
  { type: 'pointwiseConv2d', filters: 16, useBias: false },
  ...bnRelu6(),
  {
    type: 'residual',
    layers: [
      { type: 'pointwiseConv2d', filters: 32, useBias: false },
      ...bnRelu6(),
      { type: 'depthwiseConv2d', kernelSize: 3, padding: 'same', useBias: false },
      ...bnRelu6(),
      { type: 'pointwiseConv2d', filters: 16, useBias: false },
      { type: 'batchNorm' },
    ],
  },
  { type: 'globalAveragePool' },
  { type: 'dense', units: 10 },
  { type: 'flatten' },
  { type: 'softmax' },
];
const tinyInput: [number, number, number] = [10, 10, 3];

/** Just enough protobuf decoding to read a ModelProto back. */
function decode(bytes: Uint8Array): Map<number, (number | Uint8Array)[]> {
  const fields = new Map<number, (number | Uint8Array)[]>();
  let p = 0;
  const varint = () => {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = bytes[p++] as number;
      v += (b & 0x7f) * mul;
      mul *= 128;
      if (b < 0x80) return v;
    }
  };
  while (p < bytes.length) {
    const tag = varint();
    const [field, wire] = [Math.floor(tag / 8), tag % 8];
    let value: number | Uint8Array;
    if (wire === 0) value = varint();
    else if (wire === 2) {
      const n = varint();
      value = bytes.subarray(p, p + n);
      p += n;
    } else if (wire === 5) {
      value = new DataView(bytes.buffer, bytes.byteOffset + p, 4).getFloat32(0, true);
      p += 4;
    } else throw new Error(`wire type ${wire}`);
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}
const text = (b: number | Uint8Array | undefined) => new TextDecoder().decode(b as Uint8Array);
const ints = (m: Map<number, (number | Uint8Array)[]>, f: number) => (m.get(f) ?? []) as number[];
const dimsOf = (valueInfo: Uint8Array) => {
  const tensorType = decode(decode(decode(valueInfo).get(2)![0] as Uint8Array).get(1)![0] as Uint8Array);
  return (decode(tensorType.get(2)![0] as Uint8Array).get(1) ?? []).map((d) => decode(d as Uint8Array).get(1)![0]);
};

describe('the tiny 2-block network', () => {
  let weights: Float32Array[];
  let ref: Float32Array;
  const x = seededUniform(10 * 10 * 3, 11);
  beforeAll(async () => {
    const m = sequential(tiny, { engine: cpu, inputShape: tinyInput, seed: 3 });
    weights = m.weights();
    ref = await m.predict(cpu.tensor(x, [1, ...tinyInput])).read();
    m.dispose();
  });

  test('lowered with batch norm folded and run by TF.js (CPU), it agrees with sepconv CPU', async () => {
    const g = lowerNetwork(tiny, weights, tinyInput);
    expect(g.ops.map((o) => o.kind)).toEqual(['conv2d', 'depthwise', 'pointwise', 'pointwise', 'depthwise', 'pointwise', 'add', 'pool', 'pointwise', 'flatten', 'softmax']);
    const net = tfjsNetwork(g);
    const y = net.forward(tf.tensor4d(x, [1, ...tinyInput]));
    expect(y.shape).toEqual([1, 10]);
    const got = (await y.data()) as Float32Array;
    y.dispose();
    net.dispose();
    expect(agreement(got, ref, NETWORK_TOLERANCE).agrees).toBe(true);
  });

  test('the ONNX export: node types, initializers, pads, dims', () => {
    const m = buildOnnxNetwork(lowerNetwork(tiny, weights, tinyInput), 1, 'tiny');
    expect(m.inputDims).toEqual([1, 3, 10, 10]);
    expect(m.outputDims).toEqual([1, 10, 1, 1]);
    const top = decode(m.bytes);
    expect(top.get(1)).toEqual([8]); // ir_version
    const opset = decode(top.get(8)![0] as Uint8Array);
    expect(opset.get(2)).toEqual([17]);
    const graph = decode(top.get(7)![0] as Uint8Array);
    const nodes = (graph.get(1) ?? []).map((n) => decode(n as Uint8Array));
    expect(nodes.map((n) => text(n.get(4)![0]))).toEqual([
      'Conv', 'Clip', // stem
      'Conv', 'Clip', 'Conv', 'Clip', // V1 block
      'Conv', 'Clip', 'Conv', 'Clip', 'Conv', 'Add', // inverted residual
      'GlobalAveragePool', 'Conv', 'Flatten', 'Softmax', // head
    ]);
    // 7 Convs with weight and folded bias each, plus Clip's shared min and max.
    const inits = (graph.get(5) ?? []).map((t) => decode(t as Uint8Array));
    expect(inits).toHaveLength(2 * 7 + 2);
    expect(inits.map((t) => text(t.get(8)![0])).filter((n) => n.startsWith('clip_'))).toEqual(['clip_min', 'clip_max']);
    const attrs = (n: Map<number, (number | Uint8Array)[]>) =>
      new Map((n.get(5) ?? []).map((a) => decode(a as Uint8Array)).map((a) => [text(a.get(1)![0]), a]));
    // Stem: 10 → 5 at stride 2 needs 1 padding row / column, TF puts it at the bottom / right.
    expect(ints(attrs(nodes[0]!).get('pads')!, 8)).toEqual([0, 0, 1, 1]);
    // The first depthwise: group = 8 channels, 5 → 3 at stride 2, pads 1 each side.
    expect(ints(attrs(nodes[2]!).get('group')!, 3)).toEqual([8]);
    expect(ints(attrs(nodes[2]!).get('pads')!, 8)).toEqual([1, 1, 1, 1]);
    // The first depthwise weight is [8, 1, 3, 3]
    const dwWeight = inits.find((t) => text(t.get(8)![0]) === text(nodes[2]!.get(1)![1]))!;
    expect(ints(dwWeight, 1)).toEqual([8, 1, 3, 3]);
    // Add reads the block's input (the V1 block's output) and the projection.
    expect(nodes[11]!.get(1)!.map(text)).toEqual([text(nodes[10]!.get(2)![0]), text(nodes[5]!.get(2)![0])]);
    expect(dimsOf(graph.get(11)![0] as Uint8Array)).toEqual([1, 3, 10, 10]);
    expect(dimsOf(graph.get(12)![0] as Uint8Array)).toEqual([1, 10]);
  });

  test('ONNX Runtime (CPU, wasm) runs the export and agrees with sepconv CPU', async () => {
    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = 1;
    ort.env.logLevel = 'error';
    const c: BenchCase = { id: 'tiny', op: 'network', network: 'mobilenetV2', input: [1, ...tinyInput] };
    const m = buildOnnxModel(c, { x, layers: tiny, weights, outShape: [1, 1, 1, 10] });
    const session = await ort.InferenceSession.create(m.bytes, { executionProviders: ['wasm'] });
    const out = await session.run({ x: new ort.Tensor('float32', nhwcToNchw(x, [1, 10, 10, 3]), m.inputDims) });
    const y = out.y!;
    expect(y.dims).toEqual([1, 10]);
    expect(agreement(y.data as Float32Array, ref, NETWORK_TOLERANCE)).toMatchObject({ agrees: true });
    await session.release();
  });
});

describe('agreement, harness and report for networks', () => {
  test('networks are checked relative to each probability', () => {
    expect(caseTolerance(byId('mobilenetV1_1.0_224'))).toBe(NETWORK_TOLERANCE);
    expect(caseTolerance(byId('pw_56x56_24to144'))).toEqual({ abs: 1e-3, rel: 1e-3 });
    const ref = Float32Array.from([0.5, 0.009, 1e-6]);
    expect(agreement(Float32Array.from([0.5004, 0.009008, 1e-6 + 5e-7]), ref, NETWORK_TOLERANCE).agrees).toBe(true);
    // a 5% error of one class: inside the op tolerance, not the network one
    const off = Float32Array.from([0.5, 0.00945, 1e-6]);
    expect(agreement(off, ref).agrees).toBe(true);
    expect(agreement(off, ref, NETWORK_TOLERANCE).agrees).toBe(false);
  });

  test('an engine that sits a case out gets no row', async () => {
    const fake = (name: BenchEngine['name'], supports?: (c: BenchCase) => boolean): BenchEngine => ({
      name,
      ...(supports && { supports }),
      init: async () => {},
      prepare: async (_c, d) => ({ run: async () => new Float32Array(d.outShape.reduce((a, b) => a * b, 1)), dispose: () => {} }),
      destroy: () => {},
    });
    const ref = fake('sepconv-cpu');
    const rows = await runCases([byId('dw3x3_s1_56x56x144')], [fake('sepconv-webgpu'), fake('tfjs-wasm', (c) => c.op !== 'depthwise')], ref, {
      runs: 5,
      warmup: 0,
      targetMs: 1,
      roofline: { gflops: 1, gbps: 1 },
      now: () => performance.now(),
      onProgress: () => {},
    });
    expect(rows.map((r) => r.engine)).toEqual(['sepconv-webgpu']);
    expect(rows[0]).toMatchObject({ agrees: true });
  });

  test('the report: schema accepts network rows; a network table with first run, steady and single', () => {
    const row = { case: 'mobilenetV2_1.0_224', op: 'network' as const, gbps: 0.1, roofPct: 5, agrees: true, maxAbsDiff: 2e-7 };
    const r = benchResult('browser', [
      OP_ROW,
      { ...row, engine: 'sepconv-webgpu', firstMs: 2000, medianMs: 500, latencyMs: 520, gflops: 1.2 },
      { ...row, engine: 'tfjs-webgpu', firstMs: 9000, medianMs: 1500, latencyMs: 1600, gflops: 0.4 },
      { ...row, engine: 'ort-webgpu', firstMs: null, medianMs: null, latencyMs: null, gflops: null, gbps: null, roofPct: null, agrees: false, maxAbsDiff: null, error: 'boom' },
    ]);
    expect(() => assertResultSchema(r)).not.toThrow();
    const md = markdownTable(r, ['sepconv-webgpu', 'tfjs-webgpu', 'ort-webgpu']);
    // the op table has only op cases
    expect(md).toContain('| pw_x | pointwise | 2.00 (50%) |  |  | – |');
    expect(md).not.toMatch(/\| mobilenetV2_1.0_224 \| network \|/);
    expect(md).toContain('| network | engine | first run ms | steady ms | single ms | GFLOP/s | time / sepconv-webgpu | max abs diff |');
    expect(md).toContain('| mobilenetV2_1.0_224 | sepconv-webgpu | 2000 | 500.0 | 520.0 | 1.2 | 1.00× | 2.0e-7 |');
    expect(md).toContain('| mobilenetV2_1.0_224 | tfjs-webgpu | 9000 | 1500.0 | 1600.0 | 0.4 | 3.00× | 2.0e-7 |');
    expect(md).toContain('| mobilenetV2_1.0_224 | ort-webgpu | – | error | – | – | – | – |');
    expect(md).toMatch(/Not timed: mobilenetV2_1.0_224\/ort-webgpu \(boom\)/);
    // an engine of the report with no network rows (tfjs-wasm) is named as sitting the networks out
    expect(markdownTable(r, ['sepconv-webgpu', 'tfjs-wasm'])).toContain('Not part of the network cases: tfjs-wasm.');
    expect(md).not.toContain('Not part of the network cases');
  });
});
