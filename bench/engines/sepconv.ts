// sepconv itself as a benchmark engine (WebGPU, wasm or CPU backend).
import { createEngine, loadOnnx, sequential, type Engine, type Tensor } from 'sepconv';
import { isOnnxCase } from '../lib/cases.js';
import { concatenate } from '../lib/layout.js';
import type { BenchCase, BenchEngine, CaseData, PreparedCase } from '../lib/types.js';

/** Milliseconds of tuning per case for the tuned engine: enough for every candidate of a suite case here. */
const TUNING_BUDGET_MS = 60_000;

/**
 * sepconv as a bench engine on its WebGPU, wasm or CPU backend; `tuned`: WebGPU, each case
 * tuned (engine.tune / model.tune) when it is prepared; `threads`: wasm, the threads it
 * is created with (default 1, passed explicitly: createEngine's own default is min(cores, 4)).
 * init() fails unless the engine runs on exactly that many (more than 1 needs shared memory:
 * Node, or a cross-origin isolated page).
 */
export function createSepconvEngine(
  backend: 'webgpu' | 'wasm' | 'cpu',
  { tuned = false, threads = 1 }: { tuned?: boolean; threads?: number } = {},
): BenchEngine & { engine(): Engine; prepareOn(en: Engine, c: BenchCase, d: CaseData): Promise<PreparedCase> } {
  let engine: Engine | null = null;
  const e = () => {
    if (!engine) throw new Error('sepconv engine not initialised');
    return engine;
  };
  return {
    name: backend === 'cpu' ? 'sepconv-cpu' : backend === 'wasm' ? 'sepconv-wasm' : tuned ? 'sepconv-webgpu-tuned' : 'sepconv-webgpu',
    engine: e,
    async init() {
      if (backend !== 'wasm') {
        engine = await createEngine({ backend });
        return;
      }
      const en = await createEngine({ backend, threads });
      const got = en.threads;
      if (got !== threads) {
        en.destroy();
        const why = threads > 1 && globalThis.crossOriginIsolated === false ? ' (the page is not cross-origin isolated)' : '';
        throw new Error(`sepconv-wasm: asked for ${threads} thread(s), the engine runs on ${got}${why}`);
      }
      engine = en;
    },
    ...(backend === 'wasm' && { threads: () => e().threads }),
    async prepare(c: BenchCase, d: CaseData): Promise<PreparedCase> {
      const p = await this.prepareOn(e(), c, d);
      if (tuned) await p.tune?.({ budgetMs: TUNING_BUDGET_MS });
      return p;
    },
    /** prepare() on a given engine (e.g. one with forced kernel variants). */
    async prepareOn(en: Engine, c: BenchCase, d: CaseData): Promise<PreparedCase> {
      if (isOnnxCase(c)) return prepareOnnx(en, c, d);
      if (c.op === 'network') return prepareNetwork(en, c, d);
      const [, , , cin] = c.input;
      const [kh, kw] = c.kernel ?? [1, 1];
      const m = c.multiplier ?? 1;
      const cout = c.outChannels ?? cin * m;
      const x = en.tensor(d.x, c.input);
      const weights: Tensor[] = [];
      const spatial = { stride: c.stride ?? 1, padding: c.padding ?? ('same' as const) };
      let op: () => Tensor;
      if (c.op === 'depthwise') {
        const w = en.tensor(d.depthwise!, [kh, kw, cin, m]);
        weights.push(w);
        op = () => en.depthwiseConv2d(x, w, spatial);
      } else if (c.op === 'pointwise') {
        const w = en.tensor(d.pointwise!, [cin, cout]);
        weights.push(w);
        op = () => en.pointwiseConv2d(x, w);
      } else if (c.op === 'separable') {
        const dw = en.tensor(d.depthwise!, [kh, kw, cin, m]);
        const pw = en.tensor(d.pointwise!, [cin * m, cout]);
        weights.push(dw, pw);
        op = () => en.separableConv2d(x, dw, pw, spatial);
      } else {
        const w = en.tensor(d.filter!, [kh, kw, cin, cout]);
        weights.push(w);
        op = () => en.conv2d(x, w, spatial);
      }
      return {
        async run(k) {
          let y = op();
          for (let i = 1; i < k; i++) {
            y.dispose(); // still computed: the op is queued; only its buffer is recycled after
            y = op();
          }
          const out = await y.read();
          y.dispose();
          return out;
        },
        dispose() {
          x.dispose();
          weights.forEach((w) => w.dispose());
        },
        tune: (options) => en.tune(op, options),
        explain: () => en.explain(op),
      };
    },
    destroy() {
      engine?.destroy();
      engine = null;
    },
  };
}

/**
 * An ONNX file case (BlazeFace): the file loaded with loadOnnx; run(k) = k predicts, the
 * last one's outputs read (all of them, in the file's order, concatenated).
 */
async function prepareOnnx(en: Engine, c: BenchCase, d: CaseData): Promise<PreparedCase> {
  if (!d.onnx) throw new Error(`sepconv: case ${c.id} has no ONNX file`);
  const model = await loadOnnx(en, d.onnx);
  const x = en.tensor(d.x, c.input);
  const feeds = { [(model.inputs[0] as { name: string }).name]: x };
  const predict = () => model.predict(feeds);
  const free = (outs: Record<string, Tensor>) => Object.values(outs).forEach((t) => t.dispose());
  return {
    async run(k) {
      let outs = predict();
      for (let i = 1; i < k; i++) {
        free(outs); // still computed: the forward pass is queued; its output buffers are recycled after
        outs = predict();
      }
      const parts = await Promise.all(model.outputs.map((o) => (outs[o.name] as Tensor).read()));
      free(outs);
      return concatenate(parts);
    },
    dispose() {
      x.dispose();
      model.dispose();
    },
    tune: (options) => model.tune(feeds, options),
    explain: () => en.explain(predict),
  };
}

/**
 * A MobileNet case: the model built from the case's layers and Keras-ordered weights
 * (batch norm folded by the library); run(k) = k predicts, the last one read.
 */
function prepareNetwork(en: Engine, c: BenchCase, d: CaseData): PreparedCase {
  if (!d.layers || !d.weights) throw new Error(`sepconv: case ${c.id} has no layers or weights`);
  const [, h, w, ch] = c.input;
  const model = sequential(d.layers, { engine: en, inputShape: [h, w, ch], weights: d.weights });
  const x = en.tensor(d.x, c.input);
  return {
    async run(k) {
      let y = model.predict(x);
      for (let i = 1; i < k; i++) {
        y.dispose(); // still computed: the forward pass is queued; its output buffer is recycled after
        y = model.predict(x);
      }
      const out = await y.read();
      y.dispose();
      return out;
    },
    dispose() {
      x.dispose();
      model.dispose();
    },
    tune: (options) => model.tune(x, options),
    explain: () => en.explain(() => model.predict(x)),
  };
}
