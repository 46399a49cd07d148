// TF.js (WebGPU or WASM backend) as a benchmark engine. Browser only.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.wasm?url';
import { isOnnxCase } from '../lib/cases.js';
import { networkGraph } from '../lib/networks.js';
import type { BenchCase, BenchEngine, CaseData, PreparedCase } from '../lib/types.js';
import { tfjsNetwork } from './tfjs-network.js';
import { tfjsCaseOp, tfjsPrepared } from './tfjs-ops.js';

let wasmPathsSet = false;

/**
 * TF.js on its WebGPU or wasm backend. `threads` (wasm; default 1): XNNPACK's threads,
 * setThreadsCount(threads) before the backend starts. TF.js loads its threaded SIMD build
 * only where shared memory works (WASM_HAS_MULTITHREAD_SUPPORT: a cross-origin isolated
 * page), else the SIMD build on one thread; init() fails unless getThreadsCount() is then
 * `threads`. The backend is one per page: the first wasm engine's init() fixes its threads.
 */
export function createTfjsEngine(backend: 'webgpu' | 'wasm', { threads = 1 }: { threads?: number } = {}): BenchEngine {
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
      if (backend === 'wasm') setThreadsCount(threads);
      const lifted = backend === 'wasm' ? liftThreadsCap(threads) : null;
      try {
        if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend '${backend}' failed to initialise`);
        await tf.ready();
      } finally {
        lifted?.restore();
      }
      if (lifted) console.log(`progress: tfjs-wasm: navigator.hardwareConcurrency shown to TF.js as ${lifted.shown} while it started (really ${lifted.real}), so that its cap allows ${threads} threads`);
      if (backend === 'wasm') {
        const got = getThreadsCount();
        if (got !== threads) {
          const mt = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
          throw new Error(`tfjs-wasm: asked for ${threads} thread(s), XNNPACK runs on ${got} (threaded build: ${mt ? 'yes' : 'no, the page is not cross-origin isolated'})`);
        }
      }
    },
    ...(backend === 'wasm' && { threads: () => getThreadsCount() }),
    async prepare(c: BenchCase, d: CaseData): Promise<PreparedCase> {
      await use();
      if (c.op === 'network') return prepareNetwork(c, d, use);
      return tfjsPrepared(tfjsCaseOp(c, d), use);
    },
    destroy() {},
  };
}

/**
 * TF.js's wasm backend caps XNNPACK's threads at navigator.hardwareConcurrency / 2 (its C++
 * `init_with_threads_count`, assuming two hardware threads per core), whatever
 * setThreadsCount() asks: on a 2-core machine without SMT it would run 1 thread where the
 * bench asks for 2. When that cap is below `threads`, navigator.hardwareConcurrency reads
 * 2·threads until restore() (called once the backend has started: the cap is computed then,
 * on this thread, from Emscripten's emscripten_num_logical_cores()), so that TF.js runs on the
 * threads the other wasm engines get. Null when the cap already allows `threads`.
 */
function liftThreadsCap(threads: number): { shown: number; real: number; restore(): void } | null {
  const real = navigator.hardwareConcurrency;
  if (threads <= Math.floor(real / 2)) return null;
  const shown = 2 * threads;
  Object.defineProperty(navigator, 'hardwareConcurrency', { value: shown, configurable: true });
  return {
    shown,
    real,
    restore: () => {
      // The own property shadows Navigator.prototype's getter: deleting it gives the real value back.
      delete (navigator as { hardwareConcurrency?: number }).hardwareConcurrency;
      if (navigator.hardwareConcurrency !== real) throw new Error('tfjs-wasm: navigator.hardwareConcurrency was not restored');
    },
  };
}

/**
 * A MobileNet case: the network's graph IR after the library's passes (batch norm folded,
 * activations and residual adds fused; see networkGraph), its weights uploaded once as
 * tensors on the engine's backend (use() has switched to it); run(k) = k forward passes,
 * the last one read. On WASM the fused convolutions and the dense head run on XNNPACK, on the
 * engine's threads as the single ops (one by default: the page is not cross-origin isolated,
 * so TF.js loads the non-threaded SIMD build; with bench:browser --threads n > 1, the threaded
 * SIMD build on n).
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
