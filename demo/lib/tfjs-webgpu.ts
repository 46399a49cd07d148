// TF.js on its WebGPU backend as a benchmark engine for the demo. The page loads
// this module with import() only when the benchmark runs: TF.js is large.
// (bench/engines/tfjs.ts does the same for the full suite, but also pulls in the
// WASM backend and its binaries, which the demo does not need; both build their
// ops with bench/engines/tfjs-ops.ts, which imports only tfjs-core.)

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import { tfjsCaseOp, tfjsPrepared } from '../../bench/engines/tfjs-ops.js';
import type { BenchCase, BenchEngine, CaseData, PreparedCase } from '../../bench/lib/types.js';

export function createTfjsWebgpuEngine(): BenchEngine {
  return {
    name: 'tfjs-webgpu',
    async init() {
      if (!(await tf.setBackend('webgpu'))) throw new Error("TF.js backend 'webgpu' failed to initialise");
      await tf.ready();
    },
    async prepare(c: BenchCase, d: CaseData): Promise<PreparedCase> {
      return tfjsPrepared(tfjsCaseOp(c, d));
    },
    destroy() {},
  };
}
