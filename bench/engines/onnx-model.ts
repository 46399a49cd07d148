// Builds the ONNX model (ModelProto bytes) of a bench case, in the browser: a single-op
// model for an op case, the whole network for a MobileNet case (an export of the graph IR
// sepconv and TF.js run, see buildOnnxNetwork), or the case's own file for an ONNX file
// case (BlazeFace).
//
// A minimal protobuf encoder for the handful of ONNX messages we need (ModelProto, GraphProto,
// NodeProto, AttributeProto, TensorProto, ValueInfoProto and TypeProto), so the bench needs no
// protobuf dependency and no Python. Field numbers are those of onnx/onnx.proto (ir_version 8,
// opset 17).
//
// The bench's own models take `x`, NCHW [1, C, H, W] f32, and return `y` (NCHW [1, Cout, Ho, Wo]
// when it is rank 4). The weights are initializers, converted from the bench's TF.js layouts to
// ONNX's OIHW. Padding is explicit (TF 'same': total = max((ceil(H/s) - 1)·s + k - H, 0),
// floor(total/2) before, the rest after), never auto_pad.

import type { ActivationSpec } from '../../src/activation.js';
import type { Graph, OpAttrs } from '../../src/model/ir.js';
import { isOnnxCase } from '../lib/cases';
import { hwioToOihw, permute4 } from '../lib/layout';
import { networkGraph } from '../lib/networks';
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
const TENSOR_INT64 = 7; // TensorProto.DataType.INT64
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

function tensorProto(name: string, dims: number[], data: Float32Array | BigInt64Array): ProtoWriter {
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new Error(`onnx-model: initializer ${name} has ${data.length} values, dims [${dims}] need ${count}`);
  }
  const w = new ProtoWriter();
  for (const d of dims) w.int(1, d); // dims
  w.int(2, data instanceof Float32Array ? TENSOR_FLOAT : TENSOR_INT64); // data_type
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
  /** The input's dims as the model declares them. */
  inputDims: number[];
  /**
   * The bench's own models are NCHW: the bench's NHWC input is transposed on the way in and
   * every rank-4 output back on the way out. A model file (false) takes and gives its own
   * layouts. Inputs and outputs are named by the session (one input; outputs in the file's order).
   */
  nchw: boolean;
}

/** Conv attributes; padding explicit, [top, left, bottom, right] (never auto_pad). */
function convAttrs(k: [number, number], strides: [number, number], dilations: [number, number], pads: [number, number, number, number], group: number): Attr[] {
  return [
    { name: 'dilations', ints: dilations },
    { name: 'group', i: group },
    { name: 'kernel_shape', ints: k },
    { name: 'pads', ints: pads },
    { name: 'strides', ints: strides },
  ];
}

function need<T>(v: T | undefined, what: string, c: BenchCase): T {
  if (v === undefined) throw new Error(`onnx-model: case ${c.id} (${c.op}) has no ${what}`);
  return v;
}

/**
 * Builds the ONNX model of one case: for an op or MobileNet case `x` (NCHW) → `y` (NCHW when
 * rank 4), weights as initializers; for an ONNX file case, the file. Throws when the case's
 * data or shapes are inconsistent.
 */
export function buildOnnxModel(c: BenchCase, data: CaseData): OnnxModel {
  if (isOnnxCase(c)) {
    if (!data.onnx) throw new Error(`onnx-model: case ${c.id} has no ONNX file`);
    return { bytes: data.onnx, inputDims: [...c.input], nchw: false };
  }
  if (c.op === 'network') return buildOnnxNetworkCase(c, data);
  const [N, H, W, C] = c.input;
  const stride = c.stride ?? 1;
  const padding = c.padding ?? 'same';
  const [kh, kw] = c.op === 'pointwise' ? [1, 1] : need(c.kernel, 'kernel', c);
  const ph = tfPad1d(H, kh, stride, padding);
  const pw = tfPad1d(W, kw, stride, padding);

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
      nodes.push({ opType: 'Conv', name: 'depthwise', inputs: ['x', 'w_dw'], outputs: ['y'], attrs: convAttrs([kh, kw], [stride, stride], [1, 1], spatialPads, C) });
      break;
    }
    case 'pointwise': {
      Cout = need(c.outChannels, 'outChannels', c);
      const pwf = need(data.pointwise, 'pointwise filter', c);
      inits.push(tensorProto('w_pw', [Cout, C, 1, 1], pointwiseToOnnx(pwf, C, Cout)));
      nodes.push({ opType: 'Conv', name: 'pointwise', inputs: ['x', 'w_pw'], outputs: ['y'], attrs: convAttrs([1, 1], [stride, stride], [1, 1], spatialPads, 1) });
      break;
    }
    case 'separable': {
      const M = c.multiplier ?? 1;
      Cout = need(c.outChannels, 'outChannels', c);
      const dw = need(data.depthwise, 'depthwise filter', c);
      const pwf = need(data.pointwise, 'pointwise filter', c);
      inits.push(tensorProto('w_dw', [C * M, 1, kh, kw], depthwiseToOnnx(dw, kh, kw, C, M)));
      inits.push(tensorProto('w_pw', [Cout, C * M, 1, 1], pointwiseToOnnx(pwf, C * M, Cout)));
      nodes.push({ opType: 'Conv', name: 'depthwise', inputs: ['x', 'w_dw'], outputs: ['t'], attrs: convAttrs([kh, kw], [stride, stride], [1, 1], spatialPads, C) });
      nodes.push({ opType: 'Conv', name: 'pointwise', inputs: ['t', 'w_pw'], outputs: ['y'], attrs: convAttrs([1, 1], [1, 1], [1, 1], [0, 0, 0, 0], 1) });
      break;
    }
    case 'conv2d': {
      Cout = need(c.outChannels, 'outChannels', c);
      const f = need(data.filter, 'conv filter', c);
      inits.push(tensorProto('w', [Cout, C, kh, kw], hwioToOihw(f, [kh, kw, C, Cout])));
      nodes.push({ opType: 'Conv', name: 'conv2d', inputs: ['x', 'w'], outputs: ['y'], attrs: convAttrs([kh, kw], [stride, stride], [1, 1], spatialPads, 1) });
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
  return { bytes, inputDims, nchw: true };
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

/** A MobileNet case: its graph IR (bench/lib/networks.ts: after the library's passes), exported. */
function buildOnnxNetworkCase(c: BenchCase, data: CaseData): OnnxModel {
  const [N, H, W, C] = c.input;
  if (!data.layers || !data.weights) throw new Error(`onnx-model: case ${c.id} (network) has no layers or weights`);
  if (data.x.length !== N * H * W * C) {
    throw new Error(`onnx-model: case ${c.id}: x has ${data.x.length} values, expected ${N * H * W * C}`);
  }
  const model = buildOnnxNetwork(networkGraph(data.layers, data.weights, [H, W, C]), N, `sepconv_bench_${c.id}`);
  const outputs = model.outputDims.reduce((a, b) => a * b, 1);
  if (outputs !== data.outShape.reduce((a, b) => a * b, 1)) {
    throw new Error(`onnx-model: case ${c.id}: the network's output [${model.outputDims}] ≠ data.outShape [${data.outShape}]`);
  }
  return model;
}

/** Where a logical NHWC axis is in the NCHW tensor that holds it. */
const NCHW_AXIS = [0, 3, 1, 2];

/**
 * Exports a network's graph IR (one NHWC input, one output; batch `N`) to ONNX. Every
 * rank-4 value is held NCHW, other values as they are:
 * - conv → Conv with OIHW weights, the bias as input B, `group`, the graph's explicit pads;
 *   a fused residual → Add (conv result, residual) after it, and the activation after that;
 * - separable → Conv with group = C (no bias), then a 1×1 Conv with the bias;
 * - dense → on a rank-4 value a 1×1 Conv (a dense layer over the channels of every pixel),
 *   on a rank-2 one Gemm;
 * - activations → Relu, Clip (opset 17: its bounds are inputs, shared scalar initializers;
 *   relu6 is Clip(0, 6)), LeakyRelu, Sigmoid, Tanh, HardSwish, Elu, HardSigmoid;
 * - binary → Add/Sub/Mul/Div; scaleShift → Mul and Add by per-channel initializers;
 *   globalAveragePool → GlobalAveragePool;
 * - reshape → Reshape (int64 shape initializer, batch `N`), with a Transpose to NHWC before
 *   it when it reads a rank-4 value of more than one pixel (and back to NCHW after it when
 *   it makes one): the graph's reshapes are of NHWC row-major data;
 * - softmax → Softmax along the axis that holds the graph's.
 * Input `x` [N, C, H, W]; output `y`. Throws on other ops (the bench's networks have none).
 */
export function buildOnnxNetwork(g: Graph, N = 1, name = 'sepconv_bench_network'): OnnxModel & { outputDims: number[] } {
  if (g.inputs.length !== 1 || g.outputs.length !== 1) throw new Error('onnx-model: the bench exports networks of one input and one output');
  if (g.nodes.length === 0) throw new Error('onnx-model: a network with no ops');
  const input = (g.inputs[0] as { value: number }).value;
  const output = g.outputs[0] as number;
  const nodes: NodeSpec[] = [];
  const inits: ProtoWriter[] = [];
  const scalars = new Set<number>();
  const logical = (v: number) => (g.values[v]?.shape as number[]).map((d, i) => (i === 0 && d === -1 ? N : d));
  /** Dims as held: rank 4 NCHW. */
  const held = (v: number) => {
    const s = logical(v);
    return s.length === 4 ? NCHW_AXIS.map((a) => s[a] as number) : s;
  };
  const pixels = (v: number) => {
    const s = logical(v);
    return s.length === 4 ? (s[1] as number) * (s[2] as number) : 1;
  };
  const valueName = (v: number) => (v === input ? 'x' : v === output ? 'y' : `v${v}`);
  const emit = (opType: string, opName: string, inputs: string[], out: string, attrs: Attr[] = []) => nodes.push({ opType, name: opName, inputs, outputs: [out], attrs });
  const scalar = (v: number) => {
    if (!scalars.has(v)) inits.push(tensorProto(`c_${v}`, [], Float32Array.of(v)));
    scalars.add(v);
    return `c_${v}`;
  };

  /** Emits activation `a` reading `pre` and writing `out`. */
  const activation = (opName: string, a: ActivationSpec, pre: string, out: string) => {
    const node = (opType: string, inputs: string[], attrs: Attr[] = []) => emit(opType, `${opName}_act`, inputs, out, attrs);
    switch (a.activation) {
      case 'relu':
        return node('Relu', [pre]);
      case 'relu6':
        return node('Clip', [pre, scalar(0), scalar(6)]);
      case 'clip':
        return node('Clip', [pre, scalar(a.alpha), scalar(a.beta)]);
      case 'leakyRelu':
        return node('LeakyRelu', [pre], [{ name: 'alpha', f: a.alpha }]);
      case 'sigmoid':
        return node('Sigmoid', [pre]);
      case 'tanh':
        return node('Tanh', [pre]);
      case 'hardSwish':
        return node('HardSwish', [pre]); // x · max(0, min(1, x/6 + 1/2)) = x · relu6(x + 3) / 6
      case 'hardSigmoid':
        return node('HardSigmoid', [pre], [{ name: 'alpha', f: a.alpha }, { name: 'beta', f: a.beta }]);
      case 'elu':
        return node('Elu', [pre], [{ name: 'alpha', f: a.alpha }]);
      default:
        throw new Error(`onnx-model: ${opName}: no ONNX op for activation ${a.activation}`);
    }
  };
  /** An op `op` writing its result, then its residual add and activation, into value `out`. */
  const write = (opName: string, out: number, residual: number | null, a: ActivationSpec, op: (target: string) => void) => {
    const linear = a.activation === 'linear';
    let cur = residual === null && linear ? valueName(out) : `${valueName(out)}_pre`;
    op(cur);
    if (residual !== null) {
      const sum = linear ? valueName(out) : `${valueName(out)}_sum`;
      emit('Add', `${opName}_add`, [cur, valueName(residual)], sum);
      cur = sum;
    }
    if (!linear) activation(opName, a, cur, valueName(out));
  };
  const conv = (opName: string, inputs: string[], target: string, ...attrs: Parameters<typeof convAttrs>) => emit('Conv', opName, inputs, target, convAttrs(...attrs));
  const weight = (w: string, dims: number[], data: Float32Array) => {
    inits.push(tensorProto(w, dims, data));
    return w;
  };

  g.nodes.forEach((n, i) => {
    const opName = `n${i}_${n.name.replace(/[^A-Za-z0-9_]/g, '_')}`;
    const x = n.inputs[0] as number;
    const unsupported = (why: string) => new Error(`onnx-model: node '${n.name}' (${n.op}): ${why}`);
    for (const v of n.inputs) if (g.values[v]?.constant) throw unsupported('constant operands are not part of the bench\'s networks');
    if ((n.attrs as { layout?: string }).layout === 'NCHW') throw unsupported('the bench exports NHWC graphs');
    switch (n.op) {
      case 'conv': {
        const a = n.attrs as OpAttrs['conv'];
        const cpg = (logical(x)[3] as number) / a.groups;
        const inputs = [valueName(x), weight(`${opName}_w`, [a.outChannels, cpg, a.kH, a.kW], hwioToOihw(a.filter, [a.kH, a.kW, cpg, a.outChannels]))];
        if (a.bias) inputs.push(weight(`${opName}_b`, [a.bias.length], a.bias));
        const p = a.pad;
        write(opName, n.output, a.residual, a.act, (t) => conv(opName, inputs, t, [a.kH, a.kW], [a.strideH, a.strideW], [a.dilationH, a.dilationW], [p.top, p.left, p.bottom, p.right], a.groups));
        break;
      }
      case 'separable': {
        const a = n.attrs as OpAttrs['separable'];
        const c = logical(x)[3] as number;
        const m = a.multiplier;
        const p = a.pad;
        const dw = [valueName(x), weight(`${opName}_dw`, [c * m, 1, a.kH, a.kW], depthwiseToOnnx(a.depthwiseFilter, a.kH, a.kW, c, m))];
        conv(`${opName}_depthwise`, dw, `${valueName(n.output)}_mid`, [a.kH, a.kW], [a.strideH, a.strideW], [a.dilationH, a.dilationW], [p.top, p.left, p.bottom, p.right], c);
        const pw = [`${valueName(n.output)}_mid`, weight(`${opName}_pw`, [a.outChannels, c * m, 1, 1], pointwiseToOnnx(a.pointwiseFilter, c * m, a.outChannels))];
        if (a.bias) pw.push(weight(`${opName}_b`, [a.bias.length], a.bias));
        write(opName, n.output, null, a.act, (t) => conv(opName, pw, t, [1, 1], [1, 1], [1, 1], [0, 0, 0, 0], 1));
        break;
      }
      case 'dense': {
        const a = n.attrs as OpAttrs['dense'];
        const s = logical(x);
        const k = s[s.length - 1] as number;
        if (s.length !== 4 && s.length !== 2) throw unsupported(`a rank-${s.length} input`);
        const inputs = [valueName(x), s.length === 4 ? weight(`${opName}_w`, [a.units, k, 1, 1], pointwiseToOnnx(a.weights, k, a.units)) : weight(`${opName}_w`, [k, a.units], a.weights)];
        if (a.bias) inputs.push(weight(`${opName}_b`, [a.bias.length], a.bias));
        write(opName, n.output, a.residual, a.act, (t) => (s.length === 4 ? conv(opName, inputs, t, [1, 1], [1, 1], [1, 1], [0, 0, 0, 0], 1) : emit('Gemm', opName, inputs, t)));
        break;
      }
      case 'binary': {
        const a = n.attrs as OpAttrs['binary'];
        const [p, q] = n.inputs as [number, number];
        if ((logical(p).length === 4) !== (logical(q).length === 4)) throw unsupported('operands of rank 4 and another rank');
        const opType = { add: 'Add', sub: 'Sub', mul: 'Mul', div: 'Div' }[a.kind];
        write(opName, n.output, null, a.act, (t) => emit(opType, opName, [valueName(p), valueName(q)], t));
        break;
      }
      case 'activation':
        activation(opName, (n.attrs as OpAttrs['activation']).act, valueName(x), valueName(n.output));
        break;
      case 'scaleShift': {
        const a = n.attrs as OpAttrs['scaleShift'];
        const rank = logical(x).length;
        const axis = rank === 4 ? NCHW_AXIS.indexOf(a.axis) : a.axis;
        const dims = Array.from({ length: rank }, (_, d) => (d === axis ? a.scale.length : 1));
        emit('Mul', `${opName}_scale`, [valueName(x), weight(`${opName}_scale`, dims, a.scale)], `${valueName(n.output)}_scaled`);
        emit('Add', `${opName}_shift`, [`${valueName(n.output)}_scaled`, weight(`${opName}_shift`, dims, a.shift)], valueName(n.output));
        break;
      }
      case 'globalAveragePool':
        emit('GlobalAveragePool', opName, [valueName(x)], valueName(n.output));
        break;
      case 'reshape': {
        let src = valueName(x);
        if (pixels(x) > 1) {
          emit('Transpose', `${opName}_nhwc`, [src], `${src}_nhwc`, [{ name: 'perm', ints: [0, 2, 3, 1] }]);
          src = `${src}_nhwc`;
        }
        const back = pixels(n.output) > 1;
        const dims = back ? logical(n.output) : held(n.output);
        inits.push(tensorProto(`${opName}_shape`, [dims.length], BigInt64Array.from(dims, (d) => BigInt(d))));
        const out = back ? `${valueName(n.output)}_nhwc` : valueName(n.output);
        emit('Reshape', opName, [src, `${opName}_shape`], out);
        if (back) emit('Transpose', `${opName}_nchw`, [out], valueName(n.output), [{ name: 'perm', ints: [0, 3, 1, 2] }]);
        break;
      }
      case 'softmax': {
        const rank = logical(x).length;
        const axis = ((n.attrs as OpAttrs['softmax']).axis + rank) % rank;
        emit('Softmax', opName, [valueName(x)], valueName(n.output), [{ name: 'axis', i: rank === 4 ? NCHW_AXIS.indexOf(axis) : axis }]);
        break;
      }
      default:
        throw unsupported('not an op of the bench\'s networks');
    }
  });

  if (logical(input).length !== 4) throw new Error('onnx-model: the bench exports networks of an image input');
  const inputDims = held(input);
  const outputDims = held(output);
  const bytes = modelProto(name, nodes, inits, inputDims, outputDims);
  return { bytes, inputDims, nchw: true, outputDims };
}
