// ONNX Runtime Web, WebGPU execution provider, as a bench engine.
//
// Each case becomes an ONNX model (see onnx-model.ts: one op for an op case; for a network case
// an export of the whole network, batch norm folded into the Convs, relu6 as Clip, residual Add,
// GlobalAveragePool, the dense head as a 1×1 Conv, Flatten, Softmax) run by an InferenceSession
// on the 'webgpu' EP. The input is transposed to NCHW once and uploaded to a GPU buffer once (both
// untimed); outputs stay on the GPU (preferredOutputLocation 'gpu-buffer'): run(k) runs the
// session k times, disposes the k − 1 intermediate output tensors unread, and downloads only the
// last one, which it transposes back to NHWC.
//
// Loading: `onnxruntime-web/webgpu` resolves (package exports, "import" → "default") to
// dist/ort.webgpu.bundle.min.mjs, which inlines its Emscripten glue (.mjs) and loads only the
// .wasm (ort-wasm-simd-threaded.asyncify.wasm, the native WebGPU EP build) at run time. We import
// that .wasm with Vite's `?url` and hand it to `env.wasm.wasmPaths.wasm`, so its location never
// depends on `import.meta.url` of the (possibly pre-bundled) JS: this works in `vite dev` (with or
// without onnxruntime-web in optimizeDeps) and in `vite build` + `vite preview` (the .wasm is
// emitted as an asset). Single-threaded (numThreads = 1, no worker, no proxy): the bench page is
// not cross-origin isolated.

import type * as Ort from 'onnxruntime-web/webgpu';
import { nchwToNhwc, nhwcToNchw } from '../lib/layout';
import { errorText } from '../lib/stats';
import type { BenchCase, BenchEngine, CaseData, PreparedCase } from '../lib/types';
import { buildOnnxModel } from './onnx-model';

type OrtModule = typeof Ort;

/** A 1×1 Conv on a [1, 1, 1, 1] input: used by init() to check that the WebGPU EP really runs. */
function probeCase(): { c: BenchCase; data: CaseData } {
  return {
    c: { id: 'ort_probe', op: 'pointwise', input: [1, 1, 1, 1], outChannels: 1 },
    data: { x: new Float32Array([2]), pointwise: new Float32Array([3]), outShape: [1, 1, 1, 1] },
  };
}

export function createOrtEngine(): BenchEngine {
  let ort: OrtModule | null = null;
  /**
   * Our GPUDevice, handed to every session through the EP option `device`: ORT runs on it, and we
   * upload each case's input into a GPU buffer of it. (Without it ORT makes its own device, and may
   * make a new one whenever its last session is released: a buffer made on `env.webgpu.device`
   * earlier then fails validation with "associated with [Device], and cannot be used with [Device]".)
   */
  let device: GPUDevice | null = null;
  const live = new Set<PreparedCase>();

  const ep = (d: GPUDevice): Ort.InferenceSession.WebGpuExecutionProviderOption => ({ name: 'webgpu', device: d });

  return {
    name: 'ort-webgpu',

    async init(): Promise<void> {
      if (ort) return;
      if (typeof navigator === 'undefined' || !('gpu' in navigator) || !navigator.gpu) {
        throw new Error('ort-webgpu: WebGPU is not available here (navigator.gpu is missing)');
      }
      const adapter = await navigator.gpu.requestAdapter();
      if (!adapter) throw new Error('ort-webgpu: WebGPU is not available here (requestAdapter() returned null)');
      // The adapter's full limits and all its features (f16, subgroups, timestamp queries, ...):
      // ORT checks the device's features and limits and uses what it finds, so this gives it at
      // least what it would request for a device of its own.
      const requiredLimits: Record<string, number> = {};
      for (const key in adapter.limits) {
        const v = (adapter.limits as unknown as Record<string, unknown>)[key];
        if (typeof v === 'number') requiredLimits[key] = v;
      }
      const requiredFeatures = [...adapter.features] as GPUFeatureName[];
      const dev = await adapter.requestDevice({ requiredLimits, requiredFeatures });

      const [mod, wasm] = await Promise.all([
        import('onnxruntime-web/webgpu'),
        import('onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url'),
      ]);
      const m = mod as OrtModule & { default?: OrtModule };
      const o: OrtModule = m.InferenceSession ? m : (m.default ?? m);
      o.env.wasm.numThreads = 1;
      o.env.wasm.proxy = false;
      o.env.wasm.wasmPaths = { wasm: new URL(wasm.default, location.href).href };
      o.env.logLevel = 'error';

      // Create and run a tiny session: this loads the wasm and brings up the WebGPU EP, so a page
      // where it cannot run fails here, with a clear message, rather than in prepare().
      const probe = probeCase();
      let session: Ort.InferenceSession | null = null;
      try {
        const model = buildOnnxModel(probe.c, probe.data);
        session = await o.InferenceSession.create(model.bytes, {
          executionProviders: [ep(dev)],
          extra: { session: { disable_cpu_ep_fallback: '1' } },
        });
        const out = await session.run({ x: new o.Tensor('float32', probe.data.x, model.inputDims) });
        const y = out.y;
        const v = y ? await y.getData(true) : undefined;
        if (!(v instanceof Float32Array) || v[0] !== 6) {
          throw new Error(`probe Conv gave ${v ? String(v[0]) : 'nothing'}, expected 6`);
        }
      } catch (e) {
        dev.destroy();
        throw new Error(`ort-webgpu: the onnxruntime-web WebGPU execution provider is unavailable: ${errorText(e)}`);
      } finally {
        await session?.release();
      }
      device = dev;
      ort = o;
    },

    async prepare(c: BenchCase, data: CaseData): Promise<PreparedCase> {
      if (!ort || !device) throw new Error('ort-webgpu: init() has not run');
      const o = ort;
      const dev = device;
      const model = buildOnnxModel(c, data);
      const session = await o.InferenceSession.create(model.bytes, {
        executionProviders: [ep(dev)],
        graphOptimizationLevel: 'all',
        preferredOutputLocation: 'gpu-buffer',
        // Fail rather than quietly run a node on ORT's wasm CPU EP: every node must be on WebGPU.
        extra: { session: { disable_cpu_ep_fallback: '1' } },
      });

      // The input, NCHW, in a GPU buffer of our device, once: runs read it in place.
      const [, C, H, W] = model.inputDims;
      const xNchw = nhwcToNchw(data.x, [1, H, W, C]);
      const xBuffer = dev.createBuffer({
        size: Math.ceil(xNchw.byteLength / 16) * 16,
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      });
      dev.queue.writeBuffer(xBuffer, 0, xNchw);
      const input = o.Tensor.fromGpuBuffer(xBuffer, { dataType: 'float32', dims: model.inputDims });
      const feeds: Record<string, Ort.Tensor> = { [model.inputName]: input };
      const [, Cout, Ho, Wo] = model.outputDims;

      let disposed = false;
      const prepared: PreparedCase = {
        async run(k: number): Promise<Float32Array> {
          if (disposed) throw new Error(`ort-webgpu: case ${c.id} was disposed`);
          if (!(k >= 1)) throw new Error(`ort-webgpu: run(k) needs k ≥ 1, got ${k}`);
          let last: Ort.Tensor | undefined;
          for (let i = 0; i < k; i++) {
            const out = await session.run(feeds);
            // Outputs other than the one we return (there are none, but be safe) are freed at once.
            for (const [name, t] of Object.entries(out)) if (name !== model.outputName) t.dispose();
            last?.dispose();
            last = out[model.outputName];
            if (!last) throw new Error(`ort-webgpu: session gave no output '${model.outputName}'`);
          }
          // getData(true) downloads a GPU output and releases its buffer; for a CPU output it just
          // returns the data.
          const y = await last!.getData(true);
          if (!(y instanceof Float32Array)) throw new Error('ort-webgpu: output is not float32');
          return nchwToNhwc(y, [1, Cout, Ho, Wo]);
        },
        async dispose(): Promise<void> {
          if (disposed) return;
          disposed = true;
          live.delete(prepared);
          await session.release();
          input.dispose();
          xBuffer.destroy();
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
