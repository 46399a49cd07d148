// The graph IR every model runs on: what the builders (sequential, MobileNets)
// and the loaders (ONNX, Keras layers) produce, what the passes rewrite, and
// what the executor runs. Values are tensors with a logical shape (as the
// source declares it; the batch is dimension 0 and may be open); nodes are
// ops with one output. Weights live in the nodes that own them (a conv's
// filter); other constant tensors (a broadcast scale, a padding of zeros) are
// constant values. Ops are layout-explicit: a conv says whether its input is
// NCHW or NHWC, so a graph is run in any physical layout the executor chooses.

import type { ActivationSpec } from '../activation.js';
import type { ConvGeometry } from '../shape.js';
import { inferShape } from './infer.js';

/** A tensor of the graph. */
export interface Value {
  readonly id: number;
  /** The source's name for it (an ONNX value name, a Keras layer output), or a generated one. */
  name: string;
  /** Logical shape; shape[0] is the batch, -1 when the model accepts any batch (for constants: the constant's shape). */
  shape: number[];
  /** Set for a constant value: its data, row-major in `shape`. */
  constant?: Float32Array;
}

/** Data layout of the image operands of an op (rank 4). */
export type ImageLayout = 'NHWC' | 'NCHW';

/** The geometry of a k×k window (conv or pool), resolved for the input's size: a convolution's geometry without the sizes. */
export type Window = Omit<ConvGeometry, 'batch' | 'inH' | 'inW' | 'outH' | 'outW'>;

/** Attributes of each op. */
export interface OpAttrs {
  /** A standard, grouped or depthwise convolution; y = act(conv(x) + bias [+ residual]). */
  conv: Window & {
    layout: ImageLayout;
    /** HWIO: [kH, kW, Cin / groups, Cout]. */
    filter: Float32Array;
    bias: Float32Array | null;
    groups: number;
    outChannels: number;
    act: ActivationSpec;
    /** A tensor of the output's shape added before the activation (set by the residual fusion pass). */
    residual: number | null;
  };
  /** Keras SeparableConv2D: depthwise [kH, kW, C, M] (no bias), pointwise [C·M, Cout], bias, activation. */
  separable: Window & {
    layout: ImageLayout;
    depthwiseFilter: Float32Array;
    pointwiseFilter: Float32Array;
    bias: Float32Array | null;
    multiplier: number;
    outChannels: number;
    act: ActivationSpec;
  };
  /** y = act(x · weights + bias) on the last dimension: x [..., K], weights [K, M]. */
  dense: { weights: Float32Array; bias: Float32Array | null; units: number; act: ActivationSpec; residual: number | null };
  /** y = a · b with both operands tensors: [M, K] × [K, N]. */
  matmul: Record<string, never>;
  /** Elementwise a ∘ b with NumPy broadcasting, then an activation. */
  binary: { kind: 'add' | 'sub' | 'mul' | 'div'; act: ActivationSpec };
  /** y = act(x). */
  activation: { act: ActivationSpec };
  /** y = x·scale + shift per channel (inference batch norm): folded into the op before it when it can be. */
  scaleShift: { axis: number; scale: Float32Array; shift: Float32Array };
  /** Inputs joined along `axis`. */
  concat: { axis: number };
  /** Constant padding: `pads` = [begin of each axis…, end of each axis…] (ONNX order). */
  pad: { pads: number[]; value: number };
  /** Max or average pooling over a k×k window. */
  pool: Window & { layout: ImageLayout; kind: 'max' | 'avg'; countIncludePad: boolean };
  /** Mean over the spatial dimensions, keeping them as size 1. */
  globalAveragePool: { layout: ImageLayout };
  /** Softmax along `axis`. */
  softmax: { axis: number };
  /** The same elements in a new shape (row-major order of the logical shape); shape[0] may be -1 (the batch). */
  reshape: { shape: number[] };
  /** Output dimension i is input dimension perm[i]. */
  transpose: { perm: number[] };
  /** y = x (dropped by a pass; loaders map Identity and inference Dropout to it). */
  identity: Record<string, never>;
}

export type OpKind = keyof OpAttrs;

/** One op of the graph. */
export interface Node<K extends OpKind = OpKind> {
  readonly op: K;
  /** The source's name (ONNX node, Keras layer), for errors, the summary and profiles. */
  name: string;
  /** Input value ids; the op's tensor operands, in its order. */
  inputs: number[];
  output: number;
  attrs: OpAttrs[K];
}

/** A model input: a value and the layout the source declares for it. */
export interface GraphInput {
  value: number;
  /** For rank-4 inputs: how the caller's tensor is laid out. */
  layout: ImageLayout | null;
}

export interface Graph {
  values: Value[];
  nodes: Node[];
  inputs: GraphInput[];
  /** Output values, in the source's order. */
  outputs: number[];
}

/** Builds a graph value by value and node by node. */
export class GraphBuilder {
  readonly graph: Graph = { values: [], nodes: [], inputs: [], outputs: [] };

  /** A new tensor value. */
  value(name: string, shape: readonly number[]): number {
    const id = this.graph.values.length;
    this.graph.values.push({ id, name, shape: [...shape] });
    return id;
  }

  /** A new constant value. */
  constant(name: string, shape: readonly number[], data: Float32Array): number {
    const id = this.value(name, shape);
    (this.graph.values[id] as Value).constant = data;
    return id;
  }

  input(name: string, shape: readonly number[], layout: ImageLayout | null): number {
    const id = this.value(name, shape);
    this.graph.inputs.push({ value: id, layout });
    return id;
  }

  /**
   * Adds a node and its output value, whose shape follows from the inputs'
   * (src/model/infer.ts; BAD_MODEL when the inputs do not fit the op). Returns the output's id.
   */
  node<K extends OpKind>(op: K, name: string, inputs: readonly number[], attrs: OpAttrs[K], outputName = name): number {
    const shape = inferShape(op, name, attrs, inputs.map((v) => this.shape(v)));
    const output = this.value(outputName, shape);
    this.graph.nodes.push({ op, name, inputs: [...inputs], output, attrs } as Node);
    return output;
  }

  output(value: number): void {
    this.graph.outputs.push(value);
  }

  shape(value: number): number[] {
    return (this.graph.values[value] as Value).shape;
  }
}

/** The nodes reading each value (by id). */
export function consumers(g: Graph): Map<number, Node[]> {
  const out = new Map<number, Node[]>();
  for (const n of g.nodes) {
    for (const v of [...n.inputs, ...residualOf(n)]) {
      const list = out.get(v) ?? [];
      list.push(n);
      out.set(v, list);
    }
  }
  return out;
}

/** The residual input of a conv or dense node, as a list (empty for other ops). */
export function residualOf(n: Node): number[] {
  const r = (n.attrs as { residual?: number | null }).residual;
  return r === undefined || r === null ? [] : [r];
}

/** Every value a node reads: its inputs and a fused residual. */
export function readsOf(n: Node): number[] {
  return [...n.inputs, ...residualOf(n)];
}
