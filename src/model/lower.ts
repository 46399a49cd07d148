// Lowering an optimized graph to steps a backend runs. Backends run image ops on
// NHWC data, so every tensor gets a physical order: `order[i]` is the logical
// dimension stored as physical dimension i (identity: stored as declared; an
// NCHW value kept as NHWC: [0, 2, 3, 1]). Each op states the order it needs;
// a permute step is inserted only where a tensor is not already in it (a
// transpose is a relabelling, a reshape of data already in row-major order is
// a view), so layout conversions happen at the graph's edges, not per op.
// Steps take the batch size at run time; shapes keep -1 for it until then.

import type { ActivationSpec } from '../activation.js';
import type { Backend, OpExtras, Storage } from '../backend.js';
import { conv2dParams, depthwiseParams, pointwiseParams, runConv2d, separableParams } from '../ops.js';
import type { ConvGeometry } from '../shape.js';
import type { Graph, ImageLayout, Node, OpAttrs, Value, Window } from './ir.js';

/** A tensor as stored: logical shape, physical order, and the tensor whose storage it shares (views). */
export interface PhysicalTensor {
  id: number;
  /** Logical shape; -1 = the batch. */
  shape: number[];
  order: number[];
  /** Set for a view: the tensor whose storage this one reads (reshape, transpose, identity). */
  viewOf: number | null;
  /** Set for a constant: its data, already in physical order. */
  constant: Float32Array | null;
}

/** What a step is, for profiles: the op kinds sepconv's kernels run. */
export type StepKind =
  | 'conv2d'
  | 'depthwise'
  | 'pointwise'
  | 'separable'
  | 'pool'
  | 'pool2d'
  | 'softmax'
  | 'binary'
  | 'activation'
  | 'concat'
  | 'pad'
  | 'transpose'
  | 'view';

/** Storages a step reads, by tensor id, and the weights it owns. */
export type Reader = (id: number) => Storage;

export interface Step {
  /** The node it runs (or the node whose input it converts). */
  name: string;
  kind: StepKind;
  reads: number[];
  write: number;
  /** Runs on `be` for a batch of `batch`, into `out` when given (a planned buffer). Views return their input. */
  run(be: Backend, read: Reader, batch: number, out: Storage | undefined): Storage;
}

/** The weights a step uploads once (filters, biases), by name. */
export type Weights = Map<string, Float32Array>;

export interface Lowered {
  tensors: Map<number, PhysicalTensor>;
  steps: Step[];
  /** Graph inputs: the tensor the caller's data is, and its declared layout. */
  inputs: { tensor: number; layout: ImageLayout | null }[];
  /** Tensors holding the graph's outputs, in logical (row-major) order. */
  outputs: number[];
  /** Weights to upload once, by key; steps read them through `weight(key)`. */
  weights: Weights;
}

const identity = (rank: number) => Array.from({ length: rank }, (_, i) => i);
const NHWC_OF_NCHW = [0, 2, 3, 1];

/** Physical shape of a logical shape stored in `order`. */
export function physicalShape(shape: readonly number[], order: readonly number[]): number[] {
  return order.map((d) => shape[d] as number);
}

/** Two orders store the data the same way when, ignoring dimensions of size 1, they list the logical dimensions alike. */
function sameData(shape: readonly number[], a: readonly number[], b: readonly number[]): boolean {
  const big = (o: readonly number[]) => o.filter((d) => shape[d] !== 1);
  return big(a).join() === big(b).join();
}

/** With the batch filled in. */
const withBatch = (shape: readonly number[], batch: number) => shape.map((d) => (d < 0 ? batch : d));
const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Permutes row-major `data` of logical `shape` into physical `order`. */
export function permuteData(data: Float32Array, shape: readonly number[], order: readonly number[]): Float32Array {
  const rank = shape.length;
  const strides = new Array<number>(rank).fill(1);
  for (let d = rank - 2; d >= 0; d--) strides[d] = (strides[d + 1] as number) * (shape[d + 1] as number);
  const phys = physicalShape(shape, order);
  const out = new Float32Array(data.length);
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < out.length; i++) {
    let src = 0;
    for (let k = 0; k < rank; k++) src += (idx[k] as number) * (strides[order[k] as number] as number);
    out[i] = data[src] as number;
    for (let k = rank - 1; k >= 0; k--) {
      idx[k] = (idx[k] as number) + 1;
      if ((idx[k] as number) < (phys[k] as number)) break;
      idx[k] = 0;
    }
  }
  return out;
}

function geometry(w: Window, inH: number, inW: number, batch: number, outH: number, outW: number): ConvGeometry {
  return { batch, inH, inW, kH: w.kH, kW: w.kW, strideH: w.strideH, strideW: w.strideW, dilationH: w.dilationH, dilationW: w.dilationW, pad: w.pad, outH, outW };
}

const LINEAR = { activation: 'linear', alpha: 0 } as ActivationSpec;

/**
 * Lowers `g` (already optimized, topologically sorted): decides every tensor's
 * physical order, inserts the permutes that need, and builds the steps.
 */
export function lowerGraph(g: Graph): Lowered {
  const tensors = new Map<number, PhysicalTensor>();
  const steps: Step[] = [];
  const weights: Weights = new Map();
  let nextId = g.values.length;
  const value = (id: number) => g.values[id] as Value;
  const t = (id: number) => tensors.get(id) as PhysicalTensor;

  for (const v of g.values) {
    if (v.constant) tensors.set(v.id, { id: v.id, shape: v.shape, order: identity(v.shape.length), viewOf: null, constant: v.constant });
  }
  const inputs = g.inputs.map((i) => {
    const shape = value(i.value).shape;
    tensors.set(i.value, { id: i.value, shape, order: identity(shape.length), viewOf: null, constant: null });
    return { tensor: i.value, layout: i.layout };
  });

  /** A tensor with `x`'s data in physical order `want`: itself, a relabelled view, a permuted constant, or a permute step. */
  const inOrder = (x: number, want: readonly number[], name: string): number => {
    const src = t(x);
    if (src.order.join() === want.join()) return x;
    const id = nextId++;
    if (sameData(src.shape, src.order, want)) {
      tensors.set(id, { id, shape: src.shape, order: [...want], viewOf: x, constant: null });
      steps.push(viewStep(name, x, id));
      return id;
    }
    if (src.constant) {
      // Constants are rearranged once, at build time.
      const logical = permuteData(src.constant, physicalShape(src.shape, src.order), src.order.map((_, i) => src.order.indexOf(i)));
      tensors.set(id, { id, shape: src.shape, order: [...want], viewOf: null, constant: permuteData(logical, src.shape, want) });
      return id;
    }
    // Physical output dim j holds logical want[j], found at physical src.order.indexOf(want[j]).
    const perm = want.map((d) => src.order.indexOf(d));
    tensors.set(id, { id, shape: src.shape, order: [...want], viewOf: null, constant: null });
    steps.push({
      name: `${name} (layout)`,
      kind: 'transpose',
      reads: [x],
      write: id,
      run: (be, read, batch) => be.permute(read(x), { inShape: physicalShape(withBatch(src.shape, batch), src.order), perm }),
    });
    return id;
  };

  for (const n of g.nodes) lowerNode(n);

  // Outputs in logical (row-major) order.
  const outputs = g.outputs.map((o) => {
    const x = t(o);
    return sameData(x.shape, x.order, identity(x.shape.length)) ? o : inOrder(o, identity(x.shape.length), value(o).name);
  });
  return { tensors, steps, inputs, outputs, weights };

  function define(n: Node, order: readonly number[], viewOf: number | null = null): PhysicalTensor {
    const out: PhysicalTensor = { id: n.output, shape: value(n.output).shape, order: [...order], viewOf, constant: null };
    tensors.set(n.output, out);
    return out;
  }

  function lowerNode(n: Node): void {
    const x0 = n.inputs[0] as number;
    switch (n.op) {
      case 'conv':
      case 'separable':
      case 'pool':
      case 'globalAveragePool': {
        const a = n.attrs as { layout: ImageLayout };
        const order = a.layout === 'NCHW' ? NHWC_OF_NCHW : identity(4);
        const x = inOrder(x0, order, n.name);
        const residual = n.op === 'conv' && (n.attrs as OpAttrs['conv']).residual !== null ? inOrder((n.attrs as OpAttrs['conv']).residual as number, order, n.name) : null;
        const out = define(n, order);
        steps.push(imageStep(n, x, out, residual));
        return;
      }
      case 'dense': {
        const rank = t(x0).shape.length;
        const src = t(x0);
        // The contracted (last logical) dimension must be stored last.
        const order = src.order[rank - 1] === rank - 1 ? src.order : identity(rank);
        const x = inOrder(x0, order, n.name);
        const a = n.attrs as OpAttrs['dense'];
        const residual = a.residual !== null ? inOrder(a.residual, order, n.name) : null;
        const out = define(n, order);
        const K = src.shape[rank - 1] as number;
        const w = addWeight(`${n.name}/weights`, a.weights);
        const bias = a.bias ? addWeight(`${n.name}/bias`, a.bias) : null;
        steps.push({
          name: n.name,
          kind: 'pointwise',
          reads: residual === null ? [x] : [x, residual],
          write: out.id,
          run: (be, read, batch, o) => {
            const pixels = count(withBatch(out.shape, batch)) / a.units;
            const extras: OpExtras = { ...(o && { out: o }), ...(residual !== null && { residual: read(residual) }) };
            return be.pointwiseConv2d(read(x), read(w), bias === null ? null : read(bias), pointwiseParams(pixels, K, a.units, a.act), extras);
          },
        });
        return;
      }
      case 'matmul': {
        const a = inOrder(x0, [0, 1], n.name);
        const b = inOrder(n.inputs[1] as number, [0, 1], n.name);
        const out = define(n, [0, 1]);
        const [, K] = t(a).shape as [number, number];
        const N = t(b).shape[1] as number;
        steps.push({
          name: n.name,
          kind: 'pointwise',
          reads: [a, b],
          write: out.id,
          run: (be, read, batch, o) => be.pointwiseConv2d(read(a), read(b), null, pointwiseParams(withBatch(t(a).shape, batch)[0] as number, K, N, LINEAR), o ? { out: o } : {}),
        });
        return;
      }
      case 'binary': {
        const outShape = value(n.output).shape;
        const rank = outShape.length;
        // The order of an operand with the output's full shape (else the identity); the other follows it.
        const full = n.inputs.find((v) => !t(v).constant && t(v).shape.length === rank && t(v).shape.join() === outShape.join());
        const order = full !== undefined ? t(full).order : identity(rank);
        const [a, b] = n.inputs.map((v) => inOrder(padRank(v, rank), order, n.name)) as [number, number];
        const out = define(n, order);
        const attrs = n.attrs as OpAttrs['binary'];
        steps.push({
          name: n.name,
          kind: 'binary',
          reads: [a, b],
          write: out.id,
          run: (be, read, batch, o) =>
            be.binary(
              read(a),
              read(b),
              {
                kind: attrs.kind,
                aShape: physicalShape(withBatch(t(a).shape, batch), order),
                bShape: physicalShape(withBatch(t(b).shape, batch), order),
                outShape: physicalShape(withBatch(outShape, batch), order),
                act: attrs.act,
              },
              o ? { out: o } : {},
            ),
        });
        return;
      }
      case 'activation': {
        const out = define(n, t(x0).order);
        const act = (n.attrs as OpAttrs['activation']).act;
        steps.push({
          name: n.name,
          kind: 'activation',
          reads: [x0],
          write: out.id,
          run: (be, read, batch, o) => be.unary(read(x0), { size: count(withBatch(out.shape, batch)), act }, o ? { out: o } : {}),
        });
        return;
      }
      case 'scaleShift': {
        const a = n.attrs as OpAttrs['scaleShift'];
        const src = t(x0);
        const rank = src.shape.length;
        const out = define(n, src.order);
        const C = a.scale.length;
        if (src.order[rank - 1] === a.axis) {
          const scale = addWeight(`${n.name}/scale`, a.scale);
          const shift = addWeight(`${n.name}/shift`, a.shift);
          // Channel stored last: a 1×1 depthwise conv (scale as the filter, shift as the bias).
          steps.push({
            name: n.name,
            kind: 'depthwise',
            reads: [x0],
            write: out.id,
            run: (be, read, batch, o) => {
              const rows = count(withBatch(src.shape, batch)) / C;
              const g1 = geometry({ kH: 1, kW: 1, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, pad: { top: 0, bottom: 0, left: 0, right: 0 } }, rows, 1, 1, rows, 1);
              return be.depthwiseConv2d(read(x0), read(scale), read(shift), depthwiseParams(g1, C, 1, LINEAR), o ? { out: o } : {});
            },
          });
          return;
        }
        // Otherwise: x·scale + shift as two broadcast binaries, with the constants shaped to the channel axis.
        const cshape = src.shape.map((_, i) => (i === a.axis ? C : 1));
        const scale = nextId++;
        const shift = nextId++;
        tensors.set(scale, { id: scale, shape: cshape, order: identity(rank), viewOf: null, constant: a.scale });
        tensors.set(shift, { id: shift, shape: cshape, order: identity(rank), viewOf: null, constant: a.shift });
        const s = inOrder(scale, src.order, n.name);
        const h = inOrder(shift, src.order, n.name);
        const mid = nextId++;
        tensors.set(mid, { id: mid, shape: src.shape, order: src.order, viewOf: null, constant: null });
        const binary = (a1: number, b1: number, write: number, kind: 'mul' | 'add'): Step => ({
          name: n.name,
          kind: 'binary',
          reads: [a1, b1],
          write,
          run: (be, read, batch, o) =>
            be.binary(read(a1), read(b1), {
              kind,
              aShape: physicalShape(withBatch(src.shape, batch), src.order),
              bShape: physicalShape(cshape, src.order),
              outShape: physicalShape(withBatch(src.shape, batch), src.order),
              act: LINEAR,
            }, o ? { out: o } : {}),
        });
        steps.push(binary(x0, s, mid, 'mul'), binary(mid, h, out.id, 'add'));
        return;
      }
      case 'concat': {
        const first = n.inputs.find((v) => !t(v).constant) ?? x0;
        const order = t(first).order;
        const xs = n.inputs.map((v) => inOrder(v, order, n.name));
        const out = define(n, order);
        const axis = order.indexOf((n.attrs as OpAttrs['concat']).axis);
        steps.push({
          name: n.name,
          kind: 'concat',
          reads: xs,
          write: out.id,
          run: (be, read, batch, o) =>
            be.concat(xs.map(read), { shapes: xs.map((x) => physicalShape(withBatch(t(x).shape, batch), order)), axis }, o ? { out: o } : {}),
        });
        return;
      }
      case 'pad': {
        const src = t(x0);
        const rank = src.shape.length;
        const a = n.attrs as OpAttrs['pad'];
        const out = define(n, src.order);
        const pads = [...src.order.map((d) => a.pads[d] as number), ...src.order.map((d) => a.pads[d + rank] as number)];
        steps.push({
          name: n.name,
          kind: 'pad',
          reads: [x0],
          write: out.id,
          run: (be, read, batch, o) => be.pad(read(x0), { inShape: physicalShape(withBatch(src.shape, batch), src.order), pads, value: a.value }, o ? { out: o } : {}),
        });
        return;
      }
      case 'softmax': {
        const src = t(x0);
        const rank = src.shape.length;
        const axis = ((n.attrs as OpAttrs['softmax']).axis + rank) % rank;
        // The softmax axis stored last; the rest in the order they are.
        const order = src.order[rank - 1] === axis ? src.order : [...src.order.filter((d) => d !== axis), axis];
        const x = inOrder(x0, order, n.name);
        const out = define(n, order);
        steps.push({
          name: n.name,
          kind: 'softmax',
          reads: [x],
          write: out.id,
          run: (be, read, batch, o) => {
            const size = out.shape[axis] as number;
            return be.softmax(read(x), { rows: count(withBatch(out.shape, batch)) / size, size }, o ? { out: o } : {});
          },
        });
        return;
      }
      case 'reshape': {
        // The data must be in row-major order of the input's logical shape; the output is a view.
        const x = inOrder(x0, identity(t(x0).shape.length), n.name);
        define(n, identity(value(n.output).shape.length), x);
        steps.push(viewStep(n.name, x, n.output));
        return;
      }
      case 'transpose': {
        const src = t(x0);
        const perm = (n.attrs as OpAttrs['transpose']).perm;
        // A relabelling: physical dim i holds input dim src.order[i], which is output dim perm⁻¹(src.order[i]).
        define(n, src.order.map((d) => perm.indexOf(d)), x0);
        steps.push(viewStep(n.name, x0, n.output));
        return;
      }
      case 'identity':
        define(n, t(x0).order, x0);
        steps.push(viewStep(n.name, x0, n.output));
        return;
    }
  }

  /** `v` with leading dimensions of size 1 up to `rank` (broadcasting), as a view or a reshaped constant. */
  function padRank(v: number, rank: number): number {
    const src = t(v);
    const lead = rank - src.shape.length;
    if (lead === 0) return v;
    const id = nextId++;
    const shape = [...new Array<number>(lead).fill(1), ...src.shape];
    const order = [...identity(lead), ...src.order.map((d) => d + lead)];
    tensors.set(id, { id, shape, order, viewOf: src.constant ? null : v, constant: src.constant });
    if (!src.constant) steps.push(viewStep(value(v).name, v, id));
    return id;
  }

  /** Registers a weight to upload once; steps read it through the returned (negative) id. */
  function addWeight(key: string, data: Float32Array): number {
    weights.set(key, data);
    return -weights.size;
  }

  function imageStep(n: Node, x: number, out: PhysicalTensor, residual: number | null): Step {
    const xs = t(x);
    /** The NHWC sizes of a run: input [N, H, W, C], output height and width. */
    const sizes = (batch: number) => {
      const [N, H, W, C] = physicalShape(withBatch(xs.shape, batch), xs.order) as [number, number, number, number];
      const [, Ho, Wo] = physicalShape(withBatch(out.shape, batch), xs.order) as [number, number, number, number];
      return { N, H, W, C, geometry: (w: Window) => geometry(w, H, W, N, Ho, Wo) };
    };
    const step = (kind: StepKind, run: (be: Backend, read: Reader, s: ReturnType<typeof sizes>, extras: OpExtras) => Storage): Step => ({
      name: n.name,
      kind,
      reads: residual === null ? [x] : [x, residual],
      write: out.id,
      run: (be, read, batch, o) => run(be, read, sizes(batch), { ...(o && { out: o }), ...(residual !== null && { residual: read(residual) }) }),
    });
    switch (n.op) {
      case 'conv': {
        const a = n.attrs as OpAttrs['conv'];
        const filter = addWeight(`${n.name}/filter`, a.filter);
        const bias = a.bias ? addWeight(`${n.name}/bias`, a.bias) : null;
        const inC = physicalShape(xs.shape, xs.order)[3] as number;
        const p0 = a.pad;
        const pointwise = a.groups === 1 && a.kH === 1 && a.kW === 1 && a.strideH === 1 && a.strideW === 1 && p0.top + p0.bottom + p0.left + p0.right === 0;
        return step(pointwise ? 'pointwise' : a.groups === inC ? 'depthwise' : 'conv2d', (be, read, s, extras) =>
          runConv2d(be, read(x), read(filter), bias === null ? null : read(bias), conv2dParams(s.geometry(a), s.C, a.outChannels, a.groups, a.act), extras),
        );
      }
      case 'separable': {
        const a = n.attrs as OpAttrs['separable'];
        const dwf = addWeight(`${n.name}/depthwiseFilter`, a.depthwiseFilter);
        const pwf = addWeight(`${n.name}/pointwiseFilter`, a.pointwiseFilter);
        const bias = a.bias ? addWeight(`${n.name}/bias`, a.bias) : null;
        return step('separable', (be, read, s, extras) => {
          const w = { depthwiseFilter: read(dwf), depthwiseBias: null, pointwiseFilter: read(pwf), bias: bias === null ? null : read(bias) };
          return be.separableConv2d(read(x), w, separableParams(s.geometry(a), s.C, a.multiplier, a.outChannels, a.act), extras);
        });
      }
      case 'pool': {
        const a = n.attrs as OpAttrs['pool'];
        return step('pool2d', (be, read, s, extras) => be.pool2d(read(x), { ...s.geometry(a), channels: s.C, kind: a.kind, countIncludePad: a.countIncludePad }, extras));
      }
      default:
        return step('pool', (be, read, s, extras) => be.globalAveragePool(read(x), { batch: s.N, height: s.H, width: s.W, channels: s.C }, extras));
    }
  }
}

/** A step that makes `write` a view of `read` (no work). */
function viewStep(name: string, read: number, write: number): Step {
  return { name, kind: 'view', reads: [read], write, run: (_be, r) => r(read) };
}

/** Weights are read through negative ids: -1 - (index of the key in `weights`, in insertion order). */
export function weightIndex(id: number): number {
  return -1 - id;
}
