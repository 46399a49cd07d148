// A lowered network (bench/lib/network-graph.ts: batch norm folded) run with tfjs-core
// ops on whatever TF.js backend is current: the convolutions as tf.fused.conv2d /
// tf.fused.depthwiseConv2d with bias and activation, the way a tfjs-converter graph
// model of a Keras MobileNet runs them (FusedConv2D / FusedDepthwiseConv2dNative with
// relu6); residual adds, pooling, flatten and softmax as plain ops. Imports only
// tfjs-core, so the unit tests can run it on the CPU backend.

import * as tf from '@tensorflow/tfjs-core';
import type { GraphAct, GraphOp, NetworkGraph } from '../lib/network-graph.js';
import { tfjsActivation } from './tfjs-ops.js';

type T4 = tf.Tensor4D;

/** The activations tf.fused ops apply themselves. */
function fusedActivation(a: GraphAct): tf.fused.Activation | null {
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

/** An activation as separate ops. */
function activate(y: tf.Tensor, a: GraphAct): tf.Tensor {
  return tfjsActivation(y, a.activation, a.alpha);
}

/** A network made ready on the current TF.js backend: weights uploaded once. */
export interface TfjsNetwork {
  /** One forward pass on `x` (NHWC [N, H, W, C]); intermediates are freed, the output is the caller's. */
  forward(x: tf.Tensor4D): tf.Tensor;
  dispose(): void;
}

export function tfjsNetwork(g: NetworkGraph): TfjsNetwork {
  const held: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => {
    held.push(t);
    return t;
  };
  // One closure per op, weights uploaded here (not timed).
  const steps = g.ops.map((op: GraphOp): ((v: tf.Tensor[]) => tf.Tensor) => {
    const fused = 'act' in op ? fusedActivation(op.act) : null;
    const after = (y: tf.Tensor) => ('act' in op && fused === null ? activate(y, op.act) : y);
    const extra = (a: GraphAct) => (a.activation === 'leakyRelu' ? { leakyreluAlpha: a.alpha } : {});
    switch (op.kind) {
      case 'conv2d': {
        const [kh, kw] = op.kernel;
        const cin = op.inShape[2] / op.groups;
        const cout = op.outShape[2];
        const bias = op.bias ? keep(tf.tensor1d(op.bias)) : undefined;
        const common = { strides: op.strides, pad: op.padding, dataFormat: 'NHWC' as const, dilations: op.dilation };
        if (op.groups === 1) {
          const filter = keep(tf.tensor4d(op.filter, [kh, kw, cin, cout]));
          return (v) => after(tf.fused.conv2d({ x: v[op.input] as T4, filter, ...common, bias, activation: fused ?? 'linear', ...extra(op.act) }));
        }
        // Grouped: one conv per group (TF.js has no grouped conv2d), then bias and activation.
        const whole = tf.tensor4d(op.filter, [kh, kw, cin, cout]);
        const filters = tf.split(whole, op.groups, 3).map((t) => keep(t as T4));
        whole.dispose();
        return (v) => {
          const xs = tf.split(v[op.input] as T4, op.groups, 3);
          let y: tf.Tensor = tf.concat(xs.map((x, i) => tf.conv2d(x as T4, filters[i] as T4, op.strides, op.padding, 'NHWC', op.dilation)), 3);
          if (bias) y = tf.add(y, bias);
          return activate(y, op.act);
        };
      }
      case 'depthwise': {
        const [kh, kw] = op.kernel;
        const filter = keep(tf.tensor4d(op.filter, [kh, kw, op.inShape[2], op.multiplier]));
        const bias = op.bias ? keep(tf.tensor1d(op.bias)) : undefined;
        return (v) =>
          after(
            tf.fused.depthwiseConv2d({
              x: v[op.input] as T4,
              filter,
              strides: op.strides,
              pad: op.padding,
              dataFormat: 'NHWC',
              dilations: op.dilation,
              bias,
              activation: fused ?? 'linear',
              ...extra(op.act),
            }),
          );
      }
      case 'pointwise': {
        const filter = keep(tf.tensor4d(op.filter, [1, 1, op.inShape[2], op.outShape[2]]));
        const bias = op.bias ? keep(tf.tensor1d(op.bias)) : undefined;
        return (v) => after(tf.fused.conv2d({ x: v[op.input] as T4, filter, strides: 1, pad: 'valid', bias, activation: fused ?? 'linear', ...extra(op.act) }));
      }
      case 'add':
        return (v) => activate(tf.add(v[op.input] as tf.Tensor, v[op.residual] as tf.Tensor), op.act);
      case 'pool':
        return (v) => tf.mean(v[op.input] as tf.Tensor, [1, 2], true);
      case 'flatten':
        return (v) => {
          const x = v[op.input] as tf.Tensor;
          return tf.reshape(x, [x.shape[0] as number, -1]);
        };
      case 'softmax':
        return (v) => tf.softmax(v[op.input] as tf.Tensor);
    }
  });
  return {
    forward(x) {
      return tf.tidy(() => {
        const values: tf.Tensor[] = [x];
        g.ops.forEach((op, i) => (values[op.output] = (steps[i] as (v: tf.Tensor[]) => tf.Tensor)(values)));
        return values[g.output] as tf.Tensor;
      });
    },
    dispose() {
      held.forEach((t) => t.dispose());
      held.length = 0;
    },
  };
}
