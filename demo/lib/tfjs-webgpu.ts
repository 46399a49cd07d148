// TF.js on its WebGPU backend as a benchmark engine for the demo. The page loads
// this module with import() only when the benchmark runs: TF.js is large.
// (bench/engines/tfjs.ts does the same for the full suite, but also pulls in the
// WASM backend and its binaries, which the demo does not need.)

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import type { BenchCase, BenchEngine, CaseData, PreparedCase } from '../../bench/lib/types.js';

export function createTfjsWebgpuEngine(): BenchEngine {
  return {
    name: 'tfjs-webgpu',
    async init() {
      if (!(await tf.setBackend('webgpu'))) throw new Error("TF.js backend 'webgpu' failed to initialise");
      await tf.ready();
    },
    async prepare(c: BenchCase, d: CaseData): Promise<PreparedCase> {
      const [, , , cin] = c.input;
      const [kh, kw] = c.kernel ?? [1, 1];
      const m = c.multiplier ?? 1;
      const cout = c.outChannels ?? cin * m;
      const stride = c.stride ?? 1;
      const pad = c.padding ?? 'same';
      const x = tf.tensor4d(d.x, c.input);
      const held: tf.Tensor[] = [x];
      let op: () => tf.Tensor4D;
      if (c.op === 'depthwise') {
        const w = tf.tensor4d(d.depthwise as Float32Array, [kh, kw, cin, m]);
        held.push(w);
        op = () => tf.depthwiseConv2d(x, w, stride, pad);
      } else if (c.op === 'pointwise') {
        const w = tf.tensor4d(d.pointwise as Float32Array, [1, 1, cin, cout]);
        held.push(w);
        op = () => tf.conv2d(x, w, 1, 'valid');
      } else if (c.op === 'separable') {
        const dw = tf.tensor4d(d.depthwise as Float32Array, [kh, kw, cin, m]);
        const pw = tf.tensor4d(d.pointwise as Float32Array, [1, 1, cin * m, cout]);
        held.push(dw, pw);
        op = () => tf.separableConv2d(x, dw, pw, stride, pad);
      } else {
        const w = tf.tensor4d(d.filter as Float32Array, [kh, kw, cin, cout]);
        held.push(w);
        op = () => tf.conv2d(x, w, stride, pad);
      }
      return {
        async run(k) {
          let y = op();
          for (let i = 1; i < k; i++) {
            y.dispose();
            y = op();
          }
          const out = (await y.data()) as Float32Array;
          y.dispose();
          return out;
        },
        dispose() {
          held.forEach((t) => t.dispose());
        },
      };
    },
    destroy() {},
  };
}
