// ONNX → IR translation, op family by op family: a tiny model per case, built
// with the protobuf schema the loader decodes, and the IR nodes and attributes
// it must become. CPU only, no engine.

import { describe, expect, it } from 'vitest';
import type { Graph, Node, OpAttrs, OpKind, Value } from '../../src/model/ir.js';
import { onnxToGraph, SUPPORTED_ONNX_OPS } from '../../src/model/onnx/index.js';
import { DataType, ints64, node, onnxModel, tensor, value, type ModelSpec } from '../support/onnx-model.js';

const FLT_MAX = 3.4028234663852886e38;

/** 0, 1, 2, … scaled: distinct values, so a misplaced weight shows. */
const ramp = (n: number, scale = 0.01) => Array.from({ length: n }, (_, i) => (i - n / 3) * scale);

function translate(spec: ModelSpec) {
  return onnxToGraph(onnxModel(spec));
}

/** The nodes of the graph, minus nothing: every IR node the translation made. */
const ops = (g: Graph) => g.nodes.map((n) => n.op);

function only<K extends OpKind>(g: Graph, op: K): Node<K> {
  const found = g.nodes.filter((n) => n.op === op);
  expect(found, `exactly one ${op} node in [${ops(g).join(', ')}]`).toHaveLength(1);
  return found[0] as Node<K>;
}

const valueOf = (g: Graph, id: number) => g.values[id] as Value;
const outShape = (g: Graph) => valueOf(g, g.outputs[0] as number).shape;

/** A one-node model reading x (NCHW [1, c, h, w]) with initializers. */
function single(opType: string, attrs: Parameters<typeof node>[3], extra: { inputs?: string[]; initializers?: ModelSpec['initializers']; shape?: (number | string)[]; opset?: number } = {}) {
  return translate({
    inputs: [value('x', extra.shape ?? [1, 3, 8, 8])],
    outputs: [value('y', null)],
    nodes: [node(opType, ['x', ...(extra.inputs ?? [])], ['y'], attrs, 'n')],
    initializers: extra.initializers,
    opset: extra.opset,
  });
}

describe('Conv', () => {
  it('turns OIHW weights into an HWIO filter, keeps the bias, and reads pads in ONNX order', () => {
    const [o, c, kh, kw] = [4, 3, 3, 2];
    const w = ramp(o * c * kh * kw);
    const b = [0.5, -1, 2, 3];
    const { graph, inputs } = single('Conv', { strides: { ints: [2, 1] }, pads: { ints: [1, 0, 2, 1] } }, { inputs: ['W', 'B'], initializers: [tensor('W', [o, c, kh, kw], w), tensor('B', [o], b)] });
    expect(inputs).toEqual([{ name: 'x', shape: [1, 3, 8, 8], layout: 'NCHW' }]);
    const n = only(graph, 'conv');
    expect(n.name).toBe('n');
    expect(n.attrs).toMatchObject({ layout: 'NCHW', kH: 3, kW: 2, strideH: 2, strideW: 1, dilationH: 1, dilationW: 1, groups: 1, outChannels: 4, residual: null });
    expect(n.attrs.act.activation).toBe('linear');
    // pads [x1_begin, x2_begin, x1_end, x2_end] = [top, left, bottom, right]
    expect(n.attrs.pad).toEqual({ top: 1, left: 0, bottom: 2, right: 1 });
    expect(Array.from(n.attrs.bias as Float32Array)).toEqual(b);
    for (let oo = 0; oo < o; oo++) {
      for (let ci = 0; ci < c; ci++) {
        for (let y = 0; y < kh; y++) {
          for (let x = 0; x < kw; x++) {
            expect(n.attrs.filter[((y * kw + x) * c + ci) * o + oo]).toBeCloseTo(w[((oo * c + ci) * kh + y) * kw + x] as number, 6);
          }
        }
      }
    }
    // (8 + 1 + 2 - 3) / 2 + 1 = 5 rows, (8 + 0 + 1 - 2) / 1 + 1 = 8 columns
    expect(outShape(graph)).toEqual([1, 4, 5, 8]);
  });

  it.each([
    // input 8, kernel 3, stride 2: output 4, total padding (4 − 1)·2 + 3 − 8 = 1
    ['SAME_UPPER', 1, { top: 0, bottom: 1, left: 0, right: 1 }, [1, 2, 4, 4]],
    ['SAME_LOWER', 1, { top: 1, bottom: 0, left: 1, right: 0 }, [1, 2, 4, 4]],
    ['VALID', 1, { top: 0, bottom: 0, left: 0, right: 0 }, [1, 2, 3, 3]],
    // dilation 2: effective kernel 5, total (4 − 1)·2 + 5 − 8 = 3
    ['SAME_UPPER', 2, { top: 1, bottom: 2, left: 1, right: 2 }, [1, 2, 4, 4]],
  ])('resolves auto_pad %s (dilation %d) to explicit pads', (autoPad, d, pad, shape) => {
    const { graph } = single(
      'Conv',
      { auto_pad: { s: autoPad }, strides: { ints: [2, 2] }, dilations: { ints: [d, d] }, kernel_shape: { ints: [3, 3] }, pads: { ints: [9, 9, 9, 9] } },
      { inputs: ['W'], initializers: [tensor('W', [2, 3, 3, 3], ramp(54))] },
    );
    const n = only(graph, 'conv');
    expect(n.attrs.pad).toEqual(pad);
    expect([n.attrs.dilationH, n.attrs.dilationW]).toEqual([d, d]);
    expect(outShape(graph)).toEqual(shape);
  });

  it('keeps group: a depthwise conv with multiplier 2 has filter [kh, kw, 1, C·2]', () => {
    const w = ramp(6 * 9);
    const { graph } = single('Conv', { group: { i: 3 }, pads: { ints: [1, 1, 1, 1] } }, { inputs: ['W'], initializers: [tensor('W', [6, 1, 3, 3], w)] });
    const n = only(graph, 'conv');
    expect(n.attrs).toMatchObject({ groups: 3, outChannels: 6, bias: null });
    expect(n.attrs.filter).toHaveLength(54);
    // HWIO [3, 3, 1, 6]: tap (y, x) of output channel o is W[o, 0, y, x].
    expect(n.attrs.filter[(2 * 3 + 1) * 6 + 4]).toBeCloseTo(w[4 * 9 + 2 * 3 + 1] as number, 6);
    expect(outShape(graph)).toEqual([1, 6, 8, 8]);
  });
});

describe('pools', () => {
  it('MaxPool and AveragePool become pool nodes with their window', () => {
    const max = only(single('MaxPool', { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } }).graph, 'pool');
    expect(max.attrs).toMatchObject({ kind: 'max', layout: 'NCHW', kH: 2, kW: 2, strideH: 2, strideW: 2, countIncludePad: false });
    const avg = single('AveragePool', { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] }, count_include_pad: { i: 1 } });
    expect(only(avg.graph, 'pool').attrs).toMatchObject({ kind: 'avg', countIncludePad: true, pad: { top: 1, left: 1, bottom: 1, right: 1 } });
    expect(outShape(avg.graph)).toEqual([1, 3, 8, 8]);
  });

  it('ceil_mode rounds the output up by padding the end', () => {
    // 8 wide, kernel 3, stride 2: floor gives 3, ceil 4 (the last window starts at 6 < 8)
    const floor = single('MaxPool', { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] } });
    const ceil = single('MaxPool', { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, ceil_mode: { i: 1 } });
    expect(outShape(floor.graph)).toEqual([1, 3, 3, 3]);
    expect(outShape(ceil.graph)).toEqual([1, 3, 4, 4]);
    expect(only(ceil.graph, 'pool').attrs.pad).toEqual({ top: 0, left: 0, bottom: 1, right: 1 });
  });

  it('GlobalAveragePool keeps [N, C, 1, 1]', () => {
    const { graph } = single('GlobalAveragePool', {});
    expect(only(graph, 'globalAveragePool').attrs).toEqual({ layout: 'NCHW' });
    expect(outShape(graph)).toEqual([1, 3, 1, 1]);
  });
});

describe('elementwise', () => {
  it('BatchNormalization becomes scale = gamma/√(var+ε), shift = beta − mean·scale on axis 1', () => {
    const [gamma, beta, mean, variance] = [[1, 2, 0.5], [0, 1, -1], [0.1, -0.2, 3], [1, 0.25, 4]];
    const { graph } = single('BatchNormalization', { epsilon: { f: 0.01 } }, {
      inputs: ['g', 'b', 'm', 'v'],
      initializers: [tensor('g', [3], gamma), tensor('b', [3], beta), tensor('m', [3], mean), tensor('v', [3], variance)],
    });
    const n = only(graph, 'scaleShift');
    expect(n.attrs.axis).toBe(1);
    for (let c = 0; c < 3; c++) {
      const s = (gamma[c] as number) / Math.sqrt((variance[c] as number) + 0.01);
      expect(n.attrs.scale[c]).toBeCloseTo(s, 6);
      expect(n.attrs.shift[c]).toBeCloseTo((beta[c] as number) - (mean[c] as number) * s, 6);
    }
  });

  it.each([
    ['Relu', {}, { activation: 'relu', alpha: 0, beta: 0 }],
    ['LeakyRelu', {}, { activation: 'leakyRelu', alpha: 0.01, beta: 0 }],
    ['LeakyRelu', { alpha: { f: 0.25 } }, { activation: 'leakyRelu', alpha: 0.25, beta: 0 }],
    ['Sigmoid', {}, { activation: 'sigmoid', alpha: 0, beta: 0 }],
    ['HardSigmoid', {}, { activation: 'hardSigmoid', alpha: 0.2, beta: 0.5 }],
    ['HardSigmoid', { alpha: { f: 0.125 }, beta: { f: 0.25 } }, { activation: 'hardSigmoid', alpha: 0.125, beta: 0.25 }],
    ['HardSwish', {}, { activation: 'hardSwish', alpha: 0, beta: 0 }],
    ['Tanh', {}, { activation: 'tanh', alpha: 0, beta: 0 }],
    ['Elu', {}, { activation: 'elu', alpha: 1, beta: 0 }],
    ['Elu', { alpha: { f: 0.5 } }, { activation: 'elu', alpha: 0.5, beta: 0 }],
  ] as const)('%s %j → activation %j', (opType, attrs, spec) => {
    const { graph } = single(opType, attrs as Parameters<typeof node>[3], { opset: 14 });
    const n = only(graph, 'activation');
    expect(n.attrs.act.activation).toBe(spec.activation);
    expect(n.attrs.act.alpha).toBeCloseTo(spec.alpha, 6);
    expect(n.attrs.act.beta).toBeCloseTo(spec.beta, 6);
  });

  describe('Clip', () => {
    const scalar = (name: string, v: number) => tensor(name, [], [v]);
    it.each([
      ['attributes (opset 6–10): [0, 6] is relu6', 10, { min: { f: 0 }, max: { f: 6 } }, [], [], { activation: 'relu6', alpha: 0, beta: 0 }],
      ['attributes: min only is clip up to FLT_MAX', 10, { min: { f: -2 } }, [], [], { activation: 'clip', alpha: -2, beta: FLT_MAX }],
      ['inputs (opset ≥ 11): [0, 6] is relu6', 13, {}, ['lo', 'hi'], [scalar('lo', 0), scalar('hi', 6)], { activation: 'relu6', alpha: 0, beta: 0 }],
      ['inputs: min 0 without max is relu', 11, {}, ['lo'], [scalar('lo', 0)], { activation: 'relu', alpha: 0, beta: 0 }],
      ['inputs: [-1, 1] is clip', 12, {}, ['lo', 'hi'], [scalar('lo', -1), scalar('hi', 1)], { activation: 'clip', alpha: -1, beta: 1 }],
      ['inputs: max only (min skipped as "")', 13, {}, ['', 'hi'], [scalar('hi', 3)], { activation: 'clip', alpha: -FLT_MAX, beta: 3 }],
      ['inputs: min > max gives max everywhere', 13, {}, ['lo', 'hi'], [scalar('lo', 2), scalar('hi', 1)], { activation: 'clip', alpha: 1, beta: 1 }],
    ] as const)('%s', (_, opset, attrs, inputs, initializers, spec) => {
      const { graph } = single('Clip', attrs as Parameters<typeof node>[3], { opset, inputs: [...inputs], initializers: [...initializers] });
      const a = only(graph, 'activation').attrs.act;
      expect(a.activation).toBe(spec.activation);
      expect(a.alpha).toBeCloseTo(spec.alpha, 6);
      expect(a.beta).toBeCloseTo(spec.beta, 6);
    });
  });

  it('squeeze-excite: x [N, C, H, W] · sigmoid(gap(x)) [N, C, 1, 1] broadcasts to x', () => {
    const { graph } = translate({
      inputs: [value('x', ['N', 8, 4, 4])],
      outputs: [value('y', ['N', 8, 4, 4])],
      nodes: [node('GlobalAveragePool', ['x'], ['g']), node('Sigmoid', ['g'], ['s']), node('Mul', ['x', 's'], ['y'], {}, 'scale')],
    });
    const mul = only(graph, 'binary');
    expect(mul.attrs.kind).toBe('mul');
    expect(mul.inputs.map((v) => valueOf(graph, v).shape)).toEqual([[-1, 8, 4, 4], [-1, 8, 1, 1]]);
    expect(outShape(graph)).toEqual([-1, 8, 4, 4]);
  });

  it('a constant operand becomes a constant value, in operand order (Sub, Div)', () => {
    const k = [1, 2, 3];
    for (const [opType, kind] of [['Sub', 'sub'], ['Div', 'div'], ['Add', 'add']] as const) {
      const { graph } = translate({
        inputs: [value('x', [1, 3, 2, 2])],
        outputs: [value('y', null)],
        nodes: [node(opType, ['k', 'x'], ['y'])],
        initializers: [tensor('k', [3, 1, 1], k)],
      });
      const n = only(graph, 'binary');
      expect(n.attrs.kind).toBe(kind);
      const [a, b] = n.inputs.map((v) => valueOf(graph, v));
      expect(a?.name).toBe('k');
      expect(a?.shape).toEqual([3, 1, 1]);
      expect(Array.from(a?.constant ?? [])).toEqual(k);
      expect(b?.name).toBe('x');
      expect(outShape(graph)).toEqual([1, 3, 2, 2]);
    }
  });
});

describe('shapes evaluated at load time', () => {
  /** x.reshape(x.shape[0], -1) as PyTorch exports it: Shape → Gather → Unsqueeze → Concat → Reshape. */
  function flattenBySize(batch: number | string, opset: number) {
    const unsqueeze = opset >= 13 ? node('Unsqueeze', ['n', 'axes0'], ['n1']) : node('Unsqueeze', ['n'], ['n1'], { axes: { ints: [0] } });
    return translate({
      inputs: [value('x', [batch, 3, 4, 4])],
      outputs: [value('y', null)],
      nodes: [
        node('Shape', ['x'], ['s']),
        node('Gather', ['s', 'zero'], ['n'], { axis: { i: 0 } }),
        unsqueeze,
        node('Concat', ['n1', 'minus1'], ['shape'], { axis: { i: 0 } }),
        node('Reshape', ['x', 'shape'], ['y'], {}, 'flatten'),
      ],
      initializers: [ints64('zero', [0], []), ints64('axes0', [0]), ints64('minus1', [-1])],
      opset,
    });
  }

  it.each([11, 13])('Shape/Gather/Unsqueeze/Concat fold into the reshape target (opset %d)', (opset) => {
    const { graph } = flattenBySize(2, opset);
    expect(ops(graph)).toEqual(['reshape']);
    expect(only(graph, 'reshape').attrs.shape).toEqual([2, 48]);
    expect(graph.values.filter((v) => v.constant !== undefined)).toEqual([]);
  });

  it('a dynamic batch flows through Shape as the batch: reshape [-1, 48]', () => {
    const { graph, inputs, outputs } = flattenBySize('batch', 13);
    expect(inputs[0]?.shape).toEqual([-1, 3, 4, 4]);
    expect(only(graph, 'reshape').attrs.shape).toEqual([-1, 48]);
    expect(outputs).toEqual([{ name: 'y', shape: [-1, 48] }]);
  });

  it('ConstantOfShape + Concat (TF channel padding) is a concat with a constant of zeros', () => {
    const { graph } = translate({
      inputs: [value('x', [1, 4, 8, 8])],
      outputs: [value('y', [1, 6, 8, 8])],
      nodes: [node('ConstantOfShape', ['shape'], ['zeros'], {}, ''), node('Concat', ['x', 'zeros'], ['y'], { axis: { i: 1 } }, '')],
      initializers: [ints64('shape', [1, 2, 8, 8])],
      opset: 12,
    });
    const n = only(graph, 'concat');
    expect(n.name).toBe('y'); // an unnamed node takes its output's name
    expect(n.attrs.axis).toBe(1);
    const zeros = valueOf(graph, n.inputs[1] as number);
    expect(zeros.shape).toEqual([1, 2, 8, 8]);
    expect(zeros.constant).toHaveLength(128);
    expect(zeros.constant?.every((v) => v === 0)).toBe(true);
  });

  it('ConstantOfShape takes its value attribute; Constant value_ints feed a reshape', () => {
    const { graph } = translate({
      inputs: [value('x', [1, 2, 2, 2])],
      outputs: [value('y', null)],
      nodes: [
        node('Constant', [], ['shape'], { value_ints: { ints: [1, 2, 4] } }),
        node('ConstantOfShape', ['shape'], ['fill'], { value: { t: tensor('v', [1], [0.5]) } }),
        node('Constant', [], ['to'], { value: { t: ints64('t', [1, 2, 4]) } }),
        node('Reshape', ['x', 'to'], ['r']),
        node('Add', ['r', 'fill'], ['y']),
      ],
    });
    expect(ops(graph)).toEqual(['reshape', 'binary']);
    const fill = valueOf(graph, only(graph, 'binary').inputs[1] as number);
    expect(fill.shape).toEqual([1, 2, 4]);
    expect(Array.from(fill.constant ?? [])).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
  });

  it('Squeeze and Unsqueeze of a tensor are reshapes (axes as attribute before opset 13, as input from 13)', () => {
    const old = translate({
      inputs: [value('x', [1, 3, 1, 4])],
      outputs: [value('y', null)],
      nodes: [node('Squeeze', ['x'], ['s'], { axes: { ints: [2] } }), node('Unsqueeze', ['s'], ['y'], { axes: { ints: [-1] } })],
      opset: 11,
    });
    expect(old.graph.nodes.map((n) => (n as Node<'reshape'>).attrs.shape)).toEqual([[1, 3, 4], [1, 3, 4, 1]]);
    const current = translate({
      inputs: [value('x', [1, 3, 1, 4])],
      outputs: [value('y', null)],
      nodes: [node('Squeeze', ['x'], ['s']), node('Unsqueeze', ['s', 'ax'], ['y'])],
      initializers: [ints64('ax', [1])],
      opset: 13,
    });
    // Squeeze without axes drops every 1: [3, 4]; Unsqueeze at 1: [3, 1, 4]
    expect(current.graph.nodes.map((n) => (n as Node<'reshape'>).attrs.shape)).toEqual([[3, 4], [3, 1, 4]]);
  });
});

describe('reshape, flatten, transpose, pad, concat', () => {
  it('Reshape: 0 copies a dimension, -1 is inferred; with allowzero a 0 is a size', () => {
    const reshape = (target: number[], allowzero?: number) =>
      single('Reshape', allowzero === undefined ? {} : { allowzero: { i: allowzero } }, { inputs: ['t'], initializers: [ints64('t', target)], opset: 14, shape: [2, 3, 4, 5] });
    expect(only(reshape([0, -1, 5]).graph, 'reshape').attrs.shape).toEqual([2, 12, 5]);
    expect(only(reshape([-1, 0, 20]).graph, 'reshape').attrs.shape).toEqual([2, 3, 20]);
    expect(only(reshape([6, 20], 1).graph, 'reshape').attrs.shape).toEqual([6, 20]);
    expect(() => reshape([0, 0, 20], 1)).toThrow(/empty tensor/);
  });

  it('Flatten keeps a dynamic batch and multiplies the rest', () => {
    expect(only(single('Flatten', {}, { shape: ['N', 3, 4, 4] }).graph, 'reshape').attrs.shape).toEqual([-1, 48]);
    expect(only(single('Flatten', { axis: { i: 2 } }, { shape: [2, 3, 4, 4] }).graph, 'reshape').attrs.shape).toEqual([6, 16]);
  });

  it('an input read first by Transpose [0, 3, 1, 2] is NHWC; the transpose stays a node', () => {
    const { graph, inputs } = translate({
      inputs: [value('img', [1, 16, 16, 3])],
      outputs: [value('y', null)],
      nodes: [node('Transpose', ['img'], ['t'], { perm: { ints: [0, 3, 1, 2] } }), node('Relu', ['t'], ['y'])],
    });
    expect(inputs).toEqual([{ name: 'img', shape: [1, 16, 16, 3], layout: 'NHWC' }]);
    expect(graph.inputs).toEqual([{ value: 0, layout: 'NHWC' }]);
    expect(only(graph, 'transpose').attrs.perm).toEqual([0, 3, 1, 2]);
    expect(outShape(graph)).toEqual([1, 3, 16, 16]);
  });

  it('Transpose without perm reverses the axes; a rank-2 input has no layout', () => {
    const { graph, inputs } = single('Transpose', {}, { shape: [2, 5] });
    expect(inputs[0]?.layout).toBeNull();
    expect(only(graph, 'transpose').attrs.perm).toEqual([1, 0]);
    expect(outShape(graph)).toEqual([5, 2]);
  });

  it('Pad: attributes before opset 11, inputs (pads, constant_value) from 11, axes from 18', () => {
    const attr = single('Pad', { pads: { ints: [0, 0, 1, 2, 0, 0, 3, 4] }, value: { f: 1.5 } }, { opset: 10 });
    expect(only(attr.graph, 'pad').attrs).toEqual({ pads: [0, 0, 1, 2, 0, 0, 3, 4], value: 1.5 });
    expect(outShape(attr.graph)).toEqual([1, 3, 12, 14]);
    const inputs = single('Pad', {}, { opset: 13, inputs: ['p', 'v'], initializers: [ints64('p', [0, 0, 1, 1, 0, 0, 1, 1]), tensor('v', [], [-2])] });
    expect(only(inputs.graph, 'pad').attrs).toEqual({ pads: [0, 0, 1, 1, 0, 0, 1, 1], value: -2 });
    const axes = single('Pad', {}, { opset: 18, inputs: ['p', '', 'a'], initializers: [ints64('p', [2, 3, 4, 5]), ints64('a', [-1, 2])] });
    // axes [3, 2]: begins [2 (w), 3 (h)], ends [4 (w), 5 (h)]
    expect(only(axes.graph, 'pad').attrs).toEqual({ pads: [0, 0, 3, 2, 0, 0, 5, 4], value: 0 });
  });

  it('Concat of tensors is a concat node on the normalised axis', () => {
    const { graph } = translate({
      inputs: [value('a', [1, 2, 4, 4]), value('b', [1, 3, 4, 4])],
      outputs: [value('y', null)],
      nodes: [node('Concat', ['a', 'b'], ['y'], { axis: { i: -3 } })],
    });
    expect(only(graph, 'concat').attrs.axis).toBe(1);
    expect(outShape(graph)).toEqual([1, 5, 4, 4]);
  });

  it('Identity and inference Dropout are identity nodes', () => {
    const { graph } = translate({
      inputs: [value('x', [1, 4])],
      outputs: [value('y', null)],
      nodes: [node('Identity', ['x'], ['i']), node('Dropout', ['i', 'ratio'], ['y', ''])],
      initializers: [tensor('ratio', [], [0.5])],
      opset: 13,
    });
    expect(ops(graph)).toEqual(['identity', 'identity']);
  });
});

describe('Gemm, MatMul, Softmax', () => {
  it('Gemm with constant B and transB: dense with weights Bᵀ·alpha [K, N] and bias C·beta', () => {
    const b = ramp(3 * 4); // B [N = 3, K = 4]
    const c = [1, 2, 3];
    const { graph } = translate({
      inputs: [value('a', ['N', 4])],
      outputs: [value('y', null)],
      nodes: [node('Gemm', ['a', 'B', 'C'], ['y'], { transB: { i: 1 }, alpha: { f: 2 }, beta: { f: 0.5 } }, 'fc')],
      initializers: [tensor('B', [3, 4], b), tensor('C', [3], c)],
    });
    const n = only(graph, 'dense');
    expect(n.name).toBe('fc');
    expect(n.attrs.units).toBe(3);
    for (let k = 0; k < 4; k++) for (let j = 0; j < 3; j++) expect(n.attrs.weights[k * 3 + j]).toBeCloseTo(2 * (b[j * 4 + k] as number), 6);
    expect(Array.from(n.attrs.bias as Float32Array)).toEqual([0.5, 1, 1.5]);
    expect(outShape(graph)).toEqual([-1, 3]);
  });

  it('Gemm without transB keeps B [K, N] as the weights', () => {
    const b = ramp(4 * 3);
    const { graph } = translate({
      inputs: [value('a', [2, 4])],
      outputs: [value('y', null)],
      nodes: [node('Gemm', ['a', 'B'], ['y'])],
      initializers: [tensor('B', [4, 3], b)],
    });
    const n = only(graph, 'dense');
    expect(Array.from(n.attrs.weights)).toEqual(Array.from(Float32Array.from(b)));
    expect(n.attrs.bias).toBeNull();
  });

  it('Gemm of two tensors: transposes, matmul, alpha and C as elementwise ops', () => {
    const { graph } = translate({
      inputs: [value('a', [4, 2]), value('b', [3, 4]), value('c', [2, 3])],
      outputs: [value('y', [2, 3])],
      nodes: [node('Gemm', ['a', 'b', 'c'], ['y'], { transA: { i: 1 }, transB: { i: 1 }, alpha: { f: 3 } }, 'g')],
    });
    expect(ops(graph)).toEqual(['transpose', 'transpose', 'matmul', 'binary', 'binary']);
    const [mulAlpha, addC] = graph.nodes.slice(3) as Node<'binary'>[];
    expect(mulAlpha?.attrs.kind).toBe('mul');
    expect(Array.from(valueOf(graph, mulAlpha?.inputs[1] as number).constant ?? [])).toEqual([3]);
    expect(addC?.attrs.kind).toBe('add');
    expect(addC?.name).toBe('g');
    expect(valueOf(graph, addC?.output as number).name).toBe('y');
  });

  it('MatMul by a constant matrix is dense; by a tensor, matmul', () => {
    const w = ramp(8 * 5);
    const dense = translate({
      inputs: [value('x', [1, 7, 8])],
      outputs: [value('y', null)],
      nodes: [node('MatMul', ['x', 'W'], ['y'])],
      initializers: [tensor('W', [8, 5], w)],
    });
    expect(only(dense.graph, 'dense').attrs).toMatchObject({ units: 5, bias: null });
    expect(outShape(dense.graph)).toEqual([1, 7, 5]);
    const mm = translate({ inputs: [value('a', [2, 8]), value('b', [8, 5])], outputs: [value('y', null)], nodes: [node('MatMul', ['a', 'b'], ['y'])] });
    expect(ops(mm.graph)).toEqual(['matmul']);
  });

  it('Softmax: opset ≥ 13 normalises one axis (default −1); before, rows of the flattened input (default axis 1)', () => {
    const v13 = single('Softmax', {}, { shape: [2, 3, 4], opset: 13 });
    expect(ops(v13.graph)).toEqual(['softmax']);
    expect(only(v13.graph, 'softmax').attrs.axis).toBe(2);
    const v11 = single('Softmax', {}, { shape: [2, 3, 4], opset: 11 });
    expect(ops(v11.graph)).toEqual(['reshape', 'softmax', 'reshape']);
    expect(v11.graph.nodes.map((n) => (n.op === 'softmax' ? (n.attrs as OpAttrs['softmax']).axis : (n.attrs as OpAttrs['reshape']).shape))).toEqual([[2, 12], 1, [2, 3, 4]]);
    const last = single('Softmax', { axis: { i: -1 } }, { shape: [2, 3, 4], opset: 11 });
    expect(ops(last.graph)).toEqual(['softmax']);
    expect(only(last.graph, 'softmax').attrs.axis).toBe(2);
    const rank2 = single('Softmax', {}, { shape: ['N', 10], opset: 12 });
    expect(only(rank2.graph, 'softmax').attrs.axis).toBe(1);
  });
});

describe('the table', () => {
  it('lists every op the issue names, sorted', () => {
    const required = [
      'Conv', 'BatchNormalization', 'Relu', 'Clip', 'LeakyRelu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Tanh', 'Elu', 'Add', 'Mul', 'Sub', 'Div',
      'Concat', 'Pad', 'Constant', 'ConstantOfShape', 'Shape', 'Gather', 'Unsqueeze', 'Squeeze', 'MaxPool', 'AveragePool', 'GlobalAveragePool',
      'Flatten', 'Reshape', 'Transpose', 'Gemm', 'MatMul', 'Softmax', 'Identity', 'Dropout',
    ];
    expect([...SUPPORTED_ONNX_OPS].sort()).toEqual([...required].sort());
    expect(SUPPORTED_ONNX_OPS).toEqual([...SUPPORTED_ONNX_OPS].sort());
  });

  it('reads weights stored as float_data as well as raw_data, and double initializers', () => {
    const w = ramp(2 * 3);
    for (const t of [tensor('W', [3, 2], w, DataType.FLOAT, false), tensor('W', [3, 2], w, DataType.DOUBLE, false)]) {
      const { graph } = translate({ inputs: [value('x', [1, 3])], outputs: [value('y', null)], nodes: [node('MatMul', ['x', 'W'], ['y'])], initializers: [t] });
      expect(Array.from(only(graph, 'dense').attrs.weights)).toEqual(Array.from(Float32Array.from(w)));
    }
  });
});
