// The state of one ONNX → IR translation: what each ONNX value name stands for
// (a graph value, a constant known now, or an output sepconv does not produce),
// and the view of it an op mapper gets for the node it translates.

import type { ActivationSpec, Activation } from '../../activation.js';
import { GraphBuilder, type OpAttrs, type OpKind, type Value } from '../ir.js';
import { Attributes, BATCH, type ConstTensor } from './decode.js';
import { SepconvError } from '../../errors.js';
import { badModel, unsupported } from './errors.js';
import type { NodeProto } from 'onnx-buf';

/** What an ONNX value name stands for while translating. */
export type Entry =
  | { kind: 'value'; id: number }
  /** A tensor known at load time; `id` is its graph value once an op reads it as a tensor. */
  | { kind: 'const'; tensor: ConstTensor; id?: number }
  /** An output of a node that sepconv does not compute (MaxPool's Indices...): an error if read. */
  | { kind: 'unsupported'; what: string };

/** An entry that can be read. */
export type Known = Exclude<Entry, { kind: 'unsupported' }>;

/** The graph being built and the meaning of every ONNX value name so far. */
export class Translation {
  readonly builder = new GraphBuilder();
  private readonly entries = new Map<string, Entry>();

  constructor(
    /** The model's opset for the default (ai.onnx) domain. */
    readonly opset: number,
    /** The op types sepconv translates, for UNSUPPORTED_OP messages. */
    readonly supported: readonly string[],
  ) {}

  define(name: string, entry: Entry): void {
    if (name !== '') this.entries.set(name, entry);
  }

  /** The entry of value `name`, read at `where`. */
  lookup(name: string, where: string): Known {
    const e = this.entries.get(name);
    if (e === undefined) throw badModel(where, `reads '${name}', which is not a graph input, an initializer or an output of an earlier node`);
    if (e.kind === 'unsupported') throw unsupported(where, `reads '${name}', ${e.what}`, this.supported);
    return e;
  }

  /** The graph value of `name`: a constant becomes a constant value the first time an op reads it as a tensor. */
  valueOf(name: string, where: string): number {
    const e = this.lookup(name, where);
    if (e.kind === 'value') return e.id;
    if (e.id === undefined) {
      const t = e.tensor;
      if (t.type === 'int' && t.data.includes(BATCH)) {
        throw badModel(where, `reads '${name}' as a tensor, but it holds the dynamic batch size, which is unknown until run time`);
      }
      e.id = this.builder.constant(name, t.dims, t.type === 'float' ? t.data : Float32Array.from(t.data));
    }
    return e.id;
  }
}

/** An activation with the parameters the ops use (beta is 0 where unused, as resolveActivation gives it). */
export function act(activation: Activation, alpha = 0, beta = 0): ActivationSpec {
  return { activation, alpha, beta };
}

export const LINEAR = act('linear');

/** One node being translated: its inputs, attributes and outputs, and the errors that name it. */
export class NodeContext {
  readonly attrs: Attributes;
  /** The IR name of the node (its ONNX name, or its first output's when unnamed). */
  readonly name: string;
  /** The node in error messages. */
  readonly where: string;

  constructor(
    readonly t: Translation,
    readonly proto: NodeProto,
  ) {
    this.name = proto.name !== '' ? proto.name : (proto.output[0] ?? proto.opType);
    this.where = proto.name !== '' ? `node '${proto.name}' (${proto.opType})` : `${proto.opType} node writing '${proto.output[0] ?? ''}'`;
    this.attrs = new Attributes(proto.attribute, this.where);
  }

  get opType(): string {
    return this.proto.opType;
  }

  get opset(): number {
    return this.t.opset;
  }

  /** Whether optional input `i` is given (ONNX leaves a skipped one as an empty name). */
  has(i: number): boolean {
    return (this.proto.input[i] ?? '') !== '';
  }

  inputName(i: number): string {
    const name = this.proto.input[i] ?? '';
    if (name === '') throw badModel(this.where, `has no input ${i + 1} (${this.proto.input.length} given), which ${this.opType} needs`);
    return name;
  }

  /** Input `i` as a constant, or null when it is only known at run time. */
  constant(i: number): ConstTensor | null {
    const e = this.t.lookup(this.inputName(i), this.where);
    return e.kind === 'const' ? e.tensor : null;
  }

  /** Input `i`, which must be known at load time (`what` says what it is, for the error). */
  requireConstant(i: number, what: string): ConstTensor {
    const c = this.constant(i);
    if (c === null) throw this.unsupported(`${what} ('${this.inputName(i)}') is computed at run time; sepconv needs it constant`);
    return c;
  }

  /** Input `i` as a constant integer list (axes, pads, a shape); a dynamic batch in it is BATCH. */
  ints(i: number, what: string): number[] {
    const c = this.requireConstant(i, what);
    if (c.type !== 'int') throw this.bad(`${what} ('${this.inputName(i)}') is a float tensor, expected integers`);
    return c.data;
  }

  /** Input `i` as float weights (a filter, a bias, batch-norm statistics). */
  weights(i: number, what: string): ConstTensor & { type: 'float' } {
    const c = this.requireConstant(i, what);
    if (c.type !== 'float') throw this.bad(`${what} ('${this.inputName(i)}') has an integer element type, expected float weights`);
    return c;
  }

  /** Input `i` as a graph value. */
  value(i: number): number {
    return this.t.valueOf(this.inputName(i), this.where);
  }

  /** The shape of input `i` (-1: the batch). */
  shape(i: number): number[] {
    const e = this.t.lookup(this.inputName(i), this.where);
    return e.kind === 'const' ? e.tensor.dims : this.t.builder.shape(e.id);
  }

  /** Adds the IR node that computes output `out` of this ONNX node. */
  emit<K extends OpKind>(op: K, inputs: readonly number[], attrs: OpAttrs[K], out = 0): number {
    const outName = this.proto.output[out] ?? '';
    const id = this.add(op, this.name, inputs, attrs, outName !== '' ? outName : `${this.name}:${out}`);
    this.t.define(outName, { kind: 'value', id });
    return id;
  }

  /** Adds an IR node for an intermediate step of this ONNX node (a transpose before a Gemm...). */
  step<K extends OpKind>(op: K, suffix: string, inputs: readonly number[], attrs: OpAttrs[K]): number {
    const name = `${this.name}/${suffix}`;
    return this.add(op, name, inputs, attrs, name);
  }

  /** GraphBuilder.node, with a shape error (inputs that do not fit the op) reported as this ONNX node's. */
  private add<K extends OpKind>(op: K, name: string, inputs: readonly number[], attrs: OpAttrs[K], outName: string): number {
    try {
      return this.t.builder.node(op, name, inputs, attrs, outName);
    } catch (e) {
      if (e instanceof SepconvError && e.code === 'BAD_MODEL') throw badModel(this.where, `expected ${e.expected ?? e.message}`);
      throw e;
    }
  }

  /**
   * The last IR node added (by {@link step}) writes output `out` of this ONNX
   * node: it takes the node's name and its value the output's name.
   */
  finish(id: number, out = 0): void {
    const g = this.t.builder.graph;
    const node = g.nodes[g.nodes.length - 1];
    if (node === undefined || node.output !== id) throw new Error(`sepconv internal: ${this.where} finishes a value its last node does not write`);
    const outName = this.proto.output[out] ?? '';
    node.name = this.name;
    (g.values[id] as Value).name = outName !== '' ? outName : `${this.name}:${out}`;
    this.t.define(outName, { kind: 'value', id });
  }

  /** Output `out` is a constant (folded at load time). */
  setConstant(tensor: ConstTensor, out = 0): void {
    this.t.define(this.proto.output[out] ?? '', { kind: 'const', tensor });
  }

  /** Output `out` is the same tensor as input `i`. */
  alias(i: number, out = 0): void {
    this.t.define(this.proto.output[out] ?? '', this.t.lookup(this.inputName(i), this.where));
  }

  /** Outputs from `from` on are not computed by sepconv; reading one is an error saying so. */
  unsupportedOutputs(from: number, what: string): void {
    for (let o = from; o < this.proto.output.length; o++) {
      this.t.define(this.proto.output[o] as string, { kind: 'unsupported', what: `output ${o + 1} of ${this.where}: ${what}` });
    }
  }

  bad(what: string): Error {
    return badModel(this.where, what);
  }

  unsupported(what: string): Error {
    return unsupported(this.where, what, this.t.supported);
  }

  /** Normalises a possibly negative axis for a tensor of rank `rank`. */
  axis(axis: number, rank: number, what = 'axis'): number {
    if (!Number.isInteger(axis) || axis < -rank || axis >= rank) throw this.bad(`${what} ${axis} is out of range for a rank-${rank} tensor`);
    return axis < 0 ? axis + rank : axis;
  }
}
