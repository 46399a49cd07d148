// The real MediaPipe BlazeFace models (tf2onnx exports of a Keras model: NHWC
// input behind a Transpose, depthwise convs with group, channel padding as
// ConstantOfShape + Concat, residual adds, max pools) translated to the IR.

import { readFileSync } from 'node:fs';
import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import { describe, expect, it } from 'vitest';
import type { Graph, Node, OpKind, Value } from '../../src/model/ir.js';
import { onnxToGraph } from '../../src/model/onnx/index.js';

const DIR = new URL('../../demo/assets/models/blazeface/', import.meta.url);
const read = (file: string) => new Uint8Array(readFileSync(new URL(file, DIR)));
const FRONT = read('face_detection_front_128x128_barracuda.onnx');
const BACK = read('face_detection_back_256x256_barracuda.onnx');

const nodes = <K extends OpKind>(g: Graph, op: K) => g.nodes.filter((n) => n.op === op) as Node<K>[];
const counts = (g: Graph) => {
  const c: Record<string, number> = {};
  for (const n of g.nodes) c[n.op] = (c[n.op] ?? 0) + 1;
  return c;
};
const value = (g: Graph, id: number) => g.values[id] as Value;

/** The ONNX nodes of a file by op type, read with the schema directly (not through the translation). */
function fileOpCounts(bytes: Uint8Array): Record<string, number> {
  const c: Record<string, number> = {};
  for (const n of fromBinary(ModelProtoSchema, bytes).graph?.node ?? []) c[n.opType] = (c[n.opType] ?? 0) + 1;
  return c;
}

describe('BlazeFace front 128×128', () => {
  const { graph, inputs, outputs, opset } = onnxToGraph(FRONT);

  it('declares its NHWC input and four outputs', () => {
    expect(opset).toBe(12);
    expect(inputs).toEqual([{ name: 'input:0', shape: [1, 128, 128, 3], layout: 'NHWC' }]);
    expect(graph.inputs).toEqual([{ value: 0, layout: 'NHWC' }]);
    expect(outputs).toEqual([
      { name: 'Identity:0', shape: [1, 512, 1] },
      { name: 'Identity_1:0', shape: [1, 384, 1] },
      { name: 'Identity_2:0', shape: [1, 512, 16] },
      { name: 'Identity_3:0', shape: [1, 384, 16] },
    ]);
    expect(graph.outputs.map((v) => value(graph, v).name)).toEqual(outputs.map((o) => o.name));
  });

  it('has 37 convs, 3 max pools, and the channel paddings as concats with constant zeros', () => {
    expect(counts(graph)).toEqual({ transpose: 5, conv: 37, activation: 17, binary: 16, concat: 11, pool: 3, reshape: 4 });
    expect(nodes(graph, 'activation').every((n) => n.attrs.act.activation === 'relu')).toBe(true);
    expect(nodes(graph, 'binary').every((n) => n.attrs.kind === 'add')).toBe(true);
    for (const p of nodes(graph, 'pool')) expect(p.attrs).toMatchObject({ kind: 'max', kH: 2, kW: 2, strideH: 2, strideW: 2, layout: 'NCHW' });
    // The 11 ConstantOfShape nodes are gone: each concat pads channels with a constant of zeros.
    const constants = graph.values.filter((v) => v.constant !== undefined);
    expect(constants).toHaveLength(11);
    for (const c of nodes(graph, 'concat')) {
      expect(c.attrs.axis).toBe(1);
      const [data, zeros] = c.inputs.map((v) => value(graph, v)) as [Value, Value];
      expect(data.constant).toBeUndefined();
      expect(zeros.constant?.every((z) => z === 0)).toBe(true);
      expect(zeros.constant).toHaveLength(zeros.shape.reduce((a, b) => a * b, 1));
      const out = value(graph, c.output).shape;
      expect(out).toEqual([1, (data.shape[1] as number) + (zeros.shape[1] as number), data.shape[2], data.shape[3]]);
    }
  });

  it('resolves the convolutions: 5×5/2 stem, depthwise 3×3 with group, stride-2 pads at the end', () => {
    const convs = nodes(graph, 'conv');
    const stem = convs[0] as Node<'conv'>;
    expect(stem.attrs).toMatchObject({ kH: 5, kW: 5, strideH: 2, strideW: 2, groups: 1, outChannels: 24, layout: 'NCHW', pad: { top: 1, left: 1, bottom: 2, right: 2 } });
    expect(value(graph, stem.output).shape).toEqual([1, 24, 64, 64]);
    const depthwise = convs.filter((c) => c.attrs.groups > 1);
    expect(depthwise).toHaveLength(16);
    for (const d of depthwise) {
      const cin = value(graph, d.inputs[0] as number).shape[1];
      expect(d.attrs.groups).toBe(cin);
      expect(d.attrs.outChannels).toBe(cin);
      expect(d.attrs.filter).toHaveLength(9 * (cin as number));
      expect(d.attrs.pad).toEqual(d.attrs.strideH === 2 ? { top: 0, left: 0, bottom: 1, right: 1 } : { top: 1, left: 1, bottom: 1, right: 1 });
    }
    expect(depthwise.filter((d) => d.attrs.strideH === 2)).toHaveLength(3);
  });

  it("keeps the stem's weights, OIHW → HWIO", () => {
    const file = fromBinary(ModelProtoSchema, FRONT).graph;
    const stemNode = file?.node.find((n) => n.opType === 'Conv');
    const w = file?.initializer.find((t) => t.name === stemNode?.input[1]);
    const b = file?.initializer.find((t) => t.name === stemNode?.input[2]);
    expect(w?.dims.map(Number)).toEqual([24, 3, 5, 5]);
    const oihw = new Float32Array(new Uint8Array(w?.rawData ?? []).slice().buffer);
    const stem = nodes(graph, 'conv')[0] as Node<'conv'>;
    for (let o = 0; o < 24; o += 5) {
      for (let i = 0; i < 3; i++) {
        for (let y = 0; y < 5; y += 2) {
          for (let x = 0; x < 5; x++) expect(stem.attrs.filter[((y * 5 + x) * 3 + i) * 24 + o]).toBe(oihw[((o * 3 + i) * 5 + y) * 5 + x]);
        }
      }
    }
    expect(Array.from(stem.attrs.bias ?? [])).toEqual(Array.from(new Float32Array(new Uint8Array(b?.rawData ?? []).slice().buffer)));
  });

  it('ends each head in a transpose to NHWC and a reshape to its output', () => {
    for (const [i, o] of graph.outputs.entries()) {
      const reshape = graph.nodes.find((n) => n.output === o) as Node<'reshape'>;
      expect(reshape.op).toBe('reshape');
      expect(reshape.attrs.shape).toEqual(outputs[i]?.shape);
      const t = graph.nodes.find((n) => n.output === reshape.inputs[0]) as Node<'transpose'>;
      expect(t.op).toBe('transpose');
      expect(t.attrs.perm).toEqual([0, 2, 3, 1]);
    }
  });
});

describe('BlazeFace back 256×256', () => {
  it('translates with one IR conv and pool per ONNX Conv and MaxPool, and the shapes the file declares', () => {
    const { graph, inputs, outputs } = onnxToGraph(BACK);
    const file = fileOpCounts(BACK);
    expect(inputs).toEqual([{ name: 'input:0', shape: [1, 256, 256, 3], layout: 'NHWC' }]);
    const declared = fromBinary(ModelProtoSchema, BACK).graph?.output.map((o) => ({
      name: o.name,
      shape: o.type?.value.case === 'tensorType' ? o.type.value.value.shape?.dim.map((d) => Number(d.value.value)) : null,
    }));
    expect(outputs).toEqual(declared);
    const ir = counts(graph);
    expect(ir.conv).toBe(file.Conv);
    expect(ir.pool).toBe(file.MaxPool);
    expect(ir.concat).toBe(file.Concat);
    expect(file.ConstantOfShape).toBe(file.Concat);
    expect(graph.values.filter((v) => v.constant !== undefined)).toHaveLength(file.ConstantOfShape as number);
  });
});
