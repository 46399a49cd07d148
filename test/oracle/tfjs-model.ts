// Runs a sepconv layer list in TF.js (tfjs-core ops on the CPU backend) with the
// same Keras-ordered weights and batch norm unfolded: an independent execution
// of the same network for the agreement tests.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { Activation, LayerSpec } from '../../src/index.js';
import { tfjsActivation } from '../../bench/engines/tfjs-ops.js';

await tf.setBackend('cpu');

type T4 = tf.Tensor4D;

/** Layers take no beta: hardSigmoid's default offset (the only layer activation that reads beta). */
const HARD_SIGMOID_BETA = 0.5;

function pair(v: number | readonly [number, number] | undefined): [number, number] {
  if (v === undefined) return [1, 1];
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

export function runTfjs(layers: readonly LayerSpec[], weights: readonly Float32Array[], x: Float32Array, shape: [number, number, number, number]): Float32Array {
  let next = 0;
  const take = (dims: number[]) => tf.tensor(weights[next++] as Float32Array, dims);
  /** A layer's bias (when it has one, of `units` values) and activation, after its op. */
  const finish = (y: tf.Tensor, l: { useBias?: boolean; activation?: Activation }, units: number) =>
    tfjsActivation((l.useBias ?? true) ? tf.add(y, take([units])) : y, l.activation ?? 'linear', 0.2, HARD_SIGMOID_BETA);
  const run = (ls: readonly LayerSpec[], input: tf.Tensor): tf.Tensor => {
    let t = input;
    for (const l of ls) {
      const c = t.shape[t.shape.length - 1] as number;
      switch (l.type) {
        case 'conv2d': {
          const [kh, kw] = pair(l.kernelSize);
          const g = l.groups ?? 1;
          const k = take([kh, kw, c / g, l.filters]) as T4;
          let y: tf.Tensor;
          if (g === 1) y = tf.conv2d(t as T4, k, pair(l.strides), l.padding ?? 'valid', 'NHWC', pair(l.dilation));
          else {
            const xs = tf.split(t, g, 3);
            const ks = tf.split(k, g, 3);
            y = tf.concat(xs.map((xg, i) => tf.conv2d(xg as T4, ks[i] as T4, pair(l.strides), l.padding ?? 'valid', 'NHWC', pair(l.dilation))), 3);
          }
          t = finish(y, l, l.filters);
          break;
        }
        case 'depthwiseConv2d': {
          const [kh, kw] = pair(l.kernelSize);
          const m = l.depthMultiplier ?? 1;
          const y = tf.depthwiseConv2d(t as T4, take([kh, kw, c, m]) as T4, pair(l.strides), l.padding ?? 'valid', 'NHWC', pair(l.dilation));
          t = finish(y, l, c * m);
          break;
        }
        case 'pointwiseConv2d':
          t = finish(tf.conv2d(t as T4, take([1, 1, c, l.filters]) as T4, 1, 'valid'), l, l.filters);
          break;
        case 'separableConv2d': {
          const [kh, kw] = pair(l.kernelSize);
          const m = l.depthMultiplier ?? 1;
          const dw = take([kh, kw, c, m]) as T4;
          const pw = take([1, 1, c * m, l.filters]) as T4;
          t = finish(tf.separableConv2d(t as T4, dw, pw, pair(l.strides), l.padding ?? 'valid', pair(l.dilation)), l, l.filters);
          break;
        }
        case 'batchNorm': {
          const [gamma, beta, mean, variance] = [take([c]), take([c]), take([c]), take([c])];
          t = tf.batchNorm(t, mean as tf.Tensor1D, variance as tf.Tensor1D, beta as tf.Tensor1D, gamma as tf.Tensor1D, l.epsilon ?? 1e-3);
          break;
        }
        case 'activation':
          t = tfjsActivation(t, l.activation, l.alpha ?? 0.2, HARD_SIGMOID_BETA);
          break;
        case 'residual':
          t = tf.add(t, run(l.layers, t));
          break;
        case 'globalAveragePool':
          t = tf.mean(t, [1, 2], true);
          break;
        case 'dense': {
          const n = t.shape[0] as number;
          const y = tf.matMul(tf.reshape(t, [n, c]), take([c, l.units]));
          t = tf.reshape(finish(y, l, l.units), [n, 1, 1, l.units]);
          break;
        }
        case 'flatten':
          t = tf.reshape(t, [t.shape[0] as number, -1]);
          break;
        case 'softmax':
          t = tf.softmax(t);
          break;
      }
    }
    return t;
  };
  return tf.tidy(() => run(layers, tf.tensor4d(x, shape)).dataSync() as Float32Array);
}
