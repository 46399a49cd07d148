// A test oracle for loaders: evaluates a graph IR (src/model/ir.ts) with
// TF.js ops on the CPU backend, node by node, as ir.ts defines each op. It
// checks that a translation means what the source model means (compare with
// the source framework's own predict), independently of sepconv's passes,
// planner and kernels. Rewrites where TF.js lacks a case, never into sepconv code:
// - explicit padding: tf.pad, then 'valid' (max pooling pads with -Infinity;
//   average pooling without counting padding: sum of the zero-padded input /
//   number of valid elements, both by an average pool of the padded tensors);
// - NCHW operands: transposed to NHWC and back;
// - groups other than 1 or Cin: split, convolve, concatenate.

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { tfjsActivation } from '../../bench/engines/tfjs-ops.js';
import type { ActivationSpec } from '../../src/activation.js';
import type { Graph, ImageLayout, Node, OpAttrs, Window } from '../../src/model/ir.js';

await tf.setBackend('cpu');

type T4 = tf.Tensor4D;

const act = (y: tf.Tensor, a: ActivationSpec) => tfjsActivation(y, a.activation, a.alpha, a.beta);

const toNhwc = (x: tf.Tensor, layout: ImageLayout) => (layout === 'NCHW' ? tf.transpose(x, [0, 2, 3, 1]) : x) as T4;
const fromNhwc = (x: tf.Tensor, layout: ImageLayout) => (layout === 'NCHW' ? tf.transpose(x, [0, 3, 1, 2]) : x) as T4;

function padded(x: T4, w: Window, value = 0): T4 {
  const { top, bottom, left, right } = w.pad;
  if (top + bottom + left + right === 0) return x;
  return tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]], value);
}

function conv(x: T4, a: OpAttrs['conv']): T4 {
  const cin = x.shape[3];
  const cpg = cin / a.groups;
  const opg = a.outChannels / a.groups;
  const f = tf.tensor4d(a.filter, [a.kH, a.kW, cpg, a.outChannels]);
  const s: [number, number] = [a.strideH, a.strideW];
  const d: [number, number] = [a.dilationH, a.dilationW];
  const xp = padded(x, a);
  if (a.groups === 1) return tf.conv2d(xp, f, s, 'valid', 'NHWC', d);
  if (a.groups === cin) return tf.depthwiseConv2d(xp, tf.reshape(f, [a.kH, a.kW, cin, opg]), s, 'valid', 'NHWC', d);
  const xs = tf.split(xp, a.groups, 3);
  const fs = tf.split(f, a.groups, 3);
  return tf.concat(xs.map((xg, g) => tf.conv2d(xg as T4, fs[g] as T4, s, 'valid', 'NHWC', d)), 3);
}

function pool(x: T4, a: OpAttrs['pool']): T4 {
  const k: [number, number] = [a.kH, a.kW];
  const s: [number, number] = [a.strideH, a.strideW];
  if (a.kind === 'max') return tf.maxPool(padded(x, a, -Infinity), k, s, 'valid');
  const sum = tf.avgPool(padded(x, a), k, s, 'valid');
  if (a.countIncludePad) return sum;
  const ones = tf.onesLike(x);
  return tf.div(sum, tf.avgPool(padded(ones, a), k, s, 'valid')) as T4;
}

/** Broadcasts a per-channel vector along `axis` of a rank-`rank` tensor. */
const along = (v: Float32Array, axis: number, rank: number) => tf.tensor(v, Array.from({ length: rank }, (_, i) => (i === axis ? v.length : 1)));

function run(n: Node, ins: tf.Tensor[], env: Map<number, tf.Tensor>): tf.Tensor {
  const x = ins[0] as tf.Tensor;
  switch (n.op) {
    case 'conv': {
      const a = n.attrs as OpAttrs['conv'];
      let y: tf.Tensor = conv(toNhwc(x, a.layout), a);
      if (a.bias) y = tf.add(y, tf.tensor1d(a.bias));
      y = fromNhwc(y, a.layout);
      if (a.residual !== null) y = tf.add(y, env.get(a.residual) as tf.Tensor);
      return act(y, a.act);
    }
    case 'separable': {
      const a = n.attrs as OpAttrs['separable'];
      const xi = toNhwc(x, a.layout);
      const c = xi.shape[3];
      const dw = tf.tensor4d(a.depthwiseFilter, [a.kH, a.kW, c, a.multiplier]);
      const pw = tf.tensor4d(a.pointwiseFilter, [1, 1, c * a.multiplier, a.outChannels]);
      let y: tf.Tensor = tf.separableConv2d(padded(xi, a), dw, pw, [a.strideH, a.strideW], 'valid', [a.dilationH, a.dilationW]);
      if (a.bias) y = tf.add(y, tf.tensor1d(a.bias));
      return act(fromNhwc(y, a.layout), a.act);
    }
    case 'dense': {
      const a = n.attrs as OpAttrs['dense'];
      const k = x.shape[x.shape.length - 1] as number;
      let y: tf.Tensor = tf.matMul(tf.reshape(x, [-1, k]), tf.tensor2d(a.weights, [k, a.units]));
      if (a.bias) y = tf.add(y, tf.tensor1d(a.bias));
      y = tf.reshape(y, [...x.shape.slice(0, -1), a.units]);
      if (a.residual !== null) y = tf.add(y, env.get(a.residual) as tf.Tensor);
      return act(y, a.act);
    }
    case 'matmul':
      return tf.matMul(x as tf.Tensor2D, ins[1] as tf.Tensor2D);
    case 'binary': {
      const a = n.attrs as OpAttrs['binary'];
      const b = ins[1] as tf.Tensor;
      const y = a.kind === 'add' ? tf.add(x, b) : a.kind === 'sub' ? tf.sub(x, b) : a.kind === 'mul' ? tf.mul(x, b) : tf.div(x, b);
      return act(y, a.act);
    }
    case 'activation':
      return act(x, (n.attrs as OpAttrs['activation']).act);
    case 'scaleShift': {
      const a = n.attrs as OpAttrs['scaleShift'];
      return tf.add(tf.mul(x, along(a.scale, a.axis, x.rank)), along(a.shift, a.axis, x.rank));
    }
    case 'concat':
      return tf.concat(ins, (n.attrs as OpAttrs['concat']).axis);
    case 'pad': {
      const { pads, value } = n.attrs as OpAttrs['pad'];
      return tf.pad(x, x.shape.map((_, i) => [pads[i] as number, pads[i + x.rank] as number]), value);
    }
    case 'pool': {
      const a = n.attrs as OpAttrs['pool'];
      return fromNhwc(pool(toNhwc(x, a.layout), a), a.layout);
    }
    case 'globalAveragePool': {
      const { layout } = n.attrs as OpAttrs['globalAveragePool'];
      return tf.mean(x, layout === 'NCHW' ? [2, 3] : [1, 2], true);
    }
    case 'softmax': {
      const last = x.rank - 1;
      // Negative axes count from the end, as in the IR.
      const axis = ((n.attrs as OpAttrs['softmax']).axis + x.rank) % x.rank;
      if (axis === last) return tf.softmax(x);
      const perm = x.shape.map((_, i) => (i === axis ? last : i === last ? axis : i));
      return tf.transpose(tf.softmax(tf.transpose(x, perm)), perm);
    }
    case 'reshape': {
      const { shape } = n.attrs as OpAttrs['reshape'];
      return tf.reshape(x, shape.map((d, i) => (i === 0 && d === -1 ? (x.shape[0] as number) : d)));
    }
    case 'transpose':
      return tf.transpose(x, (n.attrs as OpAttrs['transpose']).perm);
    case 'identity':
      return x;
  }
}

/**
 * Runs `graph` on `inputs` (one tensor per graph input, in the input's declared
 * layout and logical shape) and returns the outputs' data, in graph order.
 */
export function evaluateGraph(graph: Graph, inputs: readonly { data: Float32Array; shape: readonly number[] }[]): Float32Array[] {
  return tf.tidy(() => {
    const env = new Map<number, tf.Tensor>();
    graph.inputs.forEach((inp, i) => {
      const given = inputs[i];
      if (!given) throw new Error(`evaluateGraph: no data for input ${i}`);
      env.set(inp.value, tf.tensor(given.data, [...given.shape]));
    });
    for (const v of graph.values) if (v.constant) env.set(v.id, tf.tensor(v.constant, v.shape));
    for (const n of graph.nodes) {
      const ins = n.inputs.map((v) => {
        const t = env.get(v);
        if (!t) throw new Error(`evaluateGraph: node '${n.name}' reads value ${v} before it is computed`);
        return t;
      });
      const y = run(n, ins, env);
      const want = graph.values[n.output]?.shape as number[];
      if (y.rank !== want.length || want.some((d, i) => d !== -1 && d !== y.shape[i])) {
        throw new Error(`evaluateGraph: node '${n.name}' (${n.op}) computed [${y.shape.join(', ')}], the graph says [${want.join(', ')}]`);
      }
      env.set(n.output, y);
    }
    return graph.outputs.map((v) => (env.get(v) as tf.Tensor).dataSync() as Float32Array);
  });
}
