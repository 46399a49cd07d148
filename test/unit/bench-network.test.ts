// The benchmark's end-to-end network cases, without a browser: the cases and their
// selection, the arithmetic (FLOPs, minimal bytes), deterministic shared weights; the
// graph IR the TF.js and ONNX Runtime engines run (sepconv's sequential builder and
// passes), run by TF.js CPU and checked against sepconv's CPU backend and against an
// independent TF.js evaluation of the unoptimized graph; the ONNX export of a tiny
// 2-block network (node types, initializers, pads, and its output run by ONNX Runtime's
// CPU wasm backend); the BlazeFace cases (a real photo in, the file's four outputs,
// sepconv CPU against ONNX Runtime and decoded to the one face); the agreement
// tolerances, the harness skipping engines that sit a case out, and the report.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import shapesJson from '../../bench/shapes.json';
import networksJson from '../../bench/networks.json';
import { BLAZEFACE_FRONT, createEngine, decodeBlazeFace, iou, removeLetterbox, letterbox, sequential, type Engine, type LayerSpec } from '../../src/index.js';
import type { Graph, OpAttrs } from '../../src/model/ir.js';
import { sequentialGraph } from '../../src/model/sequential.js';
import { seededUniform } from '../../src/random.js';
import { buildOnnxModel, buildOnnxNetwork } from '../../bench/engines/onnx-model.js';
import { createSepconvEngine } from '../../bench/engines/sepconv.js';
import { tfjsNetwork } from '../../bench/engines/tfjs-network.js';
import { nhwcToNchw } from '../../bench/lib/layout.js';
import { isOnnxCase, joinSuites, parseSuite, QUICK_IDS, QUICK_NETWORK_IDS, selectCases } from '../../bench/lib/cases.js';
import { runCases } from '../../bench/lib/harness.js';
import { loadCase, networkCase, networkGraph } from '../../bench/lib/networks.js';
import { agreement, assertResultSchema, caseTolerance, markdownTable, NETWORK_TOLERANCE, ONNX_FILE_TOLERANCE } from '../../bench/lib/report.js';
import type { BenchCase, BenchEngine } from '../../bench/lib/types.js';
import { evaluateGraph } from '../support/graph-tfjs.js';
import { benchResult, OP_ROW } from '../support/bench-result.js';

type Ort = typeof import('onnxruntime-web');

const networks = parseSuite(networksJson);
const all = joinSuites(parseSuite(shapesJson), networks);
const byId = (id: string) => all.find((c) => c.id === id) as BenchCase;

let cpu: Engine;
let ort: Ort;
beforeAll(async () => {
  cpu = await createEngine({ backend: 'cpu' });
  await tf.setBackend('cpu');
  ort = (await import('onnxruntime-web')) as Ort;
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
});
afterAll(() => cpu?.destroy());

/** Runs ONNX bytes in ONNX Runtime (wasm, one thread) on one input; the outputs in the model's order. */
async function runOrt(bytes: Uint8Array, x: Float32Array, dims: readonly number[]): Promise<{ data: Float32Array; dims: readonly number[] }[]> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const out = await session.run({ [session.inputNames[0] as string]: new ort.Tensor('float32', x, dims) });
  const outputs = session.outputNames.map((n) => ({ data: out[n]!.data as Float32Array, dims: out[n]!.dims }));
  await session.release();
  return outputs;
}

describe('network cases', () => {
  test('networks.json: MobileNetV2-1.0 and MobileNetV1-1.0 at 224, BlazeFace front 128 and back 256; --quick and --filter select them', () => {
    expect(networks.map((c) => c.id)).toEqual(['mobilenetV2_1.0_224', 'mobilenetV1_1.0_224', 'blazeface_front_128', 'blazeface_back_256']);
    const mobilenets = networks.filter((c) => !isOnnxCase(c));
    expect(mobilenets.map((c) => c.network)).toEqual(['mobilenetV2', 'mobilenetV1']);
    expect(mobilenets.every((c) => c.op === 'network' && c.input.join() === '1,224,224,3' && c.alpha === 1)).toBe(true);
    expect(networks.filter(isOnnxCase).map((c) => [c.network, c.input.join()])).toEqual([
      ['blazefaceFront', '1,128,128,3'],
      ['blazefaceBack', '1,256,256,3'],
    ]);
    const quick = selectCases(all, { quick: true }).map((c) => c.id);
    expect(quick.sort()).toEqual([...QUICK_IDS, ...QUICK_NETWORK_IDS].sort());
    expect(QUICK_NETWORK_IDS.every((id) => networks.some((c) => c.id === id))).toBe(true);
    expect(selectCases(all, { filter: 'mobilenet' }).map((c) => c.id)).toEqual(['mobilenetV2_1.0_224', 'mobilenetV1_1.0_224']);
    expect(selectCases(all, { filter: 'V1' }).map((c) => c.id)).toEqual(['mobilenetV1_1.0_224']);
    expect(selectCases(all, { filter: 'blazeface' }).map((c) => c.id)).toEqual(['blazeface_front_128', 'blazeface_back_256']);
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

  test("MobileNetV2: weights deterministic and shared; the graph TF.js and ONNX Runtime run has every batch norm, activation and residual add fused", async () => {
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
    const g = networkGraph(a.data.layers!, a.data.weights!, [224, 224, 3]);
    // 52 convolutions (stem, 17 blocks: the first without expansion, Conv_1), then the head; nothing else left.
    const ops = g.nodes.map((n) => n.op);
    expect(ops.filter((o) => o === 'conv')).toHaveLength(52);
    expect(ops.slice(52)).toEqual(['globalAveragePool', 'dense', 'reshape', 'softmax']);
    const convs = g.nodes.filter((n) => n.op === 'conv').map((n) => n.attrs as OpAttrs['conv']);
    expect(convs.filter((x) => x.groups > 1 && x.groups === x.outChannels)).toHaveLength(17);
    expect(convs.filter((x) => x.residual !== null)).toHaveLength(10);
    expect(g.values[g.outputs[0]!]!.shape).toEqual([-1, 1000]);
    const weights = (n: Graph['nodes'][number]) => Object.values(n.attrs).filter((v): v is Float32Array => v instanceof Float32Array);
    expect(g.nodes.flatMap(weights).reduce((s, w) => s + w.length, 0)).toBe(3_487_816);
    // The arrays are the model's own: a sepconv model built from them gives the same weights back.
    const m = sequential(a.data.layers!, { engine: cpu, inputShape: [224, 224, 3], weights: a.data.weights! });
    expect(m.params().folded).toBe(3_487_816);
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
  /** The graph the engines run (after sepconv's passes), and the one the sequential builder makes (before them). */
  const graph = () => networkGraph(tiny, weights, tinyInput);
  const unoptimized = () => sequentialGraph(tiny, { inputShape: tinyInput, weights }).graph;
  beforeAll(async () => {
    const m = sequential(tiny, { engine: cpu, inputShape: tinyInput, seed: 3 });
    weights = m.weights();
    ref = await m.predict(cpu.tensor(x, [1, ...tinyInput])).read();
    m.dispose();
  });

  test('the reference (sepconv CPU) agrees with an independent TF.js evaluation of the graph before the passes', () => {
    const g = unoptimized();
    // The same softmax: the oracle takes its axis as a non-negative index, the builder writes -1 (the last).
    for (const n of g.nodes) if (n.op === 'softmax') (n.attrs as OpAttrs['softmax']).axis = 1;
    const [y] = evaluateGraph(g, [{ data: x, shape: [1, ...tinyInput] }]);
    expect(agreement(y!, ref, NETWORK_TOLERANCE).agrees).toBe(true);
  });

  test('the graph the engines run: batch norm folded, the activations and the residual add fused', () => {
    const g = graph();
    expect(g.nodes.map((n) => n.op)).toEqual(['conv', 'conv', 'conv', 'conv', 'conv', 'conv', 'globalAveragePool', 'dense', 'reshape', 'softmax']);
    const convs = g.nodes.filter((n) => n.op === 'conv').map((n) => n.attrs as OpAttrs['conv']);
    expect(convs.map((a) => a.act.activation)).toEqual(['relu6', 'relu6', 'relu6', 'relu6', 'relu6', 'linear']);
    expect(convs.map((a) => a.residual !== null)).toEqual([false, false, false, false, false, true]);
    expect(convs.map((a) => a.groups)).toEqual([1, 8, 1, 1, 32, 1]);
    expect(convs.every((a) => a.bias !== null)).toBe(true);
  });

  test.each([
    ['after the passes', graph],
    ['before them (scale-shift, activation and add nodes)', unoptimized],
  ])('run by TF.js (CPU), the graph %s agrees with sepconv CPU', async (_, make) => {
    const net = tfjsNetwork(make());
    const y = net.forward(tf.tensor4d(x, [1, ...tinyInput]));
    expect(y.shape).toEqual([1, 10]);
    const got = (await y.data()) as Float32Array;
    y.dispose();
    net.dispose();
    expect(agreement(got, ref, NETWORK_TOLERANCE).agrees).toBe(true);
  });

  test('the check catches a wrong padding: the stem padded before instead of after disagrees', async () => {
    const g = graph();
    const stem = g.nodes[0]!.attrs as OpAttrs['conv'];
    expect(stem.pad).toEqual({ top: 0, bottom: 1, left: 0, right: 1 });
    stem.pad = { top: 1, bottom: 0, left: 1, right: 0 };
    const net = tfjsNetwork(g);
    const y = net.forward(tf.tensor4d(x, [1, ...tinyInput]));
    const got = (await y.data()) as Float32Array;
    y.dispose();
    net.dispose();
    expect(agreement(got, ref, NETWORK_TOLERANCE).agrees).toBe(false);
  });

  test('the ONNX export: node types, initializers, pads, dims', () => {
    const m = buildOnnxNetwork(graph(), 1, 'tiny');
    expect(m.inputDims).toEqual([1, 3, 10, 10]);
    expect(m.outputDims).toEqual([1, 10]);
    expect(m.nchw).toBe(true);
    const top = decode(m.bytes);
    expect(top.get(1)).toEqual([8]); // ir_version
    const opset = decode(top.get(8)![0] as Uint8Array);
    expect(opset.get(2)).toEqual([17]);
    const g = decode(top.get(7)![0] as Uint8Array);
    const nodes = (g.get(1) ?? []).map((n) => decode(n as Uint8Array));
    expect(nodes.map((n) => text(n.get(4)![0]))).toEqual([
      'Conv', 'Clip', // stem
      'Conv', 'Clip', 'Conv', 'Clip', // V1 block
      'Conv', 'Clip', 'Conv', 'Clip', 'Conv', 'Add', // inverted residual
      'GlobalAveragePool', 'Conv', 'Reshape', 'Softmax', // head
    ]);
    // 7 Convs with weight and folded bias each, Clip's shared min and max, the Reshape's shape.
    const inits = (g.get(5) ?? []).map((t) => decode(t as Uint8Array));
    expect(inits).toHaveLength(2 * 7 + 2 + 1);
    expect(inits.map((t) => text(t.get(8)![0])).filter((n) => n.startsWith('c_'))).toEqual(['c_0', 'c_6']);
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
    // Add reads the projection and the block's input (the V1 block's output).
    expect(nodes[11]!.get(1)!.map(text)).toEqual([text(nodes[10]!.get(2)![0]), text(nodes[5]!.get(2)![0])]);
    // Softmax over the classes (axis 1 of [N, 10])
    expect(ints(attrs(nodes[15]!).get('axis')!, 3)).toEqual([1]);
    expect(dimsOf(g.get(11)![0] as Uint8Array)).toEqual([1, 3, 10, 10]);
    expect(dimsOf(g.get(12)![0] as Uint8Array)).toEqual([1, 10]);
  });

  test('ONNX Runtime (CPU, wasm) runs the export of the case and agrees with sepconv CPU', async () => {
    const c: BenchCase = { id: 'tiny', op: 'network', network: 'mobilenetV2', input: [1, ...tinyInput] };
    const m = buildOnnxModel(c, { x, layers: tiny, weights, outShape: [1, 1, 1, 10] });
    const [y] = await runOrt(m.bytes, nhwcToNchw(x, [1, 10, 10, 3]), m.inputDims);
    expect(y!.dims).toEqual([1, 10]);
    expect(agreement(y!.data, ref, NETWORK_TOLERANCE)).toMatchObject({ agrees: true });
  });

  test('the export of the graph before the passes (Mul and Add for batch norm, activation and Add nodes) agrees too', async () => {
    const m = buildOnnxNetwork(unoptimized(), 1, 'tiny_unoptimized');
    const [y] = await runOrt(m.bytes, nhwcToNchw(x, [1, 10, 10, 3]), m.inputDims);
    expect(agreement(y!.data, ref, NETWORK_TOLERANCE)).toMatchObject({ agrees: true });
  });
});

describe('the BlazeFace cases', () => {
  test('front 128: the photo letterboxed in, the four outputs of the file out; sepconv CPU agrees with ONNX Runtime and finds the face', async () => {
    const c = byId('blazeface_front_128');
    const { data, flops, bytes } = await loadCase(c);
    // The 256×192 photo fits 128×96: bands of 16 rows at the top and bottom are black (-1).
    expect(data.x.length).toBe(128 * 128 * 3);
    expect(data.x.every((v) => v >= -1 && v <= 1)).toBe(true);
    expect(data.x.subarray(0, 16 * 128 * 3).every((v) => v === -1)).toBe(true);
    expect(new Set(data.x.subarray(64 * 128 * 3, 65 * 128 * 3)).size).toBeGreaterThan(50);
    expect(data.outShape).toEqual([1, 1, 1, 896 * 17]);
    expect(flops).toBeGreaterThan(30e6);
    expect(bytes).toBeGreaterThan(4 * (128 * 128 * 3 + 100_000 + 896 * 17));
    expect(caseTolerance(c)).toBe(ONNX_FILE_TOLERANCE);

    const engine = createSepconvEngine('cpu');
    await engine.init();
    const prepared = await engine.prepare(c, data);
    const ours = await prepared.run(2); // two forward passes: the first one's outputs are freed unread
    await prepared.dispose();
    engine.destroy();

    // ONNX Runtime on the same bytes and input, its outputs concatenated in the file's order.
    const outputs = await runOrt(data.onnx!, data.x, c.input);
    expect(outputs.map((o) => o.dims)).toEqual([[1, 512, 1], [1, 384, 1], [1, 512, 16], [1, 384, 16]]);
    const want = Float32Array.from(outputs.flatMap((o) => [...o.data]));
    expect(agreement(ours, want, ONNX_FILE_TOLERANCE)).toMatchObject({ agrees: true });

    // Decoded, sepconv's outputs find the one face of the photo (box labelled by hand in
    // test/unit/blazeface-onnxruntime.test.ts): the input is the photo, the outputs in order.
    const at = [0, 512, 896, 896 + 512 * 16, 896 * 17];
    const part = (i: number) => ours.subarray(at[i], at[i + 1]);
    const faces = removeLetterbox(decodeBlazeFace({ scores: [part(0), part(1)], regressors: [part(2), part(3)] }, BLAZEFACE_FRONT), letterbox(256, 192, 128, 128));
    expect(faces).toHaveLength(1);
    expect(iou(faces[0]!.box, { x: 91, y: 40, width: 43, height: 48 })).toBeGreaterThanOrEqual(0.5);
  });

  test('TF.js (WebGPU and wasm) sits the BlazeFace cases out and runs the MobileNets; ONNX Runtime wasm takes part in BlazeFace only', async () => {
    const { createTfjsEngine } = await import('../../bench/engines/tfjs.js');
    const { createOrtEngine } = await import('../../bench/engines/ort.js');
    const [front, v2, op] = [byId('blazeface_front_128'), byId('mobilenetV2_1.0_224'), byId('pw_56x56_24to144')];
    const takes = (e: BenchEngine) => [front, v2, op].map((c) => e.supports?.(c) ?? true);
    expect(takes(createTfjsEngine('webgpu'))).toEqual([false, true, true]);
    expect(takes(createTfjsEngine('wasm'))).toEqual([false, true, true]);
    expect(takes(createOrtEngine('webgpu'))).toEqual([true, true, true]);
    expect(takes(createOrtEngine('wasm'))).toEqual([true, false, false]);
  });
});

describe('agreement, harness and report for networks', () => {
  test('MobileNets are checked relative to each probability, BlazeFace with the issue\'s tolerance', () => {
    expect(caseTolerance(byId('mobilenetV1_1.0_224'))).toBe(NETWORK_TOLERANCE);
    expect(caseTolerance(byId('blazeface_back_256'))).toEqual({ abs: 1e-4, rel: 1e-3 });
    expect(caseTolerance(byId('pw_56x56_24to144'))).toEqual({ abs: 1e-3, rel: 1e-3 });
    const ref = Float32Array.from([0.5, 0.009, 1e-6]);
    expect(agreement(Float32Array.from([0.5004, 0.009008, 1e-6 + 5e-7]), ref, NETWORK_TOLERANCE).agrees).toBe(true);
    // a 5% error of one class: inside the op tolerance, not the network one
    const off = Float32Array.from([0.5, 0.00945, 1e-6]);
    expect(agreement(off, ref).agrees).toBe(true);
    expect(agreement(off, ref, NETWORK_TOLERANCE).agrees).toBe(false);
    // raw BlazeFace outputs: a regressor of 60 may be off by 0.06, a score logit near 0 by 1e-4
    const raw = Float32Array.from([60, 0, -3]);
    expect(agreement(Float32Array.from([60.06, 9e-5, -3.003]), raw, ONNX_FILE_TOLERANCE).agrees).toBe(true);
    expect(agreement(Float32Array.from([60, 2e-4, -3]), raw, ONNX_FILE_TOLERANCE).agrees).toBe(false);
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
    expect(rows[0]).not.toHaveProperty('network');
  });

  test('the report: schema accepts network rows; a network table with first run, steady and single', () => {
    const row = { case: 'mobilenetV2_1.0_224', op: 'network' as const, network: 'mobilenetV2' as const, gbps: 0.1, roofPct: 5, agrees: true, maxAbsDiff: 2e-7 };
    const r = benchResult('browser', [
      OP_ROW,
      { ...row, engine: 'sepconv-webgpu', firstMs: 2000, medianMs: 500, latencyMs: 520, gflops: 1.2 },
      { ...row, engine: 'tfjs-webgpu', firstMs: 9000, medianMs: 1500, latencyMs: 1600, gflops: 0.4 },
      { ...row, engine: 'ort-webgpu', firstMs: null, medianMs: null, latencyMs: null, gflops: null, gbps: null, roofPct: null, agrees: false, maxAbsDiff: null, error: 'boom' },
    ]);
    expect(() => assertResultSchema(r)).not.toThrow();
    expect(() => assertResultSchema({ ...r, rows: [{ ...OP_ROW, network: 'mobilenetV2' }] })).toThrow(/rows\[0\]\.network/);
    const md = markdownTable(r, ['sepconv-webgpu', 'tfjs-webgpu', 'ort-webgpu']);
    // the op table has only op cases, and a column only for engines with op rows
    expect(md).toContain('| pw_x | pointwise | 2.00 (50%) |\n');
    expect(md).toContain('Not part of the op cases: tfjs-webgpu, ort-webgpu.');
    expect(md).not.toMatch(/\| mobilenetV2_1.0_224 \| network \|/);
    expect(md).toContain('| network | engine | first run ms | steady ms | single ms | GFLOP/s | time / sepconv-webgpu | max abs diff |');
    expect(md).toContain('| mobilenetV2_1.0_224 | sepconv-webgpu | 2000 | 500.0 | 520.0 | 1.2 | 1.00× | 2.0e-7 |');
    expect(md).toContain('| mobilenetV2_1.0_224 | tfjs-webgpu | 9000 | 1500.0 | 1600.0 | 0.4 | 3.00× | 2.0e-7 |');
    expect(md).toContain('| mobilenetV2_1.0_224 | ort-webgpu | – | error | – | – | – | – |');
    expect(md).toMatch(/Not timed: mobilenetV2_1.0_224\/ort-webgpu \(boom\)/);
    expect(md).toMatch(/MobileNets \(mobilenet\*\): built by sepconv's sequential\(\)/);
    expect(md).not.toMatch(/BlazeFace|Targets/);
    // an engine of the report with no network rows (tfjs-wasm) is named as sitting the networks out
    expect(markdownTable(r, ['sepconv-webgpu', 'tfjs-wasm'])).toContain('Not part of the network cases: tfjs-wasm.');
    expect(md).not.toContain('Not part of the network cases');
  });

  test('the report on BlazeFace rows: what they are, and the targets met or not', () => {
    const row = (c: string, engine: BenchEngine['name'], firstMs: number, medianMs: number) => ({
      case: c, op: 'network' as const, network: c.includes('front') ? ('blazefaceFront' as const) : ('blazefaceBack' as const), engine,
      firstMs, medianMs, latencyMs: medianMs, gflops: 1, gbps: 1, roofPct: null, agrees: true, maxAbsDiff: 1e-5,
    });
    const r = benchResult('browser', [
      row('blazeface_front_128', 'sepconv-webgpu', 800, 2),
      row('blazeface_front_128', 'ort-webgpu', 900, 12),
      row('blazeface_front_128', 'ort-wasm', 300, 20),
      row('blazeface_back_256', 'sepconv-webgpu', 1500, 10),
      row('blazeface_back_256', 'ort-webgpu', 2000, 30),
    ]);
    expect(() => assertResultSchema(r)).not.toThrow();
    const md = markdownTable(r, ['sepconv-webgpu', 'tfjs-webgpu', 'ort-webgpu', 'ort-wasm', 'sepconv-cpu']);
    expect(md).toContain('| blazeface_front_128 | ort-wasm | 300 | 20.0 | 20.0 | 1.0 | 10.00× | 1.0e-5 |');
    expect(md).toMatch(/BlazeFace \(blazeface_\*\): MediaPipe BlazeFace, pretrained, from its ONNX files .* wasm execution provider, one thread.* astronaut photo .* 1e-4 \+ 1e-3·\|ref\|/);
    expect(md).not.toMatch(/MobileNets/);
    expect(md).toContain(
      'Targets (issue 13: sepconv-webgpu steady ≥ 5× ort-webgpu on this adapter, first run ≤ 1 s): ' +
        'blazeface_front_128: 6.00× ort-webgpu steady (met), first run 800 ms (met); blazeface_back_256: 3.00× ort-webgpu steady (not met), first run 1500 ms (not met).',
    );
    expect(md).toContain('Not part of the network cases: tfjs-webgpu, sepconv-cpu.');
  });
});
