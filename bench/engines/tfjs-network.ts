// A network as the library's graph IR (src/model/ir.ts), after the library's passes
// (bench/lib/networks.ts: networkGraph), run with tfjs-core ops on whatever TF.js
// backend is current. The passes leave convolutions with batch norm folded, their
// activation and a residual add fused; they run as tf.fused.conv2d /
// tf.fused.depthwiseConv2d with bias and activation, the way a tfjs-converter graph
// model of a Keras MobileNet runs them (FusedConv2D / FusedDepthwiseConv2dNative with
// relu6); the dense head as tf.fused.matMul; residual adds, pooling, reshapes and
// softmax as plain ops. A node the passes left alone (a scale-shift, an activation, a
// binary op) runs as plain ops too, so an unoptimized graph runs as well. Imports only
// tfjs-core, so the unit tests can run it on the CPU backend.

import * as tf from '@tensorflow/tfjs-core';
import type { ActivationSpec } from '../../src/activation.js';
import type { Graph, GraphInput, Node, OpAttrs, Window } from '../../src/model/ir.js';
import { samePadding } from '../../src/shape.js';
import { tfjsActivation } from './tfjs-ops.js';

type T4 = tf.Tensor4D;
type Env = Map<number, tf.Tensor>;

/** The activations tf.fused ops apply themselves. */
function fusedActivation(a: ActivationSpec): tf.fused.Activation | null {
  switch (a.activation) {
    case 'linear':
      return 'linear';
    case 'relu':
      return 'relu';
    case 'relu6':
      return 'relu6';
    case 'sigmoid':
      return 'sigmoid';
    case 'leakyRelu':
      return 'leakyrelu';
    case 'elu':
      return a.alpha === 1 ? 'elu' : null;
    default:
      return null;
  }
}

const activate = (y: tf.Tensor, a: ActivationSpec) => tfjsActivation(y, a.activation, a.alpha, a.beta);

/**
 * How an op's write ends: `options` for the tf.fused op (its activation, or linear when
 * it cannot take it or a residual is added first), then `after` on its result. `finish`
 * adds the residual and applies the activation to a result that has neither.
 */
function writeOf(a: ActivationSpec, residual: number | null) {
  const fused = residual === null ? fusedActivation(a) : null;
  const finish = (y: tf.Tensor, env: Env) => activate(residual === null ? y : tf.add(y, env.get(residual) as tf.Tensor), a);
  const options: { activation: tf.fused.Activation; leakyreluAlpha?: number } = { activation: fused ?? 'linear', ...(fused === 'leakyrelu' && { leakyreluAlpha: a.alpha }) };
  return { options, finish, after: (y: tf.Tensor, env: Env) => (fused !== null ? y : finish(y, env)) };
}

/** TF's own name for a window's padding when it is one ('same', 'valid'), else null (explicit). */
function tfPadding(w: Window, h: number, wd: number): 'same' | 'valid' | null {
  const p = w.pad;
  if (p.top + p.bottom + p.left + p.right === 0) return 'valid';
  const [top, bottom] = samePadding(h, w.kH, w.strideH, w.dilationH);
  const [left, right] = samePadding(wd, w.kW, w.strideW, w.dilationW);
  return p.top === top && p.bottom === bottom && p.left === left && p.right === right ? 'same' : null;
}

/** The input of a windowed op and the padding to run it with: explicit padding becomes tf.pad, then 'valid'. */
function windowed(x: T4, w: Window, pad: 'same' | 'valid' | null): [T4, 'same' | 'valid'] {
  if (pad !== null) return [x, pad];
  return [tf.pad(x, [[0, 0], [w.pad.top, w.pad.bottom], [w.pad.left, w.pad.right], [0, 0]]), 'valid'];
}

/** A network made ready on the current TF.js backend: weights uploaded once. */
export interface TfjsNetwork {
  /** One forward pass on `x` (the graph input's shape and layout); intermediates are freed, the output is the caller's. */
  forward(x: tf.Tensor): tf.Tensor;
  dispose(): void;
}

/** Prepares a graph with one input and one output (see the file comment for how each node runs). */
export function tfjsNetwork(g: Graph): TfjsNetwork {
  if (g.inputs.length !== 1 || g.outputs.length !== 1) throw new Error(`tfjs-network: the bench runs graphs of one input and one output, not ${g.inputs.length} and ${g.outputs.length}`);
  const held: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => {
    held.push(t);
    return t;
  };
  const shape = (v: number) => g.values[v]?.shape as number[];
  const constants = new Map<number, tf.Tensor>();
  for (const v of g.values) if (v.constant) constants.set(v.id, keep(tf.tensor(v.constant, v.shape)));
  // One closure per node, weights uploaded here (not timed).
  const steps = g.nodes.map((n): ((env: Env) => tf.Tensor) => {
    const input = (env: Env, i = 0) => env.get(n.inputs[i] as number) as tf.Tensor;
    switch (n.op) {
      case 'conv': {
        const a = n.attrs as OpAttrs['conv'];
        imageLayout(n, a.layout);
        const [, h, w, cin] = shape(n.inputs[0] as number) as [number, number, number, number];
        const pad = tfPadding(a, h, w);
        const bias = a.bias ? keep(tf.tensor1d(a.bias)) : undefined;
        const write = writeOf(a.act, a.residual);
        const geometry = { strides: [a.strideH, a.strideW] as [number, number], dataFormat: 'NHWC' as const, dilations: [a.dilationH, a.dilationW] as [number, number] };
        const filter = tf.tensor4d(a.filter, [a.kH, a.kW, cin / a.groups, a.outChannels]);
        if (a.groups === 1) {
          keep(filter);
          return (env) => {
            const [x, p] = windowed(input(env) as T4, a, pad);
            return write.after(tf.fused.conv2d({ x, filter, pad: p, ...geometry, bias, ...write.options }), env);
          };
        }
        if (a.groups === cin) {
          // HWIO [kh, kw, 1, C·M] is the depthwise filter [kh, kw, C, M]: the same data.
          const dw = keep(tf.reshape(filter, [a.kH, a.kW, cin, a.outChannels / cin]) as T4);
          filter.dispose();
          return (env) => {
            const [x, p] = windowed(input(env) as T4, a, pad);
            return write.after(tf.fused.depthwiseConv2d({ x, filter: dw, pad: p, ...geometry, bias, ...write.options }), env);
          };
        }
        // Grouped: one conv per group (TF.js has no grouped conv2d), then bias, residual and activation.
        const filters = tf.split(filter, a.groups, 3).map((t) => keep(t as T4));
        filter.dispose();
        return (env) => {
          const [x, p] = windowed(input(env) as T4, a, pad);
          let y: tf.Tensor = tf.concat(tf.split(x, a.groups, 3).map((xg, i) => tf.conv2d(xg as T4, filters[i] as T4, geometry.strides, p, 'NHWC', geometry.dilations)), 3);
          if (bias) y = tf.add(y, bias);
          return write.finish(y, env);
        };
      }
      case 'separable': {
        const a = n.attrs as OpAttrs['separable'];
        imageLayout(n, a.layout);
        const [, h, w, cin] = shape(n.inputs[0] as number) as [number, number, number, number];
        const pad = tfPadding(a, h, w);
        const dw = keep(tf.tensor4d(a.depthwiseFilter, [a.kH, a.kW, cin, a.multiplier]));
        const pw = keep(tf.tensor4d(a.pointwiseFilter, [1, 1, cin * a.multiplier, a.outChannels]));
        const bias = a.bias ? keep(tf.tensor1d(a.bias)) : undefined;
        const write = writeOf(a.act, null);
        return (env) => {
          const [x, p] = windowed(input(env) as T4, a, pad);
          const mid = tf.depthwiseConv2d(x, dw, [a.strideH, a.strideW], p, 'NHWC', [a.dilationH, a.dilationW]);
          return write.after(tf.fused.conv2d({ x: mid, filter: pw, strides: 1, pad: 'valid', bias, ...write.options }), env);
        };
      }
      case 'dense': {
        const a = n.attrs as OpAttrs['dense'];
        const inShape = shape(n.inputs[0] as number);
        const k = inShape[inShape.length - 1] as number;
        const weights = keep(tf.tensor2d(a.weights, [k, a.units]));
        const bias = a.bias ? keep(tf.tensor1d(a.bias)) : undefined;
        const write = writeOf(a.act, a.residual);
        return (env) => {
          const x = input(env);
          const y = tf.fused.matMul({ a: tf.reshape(x, [-1, k]) as tf.Tensor2D, b: weights, bias, ...write.options });
          return write.after(tf.reshape(y, [...x.shape.slice(0, -1), a.units]), env);
        };
      }
      case 'binary': {
        const a = n.attrs as OpAttrs['binary'];
        const op = { add: tf.add, sub: tf.sub, mul: tf.mul, div: tf.div }[a.kind];
        return (env) => activate(op(input(env, 0), input(env, 1)), a.act);
      }
      case 'activation':
        return (env) => activate(input(env), (n.attrs as OpAttrs['activation']).act);
      case 'scaleShift': {
        const a = n.attrs as OpAttrs['scaleShift'];
        const rank = shape(n.inputs[0] as number).length;
        const along = (v: Float32Array) => keep(tf.tensor(v, Array.from({ length: rank }, (_, i) => (i === a.axis ? v.length : 1))));
        const [scale, shift] = [along(a.scale), along(a.shift)];
        return (env) => tf.add(tf.mul(input(env), scale), shift);
      }
      case 'globalAveragePool': {
        const { layout } = n.attrs as OpAttrs['globalAveragePool'];
        return (env) => tf.mean(input(env), layout === 'NCHW' ? [2, 3] : [1, 2], true);
      }
      case 'reshape': {
        const target = (n.attrs as OpAttrs['reshape']).shape;
        return (env) => {
          const x = input(env);
          return tf.reshape(x, target.map((d, i) => (i === 0 && d === -1 ? (x.shape[0] as number) : d)));
        };
      }
      case 'softmax': {
        const rank = shape(n.inputs[0] as number).length;
        const axis = ((n.attrs as OpAttrs['softmax']).axis + rank) % rank;
        if (axis === rank - 1) return (env) => tf.softmax(input(env));
        const perm = Array.from({ length: rank }, (_, i) => (i === axis ? rank - 1 : i === rank - 1 ? axis : i));
        return (env) => tf.transpose(tf.softmax(tf.transpose(input(env), perm)), perm);
      }
      default:
        throw new Error(`tfjs-network: node '${n.name}' (${n.op}): not an op of the bench's TF.js networks`);
    }
  });
  const input = (g.inputs[0] as GraphInput).value;
  const output = g.outputs[0] as number;
  return {
    forward(x) {
      return tf.tidy(() => {
        const env: Env = new Map(constants);
        env.set(input, x);
        g.nodes.forEach((n, i) => env.set(n.output, (steps[i] as (env: Env) => tf.Tensor)(env)));
        return env.get(output) as tf.Tensor;
      });
    },
    dispose() {
      held.forEach((t) => t.dispose());
      held.length = 0;
    },
  };
}

/** The bench's networks are NHWC throughout (sequential() builds them so). */
function imageLayout(n: Node, layout: string): void {
  if (layout !== 'NHWC') throw new Error(`tfjs-network: node '${n.name}' (${n.op}) is ${layout}; the bench's TF.js networks are NHWC`);
}
