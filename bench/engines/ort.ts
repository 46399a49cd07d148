// ONNX Runtime Web as bench engines: the WebGPU execution provider (ort-webgpu) on every case,
// and the wasm execution provider (ort-wasm; one thread, or bench:browser's --threads) on the
// pretrained networks run from their ONNX files (BlazeFace).
//
// Each case is an ONNX model (see onnx-model.ts: one op for an op case; for a MobileNet case an
// export of the network's graph IR, batch norm folded into the Convs, relu6 as Clip, residual
// Add, GlobalAveragePool, the dense head as a 1×1 Conv, Reshape, Softmax; for a BlazeFace case the
// file itself) run by an InferenceSession. The bench's own models are NCHW: the input is
// transposed once (untimed), and rank-4 outputs back to NHWC after the readback. On WebGPU the
// input is uploaded to a GPU buffer once (untimed) and outputs stay on the GPU
// (preferredOutputLocation 'gpu-buffer'): run(k) runs the session k times, disposes the outputs of
// the first k − 1 runs unread, and downloads only the last run's outputs (all of them, in the
// model's order, concatenated as the harness compares them).
//
// Loading: see ort-load.ts.

import type * as Ort from 'onnxruntime-web/webgpu';
import { isOnnxCase } from '../lib/cases';
import { concatenate, nchwToNhwc, nhwcToNchw } from '../lib/layout';
import { errorText } from '../lib/stats';
import type { BenchCase, BenchEngine, CaseData, PreparedCase } from '../lib/types';
import { buildOnnxModel } from './onnx-model';
import { loadOrt, type OrtModule } from './ort-load';

/** A 1×1 Conv on a [1, 1, 1, 1] input: used by init() to check that the execution provider really runs. */
function probeCase(): { c: BenchCase; data: CaseData } {
  return {
    c: { id: 'ort_probe', op: 'pointwise', input: [1, 1, 1, 1], outChannels: 1 },
    data: { x: new Float32Array([2]), pointwise: new Float32Array([3]), outShape: [1, 1, 1, 1] },
  };
}

/** A GPU device with the adapter's full limits and all its features. */
async function fullDevice(): Promise<GPUDevice> {
  if (typeof navigator === 'undefined' || !('gpu' in navigator) || !navigator.gpu) {
    throw new Error('ort-webgpu: WebGPU is not available here (navigator.gpu is missing)');
  }
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error('ort-webgpu: WebGPU is not available here (requestAdapter() returned null)');
  // ORT checks the device's features and limits and uses what it finds, so this gives it at least
  // what it would request for a device of its own (f16, subgroups, timestamp queries, ...).
  const requiredLimits: Record<string, number> = {};
  for (const key in adapter.limits) {
    const v = (adapter.limits as unknown as Record<string, unknown>)[key];
    if (typeof v === 'number') requiredLimits[key] = v;
  }
  const requiredFeatures = [...adapter.features] as GPUFeatureName[];
  return adapter.requestDevice({ requiredLimits, requiredFeatures });
}

/**
 * `threads` (wasm; default 1): env.wasm.numThreads. init() fails unless onnxruntime-web's runtime
 * keeps it (it falls back to 1, with a console warning, where shared memory does not work: a page
 * that is not cross-origin isolated).
 */
export function createOrtEngine(ep: 'webgpu' | 'wasm', { threads = 1 }: { threads?: number } = {}): BenchEngine {
  const name = ep === 'webgpu' ? 'ort-webgpu' : 'ort-wasm';
  let ort: OrtModule | null = null;
  /**
   * WebGPU: our GPUDevice, handed to every session through the EP option `device`: ORT runs on
   * it, and we upload each case's input into a GPU buffer of it. (Without it ORT makes its own
   * device, and may make a new one whenever its last session is released: a buffer made on
   * `env.webgpu.device` earlier then fails validation with "associated with [Device], and cannot
   * be used with [Device]".)
   */
  let device: GPUDevice | null = null;
  const live = new Set<PreparedCase>();

  // Errors only: BlazeFace's files make ORT warn about the initializers its optimizer folds away.
  const options = (dev: GPUDevice | null): Ort.InferenceSession.SessionOptions =>
    dev
      ? {
          executionProviders: [{ name: 'webgpu', device: dev } satisfies Ort.InferenceSession.WebGpuExecutionProviderOption],
          preferredOutputLocation: 'gpu-buffer',
          // Fail rather than quietly run a node on ORT's wasm CPU EP: every node must be on WebGPU.
          extra: { session: { disable_cpu_ep_fallback: '1' } },
          logSeverityLevel: 3,
        }
      : { executionProviders: ['wasm'], logSeverityLevel: 3 };

  return {
    name,
    // The wasm EP takes part in the pretrained networks only (the reference runtime for them).
    ...(ep === 'wasm' && { supports: isOnnxCase }),

    async init(): Promise<void> {
      if (ort) return;
      const dev = ep === 'webgpu' ? await fullDevice() : null;
      const o = await loadOrt(ep, threads);
      // Create and run a tiny session: this loads the wasm (and brings up the WebGPU EP), so a page
      // where it cannot run fails here, with a clear message, rather than in prepare().
      const probe = probeCase();
      let session: Ort.InferenceSession | null = null;
      try {
        const model = buildOnnxModel(probe.c, probe.data);
        session = await o.InferenceSession.create(model.bytes, options(dev));
        const out = await session.run({ [session.inputNames[0] as string]: new o.Tensor('float32', probe.data.x, model.inputDims) });
        const y = out[session.outputNames[0] as string];
        const v = y ? await y.getData(true) : undefined;
        if (!(v instanceof Float32Array) || v[0] !== 6) {
          throw new Error(`probe Conv gave ${v ? String(v[0]) : 'nothing'}, expected 6`);
        }
      } catch (e) {
        dev?.destroy();
        throw new Error(`${name}: the onnxruntime-web ${ep} execution provider is unavailable: ${errorText(e)}`);
      } finally {
        await session?.release();
      }
      // The runtime is up (the probe ran): numThreads is what its global thread pool was made with.
      if (ep === 'wasm' && o.env.wasm.numThreads !== threads) {
        const why = globalThis.crossOriginIsolated === false ? ' (the page is not cross-origin isolated)' : '';
        throw new Error(`${name}: asked for ${threads} thread(s), onnxruntime-web runs on ${String(o.env.wasm.numThreads)}${why}`);
      }
      device = dev;
      ort = o;
    },
    ...(ep === 'wasm' && {
      threads: () => {
        if (!ort) throw new Error(`${name}: init() has not run`);
        return ort.env.wasm.numThreads ?? 1;
      },
    }),

    async prepare(c: BenchCase, data: CaseData): Promise<PreparedCase> {
      if (!ort || (ep === 'webgpu' && !device)) throw new Error(`${name}: init() has not run`);
      const o = ort;
      const dev = device;
      const model = buildOnnxModel(c, data);
      const session = await o.InferenceSession.create(model.bytes, { ...options(dev), graphOptimizationLevel: 'all' });

      // The input, in the model's layout, once: on WebGPU in a GPU buffer of our device that runs read in place.
      const [d0, d1, d2, d3] = model.inputDims as [number, number, number, number];
      const x = model.nchw ? nhwcToNchw(data.x, [d0, d2, d3, d1]) : new Float32Array(data.x);
      let xBuffer: GPUBuffer | null = null;
      let input: Ort.Tensor;
      if (dev) {
        xBuffer = dev.createBuffer({
          size: Math.ceil(x.byteLength / 16) * 16,
          usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
        });
        dev.queue.writeBuffer(xBuffer, 0, x);
        input = o.Tensor.fromGpuBuffer(xBuffer, { dataType: 'float32', dims: model.inputDims });
      } else {
        input = new o.Tensor('float32', x, model.inputDims);
      }
      const feeds: Record<string, Ort.Tensor> = { [session.inputNames[0] as string]: input };

      let disposed = false;
      const prepared: PreparedCase = {
        async run(k: number): Promise<Float32Array> {
          if (disposed) throw new Error(`${name}: case ${c.id} was disposed`);
          if (!(k >= 1)) throw new Error(`${name}: run(k) needs k ≥ 1, got ${k}`);
          let last: Ort.Tensor[] = [];
          for (let i = 0; i < k; i++) {
            const out = await session.run(feeds);
            last.forEach((t) => t.dispose());
            last = session.outputNames.map((n) => {
              const t = out[n];
              if (!t) throw new Error(`${name}: session gave no output '${n}'`);
              return t;
            });
          }
          // getData(true) downloads a GPU output and releases its buffer; for a CPU output it just
          // returns the data.
          const outputs = await Promise.all(
            last.map(async (t) => {
              const d = await t.getData(true);
              if (!(d instanceof Float32Array)) throw new Error(`${name}: output is not float32`);
              return { data: d, dims: t.dims };
            }),
          );
          // Rank-4 outputs of the bench's own (NCHW) models back in NHWC.
          return concatenate(outputs.map((y) => (model.nchw && y.dims.length === 4 ? nchwToNhwc(y.data, y.dims) : y.data)));
        },
        async dispose(): Promise<void> {
          if (disposed) return;
          disposed = true;
          live.delete(prepared);
          await session.release();
          input.dispose();
          xBuffer?.destroy();
        },
      };
      live.add(prepared);
      return prepared;
    },

    async destroy(): Promise<void> {
      for (const p of [...live]) await p.dispose();
      live.clear();
      // The wasm module is a process-wide singleton of onnxruntime-web, with no API to unload it;
      // the device is ours, and no session uses it any more.
      device?.destroy();
      device = null;
      ort = null;
    },
  };
}
