// The TF.js side of the benchmark, as tfjs-core ops on whatever backend is current:
// a single-op case's op, the run(k) loop, and activations as plain ops. Shared by the
// bench engine (tfjs.ts: WebGPU and WASM), the demo's WebGPU engine
// (demo/lib/tfjs-webgpu.ts), the CPU comparison (bench/cpu-vs-tfjs.ts), the network
// runner (tfjs-network.ts) and the test oracle (test/oracle/tfjs.ts). Imports only
// tfjs-core: each importer registers the backends it wants.

import * as tf from '@tensorflow/tfjs-core';
import type { Activation } from 'sepconv';
import type { BenchCase, CaseData, PreparedCase } from '../lib/types.js';

/** A single-op case's op, its tensors uploaded once. */
export interface TfjsCaseOp {
  /** One run of the op on the case's input; the output is the caller's. */
  op(): tf.Tensor4D;
  /** Frees the input and weight tensors. */
  dispose(): void;
}

/** The op of a single-op case (TF.js layouts, see CaseData), on the current backend. */
export function tfjsCaseOp(c: BenchCase, d: CaseData): TfjsCaseOp {
  const [, , , cin] = c.input;
  const [kh, kw] = c.kernel ?? [1, 1];
  const m = c.multiplier ?? 1;
  const cout = c.outChannels ?? cin * m;
  const stride = c.stride ?? 1;
  const pad = c.padding ?? 'same';
  const weights = (name: 'depthwise' | 'pointwise' | 'filter', shape: [number, number, number, number]) => {
    const data = d[name];
    if (!data) throw new Error(`tfjs: case ${c.id} has no ${name} weights`);
    return tf.tensor4d(data, shape);
  };
  const x = tf.tensor4d(d.x, c.input);
  const held: tf.Tensor[] = [x];
  let op: () => tf.Tensor4D;
  if (c.op === 'depthwise') {
    const w = weights('depthwise', [kh, kw, cin, m]);
    held.push(w);
    op = () => tf.depthwiseConv2d(x, w, stride, pad);
  } else if (c.op === 'pointwise') {
    const w = weights('pointwise', [1, 1, cin, cout]);
    held.push(w);
    op = () => tf.conv2d(x, w, 1, 'valid');
  } else if (c.op === 'separable') {
    const dw = weights('depthwise', [kh, kw, cin, m]);
    const pw = weights('pointwise', [1, 1, cin * m, cout]);
    held.push(dw, pw);
    op = () => tf.separableConv2d(x, dw, pw, stride, pad);
  } else if (c.op === 'conv2d') {
    const w = weights('filter', [kh, kw, cin, cout]);
    held.push(w);
    op = () => tf.conv2d(x, w, stride, pad);
  } else {
    x.dispose();
    throw new Error(`tfjs: case ${c.id} is a network, not a single op`);
  }
  return { op, dispose: () => held.forEach((t) => t.dispose()) };
}

/**
 * A prepared case whose run(k) calls `r.op()` k times back to back (freeing each
 * output but the last) and reads the last output back. `before` runs first on every
 * run (e.g. switching to the engine's backend).
 */
export function tfjsPrepared(r: { op(): tf.Tensor; dispose(): void }, before?: () => Promise<void>): PreparedCase {
  return {
    async run(k) {
      await before?.();
      let y = r.op();
      for (let i = 1; i < k; i++) {
        y.dispose();
        y = r.op();
      }
      const out = (await y.data()) as Float32Array;
      y.dispose();
      return out;
    },
    dispose: () => r.dispose(),
  };
}

/**
 * An activation as plain ops (elu with alpha ≠ 1: TF.js elu, its negative part scaled;
 * clip: tf.clipByValue(alpha, beta); hardSigmoid: relu6-free, max(0, min(1, alpha·y + beta))).
 * `beta` is read by clip and hardSigmoid only.
 */
export function tfjsActivation<T extends tf.Tensor>(y: T, activation: Activation, alpha: number, beta: number): T {
  switch (activation) {
    case 'linear':
      return y;
    case 'relu':
      return tf.relu(y);
    case 'relu6':
      return tf.relu6(y);
    case 'leakyRelu':
      return tf.leakyRelu(y, alpha);
    case 'sigmoid':
      return tf.sigmoid(y);
    case 'tanh':
      return tf.tanh(y);
    case 'hardSwish':
      return tf.div(tf.mul(y, tf.relu6(tf.add(y, 3))), 6);
    case 'elu':
      return alpha === 1 ? tf.elu(y) : (tf.where(tf.less(y, 0), tf.mul(tf.elu(y), alpha), y) as T);
    case 'clip':
      return tf.clipByValue(y, alpha, beta);
    case 'hardSigmoid':
      return tf.maximum(0, tf.minimum(1, tf.add(tf.mul(y, alpha), beta)));
  }
}
