// TF.js (WebGPU or WASM backend) as a benchmark engine. Browser only.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.wasm?url';
import { lowerNetwork } from '../lib/network-graph.js';
import type { BenchCase, BenchEngine, CaseData, PreparedCase } from '../lib/types.js';
import { tfjsNetwork } from './tfjs-network.js';

let wasmPathsSet = false;

export function createTfjsEngine(backend: 'webgpu' | 'wasm'): BenchEngine {
  const use = async () => {
    if (tf.getBackend() !== backend) await tf.setBackend(backend);
  };
  return {
    name: backend === 'webgpu' ? 'tfjs-webgpu' : 'tfjs-wasm',
    // The end-to-end network cases compare the WebGPU runtimes (and sepconv's CPU
    // backend); TF.js WASM is not part of them.
    supports: (c: BenchCase) => backend === 'webgpu' || c.op !== 'network',
    async init() {
      if (backend === 'wasm' && !wasmPathsSet) {
        // Vite serves the .wasm files at hashed URLs; tell TF.js where each one is.
        setWasmPaths({
          'tfjs-backend-wasm.wasm': wasmPlain,
          'tfjs-backend-wasm-simd.wasm': wasmSimd,
          'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
        });
        wasmPathsSet = true;
      }
      if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend '${backend}' failed to initialise`);
      await tf.ready();
    },
    async prepare(c: BenchCase, d: CaseData): Promise<PreparedCase> {
      await use();
      if (c.op === 'network') {
        if (backend !== 'webgpu') throw new Error(`tfjs-${backend}: not part of the network benchmark`);
        return prepareNetwork(c, d, use);
      }
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
        const w = tf.tensor4d(d.depthwise!, [kh, kw, cin, m]);
        held.push(w);
        op = () => tf.depthwiseConv2d(x, w, stride, pad);
      } else if (c.op === 'pointwise') {
        const w = tf.tensor4d(d.pointwise!, [1, 1, cin, cout]);
        held.push(w);
        op = () => tf.conv2d(x, w, 1, 'valid');
      } else if (c.op === 'separable') {
        const dw = tf.tensor4d(d.depthwise!, [kh, kw, cin, m]);
        const pw = tf.tensor4d(d.pointwise!, [1, 1, cin * m, cout]);
        held.push(dw, pw);
        op = () => tf.separableConv2d(x, dw, pw, stride, pad);
      } else {
        const w = tf.tensor4d(d.filter!, [kh, kw, cin, cout]);
        held.push(w);
        op = () => tf.conv2d(x, w, stride, pad);
      }
      return {
        async run(k) {
          await use();
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

/**
 * A network case: the layers lowered with batch norm folded (see network-graph.ts),
 * weights uploaded once as tensors; run(k) = k forward passes, the last one read.
 */
function prepareNetwork(c: BenchCase, d: CaseData, use: () => Promise<void>): PreparedCase {
  if (!d.layers || !d.weights) throw new Error(`tfjs: case ${c.id} has no layers or weights`);
  const [, h, w, ch] = c.input;
  const net = tfjsNetwork(lowerNetwork(d.layers, d.weights, [h, w, ch]));
  const x = tf.tensor4d(d.x, c.input);
  return {
    async run(k) {
      await use();
      let y = net.forward(x);
      for (let i = 1; i < k; i++) {
        y.dispose();
        y = net.forward(x);
      }
      const out = (await y.data()) as Float32Array;
      y.dispose();
      return out;
    },
    dispose() {
      x.dispose();
      net.dispose();
    },
  };
}
