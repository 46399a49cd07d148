// TF.js (WebGPU or WASM backend) as a benchmark engine. Browser only.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.wasm?url';
import { isOnnxCase } from '../lib/cases.js';
import { networkGraph } from '../lib/networks.js';
import type { BenchCase, BenchEngine, CaseData, PreparedCase } from '../lib/types.js';
import { tfjsNetwork } from './tfjs-network.js';
import { tfjsCaseOp, tfjsPrepared } from './tfjs-ops.js';

let wasmPathsSet = false;

export function createTfjsEngine(backend: 'webgpu' | 'wasm'): BenchEngine {
  const use = async () => {
    if (tf.getBackend() !== backend) await tf.setBackend(backend);
  };
  return {
    name: backend === 'webgpu' ? 'tfjs-webgpu' : 'tfjs-wasm',
    // Both backends run the MobileNet cases (the same graph on the same tfjs-core ops, see
    // tfjs-network.ts): WASM there is the CPU baseline sepconv-wasm is measured against
    // end to end, as on the single ops. The pretrained networks are ONNX files, which
    // TF.js does not load: neither backend takes part in those.
    supports: (c: BenchCase) => !isOnnxCase(c),
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
      if (c.op === 'network') return prepareNetwork(c, d, use);
      return tfjsPrepared(tfjsCaseOp(c, d), use);
    },
    destroy() {},
  };
}

/**
 * A MobileNet case: the network's graph IR after the library's passes (batch norm folded,
 * activations and residual adds fused; see networkGraph), its weights uploaded once as
 * tensors on the engine's backend (use() has switched to it); run(k) = k forward passes,
 * the last one read. On WASM the fused convolutions and the dense head run on XNNPACK, one
 * thread as for the single ops (the page is not cross-origin isolated, so TF.js loads the
 * non-threaded SIMD build).
 */
function prepareNetwork(c: BenchCase, d: CaseData, use: () => Promise<void>): PreparedCase {
  if (!d.layers || !d.weights) throw new Error(`tfjs: case ${c.id} has no layers or weights`);
  const [, h, w, ch] = c.input;
  const net = tfjsNetwork(networkGraph(d.layers, d.weights, [h, w, ch]));
  const x = tf.tensor4d(d.x, c.input);
  const op = () => net.forward(x);
  const dispose = () => {
    x.dispose();
    net.dispose();
  };
  return tfjsPrepared({ op, dispose }, use);
}
