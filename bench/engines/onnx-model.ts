// Builds the ONNX model (ModelProto bytes) of a bench case, in the browser: a single-op
// model for an op case, or the whole network (an export of the same graph sepconv and
// TF.js run, see buildOnnxNetwork) for a network case.
//
// A minimal protobuf encoder for the handful of ONNX messages we need (ModelProto, GraphProto,
// NodeProto, AttributeProto, TensorProto, ValueInfoProto and TypeProto), so the bench needs no
// protobuf dependency and no Python. Field numbers are those of onnx/onnx.proto (ir_version 8,
// opset 17).
//
// The model takes `x`, NCHW [1, C, H, W] f32, and returns `y`, NCHW [1, Cout, Ho, Wo] f32. The
// weights are initializers, converted from the bench's TF.js layouts to ONNX's OIHW. Padding is
// explicit (TF 'same': total = max((ceil(H/s) - 1)·s + k - H, 0), floor(total/2) before, the
// rest after), never auto_pad.

import { hwioToOihw, permute4 } from '../lib/layout';
import { lowerNetwork, type GraphAct, type NetworkGraph } from '../lib/network-graph';
import type { BenchCase, CaseData } from '../lib/types';

// ---------------------------------------------------------------------------------------------
// Protobuf wire format

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private buf: number[] = [];
  private size = 0;

  private flushBytes(): void {
    if (this.buf.length > 0) {
      this.chunks.push(Uint8Array.from(this.buf));
      this.size += this.buf.length;
      this.buf = [];
    }
  }

  private varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new Error(`onnx-model: varint out of range: ${value}`);
    }
    let v = value;
    while (v >= 0x80) {
      this.buf.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.buf.push(v);
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  /** int32 / int64 / enum field (non-negative values only: all this file needs). */
  int(field: number, value: number): this {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
    return this;
  }

  /** float field (fixed32, little-endian). */
  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.buf.push(...b);
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.tag(field, WIRE_LEN);
    this.varint(data.byteLength);
    this.flushBytes();
    this.chunks.push(data);
    this.size += data.byteLength;
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.finish());
  }

  finish(): Uint8Array {
    this.flushBytes();
    const out = new Uint8Array(this.size);
    let off = 0;
    for (const c of this.chunks) {
      out.set(c, off);
      off += c.byteLength;
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// ONNX messages

const TENSOR_FLOAT = 1; // TensorProto.DataType.FLOAT
const ATTR_FLOAT = 1; // AttributeProto.AttributeType.FLOAT
const ATTR_INT = 2; // AttributeProto.AttributeType.INT
const ATTR_INTS = 7; // AttributeProto.AttributeType.INTS

type Attr = { name: string; i: number } | { name: string; ints: number[] } | { name: string; f: number };

interface NodeSpec {
  opType: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attrs: Attr[];
}

function attributeProto(a: Attr): ProtoWriter {
  const w = new ProtoWriter().string(1, a.name); // name
  if ('i' in a) {
    w.int(3, a.i); // i
    w.int(20, ATTR_INT); // type
  } else if ('f' in a) {
    w.float(2, a.f); // f
    w.int(20, ATTR_FLOAT);
  } else {
    for (const v of a.ints) w.int(8, v); // ints (unpacked repeated int64)
    w.int(20, ATTR_INTS);
  }
  return w;
}

function nodeProto(n: NodeSpec): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i); // input
  for (const o of n.outputs) w.string(2, o); // output
  w.string(3, n.name); // name
  w.string(4, n.opType); // op_type
  for (const a of n.attrs) w.message(5, attributeProto(a)); // attribute
  return w;
}

function tensorProto(name: string, dims: number[], data: Float32Array): ProtoWriter {
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new Error(`onnx-model: initializer ${name} has ${data.length} values, dims [${dims}] need ${count}`);
  }
  const w = new ProtoWriter();
  for (const d of dims) w.int(1, d); // dims
  w.int(2, TENSOR_FLOAT); // data_type
  w.string(8, name); // name
  // raw_data is little-endian; so is every platform a browser runs WebGPU on. Copy the bytes so a
  // subarray view of a larger buffer does not leak the rest of it.
  const raw = new Uint8Array(data.byteLength);
  raw.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  w.bytes(9, raw); // raw_data
  return w;
}

function valueInfoProto(name: string, dims: number[]): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) shape.message(1, new ProtoWriter().int(1, d)); // dim { dim_value }
  const tensorType = new ProtoWriter().int(1, TENSOR_FLOAT).message(2, shape); // elem_type, shape
  const type = new ProtoWriter().message(1, tensorType); // tensor_type
  return new ProtoWriter().string(1, name).message(2, type); // name, type
}

// ---------------------------------------------------------------------------------------------
// Geometry and layout conversions

/** TF-style padding and output size along one spatial axis. */
export function tfPad1d(
  size: number,
  k: number,
  stride: number,
  padding: 'same' | 'valid',
): { before: number; after: number; out: number } {
  if (padding === 'valid') {
    return { before: 0, after: 0, out: Math.ceil((size - k + 1) / stride) };
  }
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + k - size, 0);
  const before = Math.floor(total / 2);
  return { before, after: total - before, out };
}

/** Depthwise filter [kh, kw, C, M] (TF) → ONNX grouped Conv weight [C·M, 1, kh, kw]. */
export function depthwiseToOnnx(f: Float32Array, kh: number, kw: number, C: number, M: number): Float32Array<ArrayBuffer> {
  return permute4(f, [kh, kw, C, M], [2, 3, 0, 1]);
}

/** Pointwise filter [Cin, Cout] → ONNX Conv weight [Cout, Cin, 1, 1]. */
export function pointwiseToOnnx(f: Float32Array, Cin: number, Cout: number): Float32Array<ArrayBuffer> {
  return hwioToOihw(f, [1, 1, Cin, Cout]);
}

// ---------------------------------------------------------------------------------------------
// The model

export interface OnnxModel {
  bytes: Uint8Array;
  inputName: string;
  outputName: string;
  /** NCHW input dims. */
  inputDims: [number, number, number, number];
  /** NCHW output dims (a flattened [N, F] output: [N, F, 1, 1]). */
  outputDims: [number, number, number, number];
}

function need<T>(v: T | undefined, what: string, c: BenchCase): T {
  if (v === undefined) throw new Error(`onnx-model: case ${c.id} (${c.op}) has no ${what}`);
  return v;
}

/**
 * Builds the ONNX model of one case: `x` (NCHW) → `y` (NCHW), weights as initializers.
 * Throws when the case's data or shapes are inconsistent.
 */
export function buildOnnxModel(c: BenchCase, data: CaseData): OnnxModel {
  if (c.op === 'network') return buildOnnxNetworkCase(c, data);
  const [N, H, W, C] = c.input;
  const stride = c.stride ?? 1;
  const padding = c.padding ?? 'same';
  const [kh, kw] = c.op === 'pointwise' ? [1, 1] : need(c.kernel, 'kernel', c);
  const ph = tfPad1d(H, kh, stride, padding);
  const pw = tfPad1d(W, kw, stride, padding);

  const convAttrs = (k: [number, number], s: number, pads: [number, number, number, number], group: number): Attr[] => [
    { name: 'dilations', ints: [1, 1] },
    { name: 'group', i: group },
    { name: 'kernel_shape', ints: k },
    { name: 'pads', ints: pads }, // [top, left, bottom, right]
    { name: 'strides', ints: [s, s] },
  ];
  const spatialPads: [number, number, number, number] = [ph.before, pw.before, ph.after, pw.after];

  const nodes: NodeSpec[] = [];
  const inits: ProtoWriter[] = [];
  let Cout: number;

  switch (c.op) {
    case 'depthwise': {
      const M = c.multiplier ?? 1;
      const dw = need(data.depthwise, 'depthwise filter', c);
      Cout = C * M;
      inits.push(tensorProto('w_dw', [C * M, 1, kh, kw], depthwiseToOnnx(dw, kh, kw, C, M)));
      nodes.push({ opType: 'Conv', name: 'depthwise', inputs: ['x', 'w_dw'], outputs: ['y'], attrs: convAttrs([kh, kw], stride, spatialPads, C) });
      break;
    }
    case 'pointwise': {
      Cout = need(c.outChannels, 'outChannels', c);
      const pwf = need(data.pointwise, 'pointwise filter', c);
      inits.push(tensorProto('w_pw', [Cout, C, 1, 1], pointwiseToOnnx(pwf, C, Cout)));
      nodes.push({ opType: 'Conv', name: 'pointwise', inputs: ['x', 'w_pw'], outputs: ['y'], attrs: convAttrs([1, 1], stride, spatialPads, 1) });
      break;
    }
    case 'separable': {
      const M = c.multiplier ?? 1;
      Cout = need(c.outChannels, 'outChannels', c);
      const dw = need(data.depthwise, 'depthwise filter', c);
      const pwf = need(data.pointwise, 'pointwise filter', c);
      inits.push(tensorProto('w_dw', [C * M, 1, kh, kw], depthwiseToOnnx(dw, kh, kw, C, M)));
      inits.push(tensorProto('w_pw', [Cout, C * M, 1, 1], pointwiseToOnnx(pwf, C * M, Cout)));
      nodes.push({ opType: 'Conv', name: 'depthwise', inputs: ['x', 'w_dw'], outputs: ['t'], attrs: convAttrs([kh, kw], stride, spatialPads, C) });
      nodes.push({ opType: 'Conv', name: 'pointwise', inputs: ['t', 'w_pw'], outputs: ['y'], attrs: convAttrs([1, 1], 1, [0, 0, 0, 0], 1) });
      break;
    }
    case 'conv2d': {
      Cout = need(c.outChannels, 'outChannels', c);
      const f = need(data.filter, 'conv filter', c);
      inits.push(tensorProto('w', [Cout, C, kh, kw], hwioToOihw(f, [kh, kw, C, Cout])));
      nodes.push({ opType: 'Conv', name: 'conv2d', inputs: ['x', 'w'], outputs: ['y'], attrs: convAttrs([kh, kw], stride, spatialPads, 1) });
      break;
    }
    default:
      throw new Error(`onnx-model: unknown op ${String(c.op)}`);
  }

  const inputDims: [number, number, number, number] = [N, C, H, W];
  const outputDims: [number, number, number, number] = [N, Cout, ph.out, pw.out];
  const [oN, oH, oW, oC] = data.outShape;
  if (oN !== N || oH !== ph.out || oW !== pw.out || oC !== Cout) {
    throw new Error(
      `onnx-model: case ${c.id}: computed output NHWC [${N}, ${ph.out}, ${pw.out}, ${Cout}] ≠ data.outShape [${data.outShape}]`,
    );
  }
  if (data.x.length !== N * H * W * C) {
    throw new Error(`onnx-model: case ${c.id}: x has ${data.x.length} values, expected ${N * H * W * C}`);
  }

  const bytes = modelProto(`sepconv_bench_${c.id}`, nodes, inits, inputDims, outputDims);
  return { bytes, inputName: 'x', outputName: 'y', inputDims, outputDims };
}

/** ModelProto bytes: one graph, input `x`, output `y`, opset 17. */
function modelProto(name: string, nodes: NodeSpec[], inits: ProtoWriter[], inputDims: number[], outputDims: number[]): Uint8Array {
  const graph = new ProtoWriter();
  for (const n of nodes) graph.message(1, nodeProto(n)); // node
  graph.string(2, name); // name
  for (const t of inits) graph.message(5, t); // initializer
  graph.message(11, valueInfoProto('x', inputDims)); // input
  graph.message(12, valueInfoProto('y', outputDims)); // output

  const model = new ProtoWriter()
    .int(1, 8) // ir_version
    .string(2, 'sepconv-bench') // producer_name
    .string(3, '0.1.0') // producer_version
    .message(7, graph) // graph
    .message(8, new ProtoWriter().string(1, '').int(2, 17)); // opset_import { domain: '', version: 17 }
  return model.finish();
}

// ---------------------------------------------------------------------------------------------
// Whole networks

/** A network case: its layers and weights lowered (batch norm folded), then exported. */
function buildOnnxNetworkCase(c: BenchCase, data: CaseData): OnnxModel {
  const [N, H, W, C] = c.input;
  if (!data.layers || !data.weights) throw new Error(`onnx-model: case ${c.id} (network) has no layers or weights`);
  if (data.x.length !== N * H * W * C) {
    throw new Error(`onnx-model: case ${c.id}: x has ${data.x.length} values, expected ${N * H * W * C}`);
  }
  const model = buildOnnxNetwork(lowerNetwork(data.layers, data.weights, [H, W, C]), N, `sepconv_bench_${c.id}`);
  const [, oc, oh, ow] = model.outputDims;
  const [eN, eH, eW, eC] = data.outShape;
  if (eN !== N || eH !== oh || eW !== ow || eC !== oc) {
    throw new Error(`onnx-model: case ${c.id}: the network's output NHWC [${N}, ${oh}, ${ow}, ${oc}] ≠ data.outShape [${data.outShape}]`);
  }
  return model;
}

/**
 * Exports a lowered network (batch `N`) to ONNX, NCHW throughout:
 * - conv2d / depthwise / pointwise (and dense, a 1×1 conv on [N, C, 1, 1]) → Conv with
 *   OIHW weights, the folded bias as input B, `group` = C for depthwise, explicit TF
 *   'same' pads (the extra row / column at the bottom / right), never auto_pad;
 * - activations → Relu, Clip(x, 0, 6) (opset 17: min and max are inputs, shared scalar
 *   initializers), LeakyRelu, Sigmoid, Tanh, HardSwish, Elu;
 * - residual add → Add (then its activation, if any); global average pool → GlobalAveragePool;
 * - flatten → Flatten (after a Transpose to NHWC when H·W > 1, so the order is NHWC's);
 * - softmax → Softmax over the channel axis (1 on a 4-D value, the last on a flat one).
 * Input `x` [N, C, H, W]; output `y` [N, F] after a flatten (outputDims [N, F, 1, 1]),
 * else [N, C, H, W].
 */
export function buildOnnxNetwork(g: NetworkGraph, N = 1, name = 'sepconv_bench_network'): OnnxModel {
  const nodes: NodeSpec[] = [];
  const inits: ProtoWriter[] = [];
  const flat = new Set<number>(); // values that are [N, F]
  const valueName = (v: number) => (v === 0 ? 'x' : v === g.output ? 'y' : `v${v}`);
  let clipBounds = false;

  /** Emits the activation of `op` reading `pre` and writing value `out`. */
  const activation = (opName: string, a: GraphAct, pre: string, out: string) => {
    const node = (opType: string, inputs: string[], attrs: Attr[] = []) => nodes.push({ opType, name: `${opName}_act`, inputs, outputs: [out], attrs });
    switch (a.activation) {
      case 'relu':
        return node('Relu', [pre]);
      case 'relu6':
        if (!clipBounds) {
          inits.push(tensorProto('clip_min', [], Float32Array.of(0)), tensorProto('clip_max', [], Float32Array.of(6)));
          clipBounds = true;
        }
        return node('Clip', [pre, 'clip_min', 'clip_max']);
      case 'leakyRelu':
        return node('LeakyRelu', [pre], [{ name: 'alpha', f: a.alpha }]);
      case 'sigmoid':
        return node('Sigmoid', [pre]);
      case 'tanh':
        return node('Tanh', [pre]);
      case 'hardSwish':
        return node('HardSwish', [pre]); // x · max(0, min(1, x/6 + 1/2)) = x · relu6(x + 3) / 6
      case 'elu':
        return node('Elu', [pre], [{ name: 'alpha', f: a.alpha }]);
      case 'linear':
        throw new Error('unreachable');
    }
  };
  /** The name an op writes its pre-activation result to, and the activation after it. */
  const withActivation = (opName: string, a: GraphAct, out: number, emit: (target: string) => void) => {
    if (a.activation === 'linear') return emit(valueName(out));
    const pre = `${valueName(out)}_pre`;
    emit(pre);
    activation(opName, a, pre, valueName(out));
  };
  const conv = (
    opName: string,
    input: number,
    out: number,
    weight: Float32Array,
    wDims: number[],
    bias: Float32Array | null,
    k: [number, number],
    strides: [number, number],
    dilation: [number, number],
    pads: [number, number, number, number],
    group: number,
    a: GraphAct,
  ) => {
    inits.push(tensorProto(`${opName}_w`, wDims, weight));
    const inputs = [valueName(input), `${opName}_w`];
    if (bias) {
      inits.push(tensorProto(`${opName}_b`, [bias.length], bias));
      inputs.push(`${opName}_b`);
    }
    withActivation(opName, a, out, (target) =>
      nodes.push({
        opType: 'Conv',
        name: opName,
        inputs,
        outputs: [target],
        attrs: [
          { name: 'dilations', ints: dilation },
          { name: 'group', i: group },
          { name: 'kernel_shape', ints: k },
          { name: 'pads', ints: pads }, // [top, left, bottom, right]
          { name: 'strides', ints: strides },
        ],
      }),
    );
  };
  const padsOf = (op: { inShape: [number, number, number]; kernel: [number, number]; strides: [number, number]; dilation: [number, number]; padding: 'same' | 'valid' }) => {
    const ph = tfPad1d(op.inShape[0], (op.kernel[0] - 1) * op.dilation[0] + 1, op.strides[0], op.padding);
    const pw = tfPad1d(op.inShape[1], (op.kernel[1] - 1) * op.dilation[1] + 1, op.strides[1], op.padding);
    return [ph.before, pw.before, ph.after, pw.after] as [number, number, number, number];
  };

  g.ops.forEach((op, i) => {
    const opName = `n${i}_${op.name.replace(/[^A-Za-z0-9_]/g, '_')}`;
    if (flat.has(op.input) && op.kind !== 'softmax') throw new Error(`onnx-model: ${op.name} (${op.kind}) after a flatten is not supported`);
    switch (op.kind) {
      case 'conv2d': {
        const [kh, kw] = op.kernel;
        const cin = op.inShape[2] / op.groups;
        const cout = op.outShape[2];
        conv(opName, op.input, op.output, hwioToOihw(op.filter, [kh, kw, cin, cout]), [cout, cin, kh, kw], op.bias, op.kernel, op.strides, op.dilation, padsOf(op), op.groups, op.act);
        break;
      }
      case 'depthwise': {
        const [kh, kw] = op.kernel;
        const c = op.inShape[2];
        const m = op.multiplier;
        conv(opName, op.input, op.output, depthwiseToOnnx(op.filter, kh, kw, c, m), [c * m, 1, kh, kw], op.bias, op.kernel, op.strides, op.dilation, padsOf(op), c, op.act);
        break;
      }
      case 'pointwise': {
        const cin = op.inShape[2];
        const cout = op.outShape[2];
        conv(opName, op.input, op.output, pointwiseToOnnx(op.filter, cin, cout), [cout, cin, 1, 1], op.bias, [1, 1], [1, 1], [1, 1], [0, 0, 0, 0], 1, op.act);
        break;
      }
      case 'add':
        withActivation(opName, op.act, op.output, (target) =>
          nodes.push({ opType: 'Add', name: opName, inputs: [valueName(op.input), valueName(op.residual)], outputs: [target], attrs: [] }),
        );
        break;
      case 'pool':
        nodes.push({ opType: 'GlobalAveragePool', name: opName, inputs: [valueName(op.input)], outputs: [valueName(op.output)], attrs: [] });
        break;
      case 'flatten': {
        let src = valueName(op.input);
        if (op.inShape[0] * op.inShape[1] > 1) {
          nodes.push({ opType: 'Transpose', name: `${opName}_nhwc`, inputs: [src], outputs: [`${src}_nhwc`], attrs: [{ name: 'perm', ints: [0, 2, 3, 1] }] });
          src = `${src}_nhwc`;
        }
        nodes.push({ opType: 'Flatten', name: opName, inputs: [src], outputs: [valueName(op.output)], attrs: [{ name: 'axis', i: 1 }] });
        flat.add(op.output);
        break;
      }
      case 'softmax':
        nodes.push({ opType: 'Softmax', name: opName, inputs: [valueName(op.input)], outputs: [valueName(op.output)], attrs: flat.has(op.input) ? [] : [{ name: 'axis', i: 1 }] });
        if (flat.has(op.input)) flat.add(op.output);
        break;
    }
  });
  if (g.ops.length === 0) throw new Error('onnx-model: a network with no ops');

  const [H, W, C] = g.inputShape;
  const [oh, ow, oc] = g.outputShape;
  const inputDims: [number, number, number, number] = [N, C, H, W];
  const outFlat = flat.has(g.output);
  const outputDims: [number, number, number, number] = outFlat ? [N, oc, 1, 1] : [N, oc, oh, ow];
  const bytes = modelProto(name, nodes, inits, inputDims, outFlat ? [N, oc] : outputDims);
  return { bytes, inputName: 'x', outputName: 'y', inputDims, outputDims };
}
