// Builds a single-op ONNX model (ModelProto bytes) for a bench case, in the browser.
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

import type { BenchCase, CaseData } from '../lib/types';

// ---------------------------------------------------------------------------------------------
// Protobuf wire format

const WIRE_VARINT = 0;
const WIRE_LEN = 2;

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
const ATTR_INT = 2; // AttributeProto.AttributeType.INT
const ATTR_INTS = 7; // AttributeProto.AttributeType.INTS

type Attr = { name: string; i: number } | { name: string; ints: number[] };

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
  const out = new Float32Array(C * M * kh * kw);
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      for (let c = 0; c < C; c++)
        for (let m = 0; m < M; m++) {
          out[((c * M + m) * kh + i) * kw + j] = f[((i * kw + j) * C + c) * M + m]!;
        }
  return out;
}

/** Pointwise filter [Cin, Cout] → ONNX Conv weight [Cout, Cin, 1, 1]. */
export function pointwiseToOnnx(f: Float32Array, Cin: number, Cout: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(Cin * Cout);
  for (let ci = 0; ci < Cin; ci++)
    for (let co = 0; co < Cout; co++) out[co * Cin + ci] = f[ci * Cout + co]!;
  return out;
}

/** Conv filter HWIO [kh, kw, Cin, Cout] → OIHW [Cout, Cin, kh, kw]. */
export function hwioToOihw(f: Float32Array, kh: number, kw: number, Cin: number, Cout: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(kh * kw * Cin * Cout);
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      for (let ci = 0; ci < Cin; ci++)
        for (let co = 0; co < Cout; co++) {
          out[((co * Cin + ci) * kh + i) * kw + j] = f[((i * kw + j) * Cin + ci) * Cout + co]!;
        }
  return out;
}

/** NHWC → NCHW (batch N). */
export function nhwcToNchw(x: Float32Array, N: number, H: number, W: number, C: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(N * H * W * C);
  for (let n = 0; n < N; n++) {
    const base = n * H * W * C;
    for (let h = 0; h < H; h++)
      for (let w = 0; w < W; w++) {
        const src = base + (h * W + w) * C;
        for (let c = 0; c < C; c++) out[base + (c * H + h) * W + w] = x[src + c]!;
      }
  }
  return out;
}

/** NCHW → NHWC (batch N). */
export function nchwToNhwc(x: Float32Array, N: number, C: number, H: number, W: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(N * H * W * C);
  for (let n = 0; n < N; n++) {
    const base = n * H * W * C;
    for (let c = 0; c < C; c++)
      for (let h = 0; h < H; h++) {
        const src = base + (c * H + h) * W;
        for (let w = 0; w < W; w++) out[base + (h * W + w) * C + c] = x[src + w]!;
      }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The model

export interface OnnxModel {
  bytes: Uint8Array;
  inputName: string;
  outputName: string;
  /** NCHW input dims. */
  inputDims: [number, number, number, number];
  /** NCHW output dims. */
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
      inits.push(tensorProto('w', [Cout, C, kh, kw], hwioToOihw(f, kh, kw, C, Cout)));
      nodes.push({ opType: 'Conv', name: 'conv2d', inputs: ['x', 'w'], outputs: ['y'], attrs: convAttrs([kh, kw], stride, spatialPads, 1) });
      break;
    }
    default: {
      const op: never = c.op;
      throw new Error(`onnx-model: unknown op ${String(op)}`);
    }
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

  const graph = new ProtoWriter();
  for (const n of nodes) graph.message(1, nodeProto(n)); // node
  graph.string(2, `sepconv_bench_${c.id}`); // name
  for (const t of inits) graph.message(5, t); // initializer
  graph.message(11, valueInfoProto('x', inputDims)); // input
  graph.message(12, valueInfoProto('y', outputDims)); // output

  const model = new ProtoWriter()
    .int(1, 8) // ir_version
    .string(2, 'sepconv-bench') // producer_name
    .string(3, '0.1.0') // producer_version
    .message(7, graph) // graph
    .message(8, new ProtoWriter().string(1, '').int(2, 17)); // opset_import { domain: '', version: 17 }

  return { bytes: model.finish(), inputName: 'x', outputName: 'y', inputDims, outputDims };
}
