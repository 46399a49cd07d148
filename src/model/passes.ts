// Graph passes: each one rewrite, IR in, IR out (the graph is changed in place
// and returned), testable alone. `optimize` runs them in the order the rewrites
// feed each other. Loaders and builders only translate; every folding and
// fusion happens here, once, for every source.

import type { ActivationSpec } from '../activation.js';
import { consumers, readsOf, type Graph, type Node, type OpAttrs, type Value } from './ir.js';

const isLinear = (a: ActivationSpec) => a.activation === 'linear';

/** Replaces every read of value `from` (node inputs, residuals, graph outputs) by `to`. */
export function replaceValue(g: Graph, from: number, to: number): void {
  for (const n of g.nodes) {
    n.inputs = n.inputs.map((v) => (v === from ? to : v));
    const a = n.attrs as { residual?: number | null };
    if (a.residual === from) a.residual = to;
  }
  g.outputs = g.outputs.map((v) => (v === from ? to : v));
}

/** True when `v` is read by exactly one node and is not a graph output. */
function soleReader(g: Graph, readers: Map<number, Node[]>, v: number): Node | null {
  const list = readers.get(v) ?? [];
  return list.length === 1 && !g.outputs.includes(v) ? (list[0] as Node) : null;
}

/** Removes identity nodes (ONNX Identity and inference Dropout), reading their input instead. */
export function dropIdentities(g: Graph): Graph {
  for (const n of [...g.nodes]) {
    if (n.op !== 'identity') continue;
    g.nodes.splice(g.nodes.indexOf(n), 1);
    replaceValue(g, n.output, n.inputs[0] as number);
  }
  return g;
}

/**
 * Concat of a tensor with a constant of zeros (how TF exports channel padding:
 * ConstantOfShape + Concat) becomes a pad of that tensor: nothing to upload, one op.
 */
export function concatZerosToPad(g: Graph): Graph {
  for (const n of g.nodes) {
    if (n.op !== 'concat' || n.inputs.length !== 2) continue;
    const [a, b] = n.inputs.map((v) => g.values[v] as Value) as [Value, Value];
    const zeros = (v: Value) => v.constant !== undefined && v.constant.every((x) => x === 0);
    const axis = (n.attrs as OpAttrs['concat']).axis;
    let data: Value;
    let before: number;
    let after: number;
    if (zeros(b) && !zeros(a)) [data, before, after] = [a, 0, b.shape[axis] as number];
    else if (zeros(a) && !zeros(b)) [data, before, after] = [b, a.shape[axis] as number, 0];
    else continue;
    const rank = data.shape.length;
    const pads = new Array<number>(2 * rank).fill(0);
    pads[axis] = before;
    pads[axis + rank] = after;
    Object.assign(n, { op: 'pad', inputs: [data.id], attrs: { pads, value: 0 } satisfies OpAttrs['pad'] });
  }
  return g;
}

/** Ops whose write can take an activation. */
const ACTIVATES = new Set(['conv', 'separable', 'dense', 'binary']);

/**
 * Folds a per-channel scale and shift (inference batch norm) into the conv,
 * separable conv or dense op before it when that op has no activation and the
 * scale-shift is its only reader: every weight feeding output channel o is
 * scaled by scale[o], and the bias becomes bias·scale + shift.
 */
export function foldScaleShift(g: Graph): Graph {
  const readers = consumers(g);
  for (const n of [...g.nodes]) {
    if (n.op !== 'scaleShift') continue;
    const producer = g.nodes.find((p) => p.output === n.inputs[0]);
    if (!producer || soleReader(g, readers, producer.output) !== n) continue;
    const ss = n.attrs as OpAttrs['scaleShift'];
    const a = producer.attrs as { act?: ActivationSpec; residual?: number | null; layout?: string };
    if (!(producer.op === 'conv' || producer.op === 'separable' || producer.op === 'dense')) continue;
    if (!isLinear(a.act as ActivationSpec) || (a.residual ?? null) !== null) continue;
    // The channel axis of the scale must be the op's output channels.
    const rank = (g.values[producer.output] as Value).shape.length;
    const channelAxis = producer.op === 'dense' ? rank - 1 : a.layout === 'NCHW' ? 1 : 3;
    if (ss.axis !== channelAxis) continue;
    const filterKey = producer.op === 'separable' ? 'pointwiseFilter' : producer.op === 'dense' ? 'weights' : 'filter';
    const pa = producer.attrs as Record<string, unknown>;
    const filter = pa[filterKey] as Float32Array;
    const out = ss.scale.length;
    const folded = new Float32Array(filter.length);
    // Every filter layout keeps the output channel as its fastest index.
    for (let i = 0; i < filter.length; i++) folded[i] = (filter[i] as number) * (ss.scale[i % out] as number);
    const oldBias = pa.bias as Float32Array | null;
    const bias = new Float32Array(out);
    for (let o = 0; o < out; o++) bias[o] = (oldBias ? (oldBias[o] as number) : 0) * (ss.scale[o] as number) + (ss.shift[o] as number);
    pa[filterKey] = folded;
    pa.bias = bias;
    g.nodes.splice(g.nodes.indexOf(n), 1);
    replaceValue(g, n.output, producer.output);
  }
  return g;
}

/** An activation node right after an op that can fuse it (and read by nothing else) moves into that op's write. */
export function fuseActivations(g: Graph): Graph {
  const readers = consumers(g);
  for (const n of [...g.nodes]) {
    if (n.op !== 'activation') continue;
    const producer = g.nodes.find((p) => p.output === n.inputs[0]);
    if (!producer || !ACTIVATES.has(producer.op) || soleReader(g, readers, producer.output) !== n) continue;
    const a = producer.attrs as { act: ActivationSpec };
    if (!isLinear(a.act)) continue;
    a.act = (n.attrs as OpAttrs['activation']).act;
    g.nodes.splice(g.nodes.indexOf(n), 1);
    replaceValue(g, n.output, producer.output);
  }
  return g;
}

/** A 1×1, stride-1, unpadded, ungrouped conv: it runs as the pointwise kernels, which can add a residual. */
function isPointwiseConv(n: Node): boolean {
  if (n.op !== 'conv') return false;
  const a = n.attrs as OpAttrs['conv'];
  const p = a.pad;
  return a.kH === 1 && a.kW === 1 && a.strideH === 1 && a.strideW === 1 && a.groups === 1 && p.top + p.bottom + p.left + p.right === 0;
}

/**
 * An add of two same-shape tensors where one comes from a pointwise conv or dense op
 * with no activation, read only by the add: the add (and its activation) moves into
 * that op's write as a residual input (MobileNetV2's and BlazeFace's blocks).
 */
export function fuseResidualAdds(g: Graph): Graph {
  const readers = consumers(g);
  for (const n of [...g.nodes]) {
    if (n.op !== 'binary' || (n.attrs as OpAttrs['binary']).kind !== 'add') continue;
    const [a, b] = n.inputs as [number, number];
    const same = (g.values[a] as Value).shape.join() === (g.values[b] as Value).shape.join();
    if (!same) continue;
    for (const [mine, other] of [
      [a, b],
      [b, a],
    ] as const) {
      const producer = g.nodes.find((p) => p.output === mine);
      if (!producer || !(isPointwiseConv(producer) || producer.op === 'dense')) continue;
      const pa = producer.attrs as OpAttrs['conv'] | OpAttrs['dense'];
      if (!isLinear(pa.act) || pa.residual !== null || soleReader(g, readers, mine) !== n) continue;
      // The residual must be computed before the producer runs.
      const otherProducer = g.nodes.findIndex((p) => p.output === other);
      if (otherProducer > g.nodes.indexOf(producer)) continue;
      pa.residual = other;
      pa.act = (n.attrs as OpAttrs['binary']).act;
      g.nodes.splice(g.nodes.indexOf(n), 1);
      replaceValue(g, n.output, producer.output);
      break;
    }
  }
  return g;
}

/** Drops nodes whose output nothing reads (and is not a graph output), repeatedly. */
export function dropDeadNodes(g: Graph): Graph {
  for (;;) {
    const read = new Set<number>(g.outputs);
    for (const n of g.nodes) for (const v of readsOf(n)) read.add(v);
    const dead = g.nodes.filter((n) => !read.has(n.output));
    if (dead.length === 0) return g;
    g.nodes = g.nodes.filter((n) => read.has(n.output));
  }
}

/** Sorts nodes so every node comes after the producers of what it reads (loaders may emit any order). */
export function sortTopologically(g: Graph): Graph {
  const producer = new Map(g.nodes.map((n) => [n.output, n]));
  const done = new Set<Node>();
  const order: Node[] = [];
  const visit = (n: Node, path: Set<Node>) => {
    if (done.has(n)) return;
    if (path.has(n)) throw new Error(`sepconv: the graph has a cycle through '${n.name}'`);
    path.add(n);
    for (const v of readsOf(n)) {
      const p = producer.get(v);
      if (p) visit(p, path);
    }
    path.delete(n);
    done.add(n);
    order.push(n);
  };
  for (const n of g.nodes) visit(n, new Set());
  g.nodes = order;
  return g;
}

/** Every pass, in the order their rewrites feed each other. */
export function optimize(g: Graph): Graph {
  sortTopologically(g);
  dropIdentities(g);
  concatZerosToPad(g);
  foldScaleShift(g);
  fuseActivations(g);
  fuseResidualAdds(g);
  // An add fused into a conv may leave its activation right after the conv.
  fuseActivations(g);
  return dropDeadNodes(g);
}
