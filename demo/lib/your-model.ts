// Section 7: Your model. An .onnx file, or a TF.js layers model.json with its .bin
// weight shards, dropped or picked (or one of the shipped examples), loaded with
// loadOnnx / loadLayersModel on the active backend: its inputs and outputs, parameter
// counts, FLOPs and memory plan, the time of predict (median of a few runs after the
// first) and of every op (model.profile), and its top output values on the current
// image when its input is an RGB image (fitted to the input size, in the layout the
// input declares, scaled to 0…1 or −1…1), else on zeros. Loader errors
// (UNSUPPORTED_OP with the list of supported ops, BAD_MODEL saying what and where)
// are shown as they are. As in the network panel the model is loaded for each run and
// disposed after it: the page holds no model memory between runs.

import { letterboxImage, loadLayersModel, loadOnnx, SepconvError, type Engine, type Model, type ModelInput, type Tensor } from 'sepconv';
import { nhwcToNchw } from '../../bench/lib/layout.js';
import { errorText, median } from '../../bench/lib/stats.js';
import { activeEngine, backendLabel, type App } from './app.js';
import { acceptDrops, el, nextFrame, setText, showTimingMethod } from './dom.js';
import { fmtBytes, fmtInt, fmtMs, fmtShort } from './format.js';
import { centreCrop, drawRgb, stretched, type RgbImage } from './image.js';
import { BLAZEFACE_FILES, fetchAsset, KERAS_EXAMPLE_FILES, type AssetFile } from './model-assets.js';
import { modelFromFiles, type ModelFiles, type PickedFile } from './model-files.js';
import { predictRead, timedRuns, topK } from './run-model.js';
import { coalesce, exclusive } from './tasks.js';

type Fit = 'letterbox' | 'crop' | 'stretch';

/** The shipped examples, with the input scaling and fit their models expect. */
const EXAMPLES: Record<string, { files: readonly AssetFile[]; scale: string; fit: Fit }> = {
  'user-example-front': { files: [BLAZEFACE_FILES.front], scale: '-1,1', fit: 'letterbox' },
  'user-example-back': { files: [BLAZEFACE_FILES.back], scale: '-1,1', fit: 'letterbox' },
  'user-example-keras': { files: KERAS_EXAMPLE_FILES, scale: '-1,1', fit: 'crop' },
};

/** Outputs shown with their top values (a model may have many). */
const SHOWN_OUTPUTS = 4;
const TOP = 5;

const shape = (s: readonly (number | null)[]) => `[${s.map((d) => (d === null ? '?' : d)).join(', ')}]`;

/** Where an image goes in an input: its size and layout, or null when the input is not an RGB image. */
function imageInput(input: ModelInput): { height: number; width: number; nchw: boolean } | null {
  const s = input.shape;
  if (s.length !== 4) return null;
  const nchw = input.layout === 'NCHW';
  const [c, h, w] = nchw ? [s[1], s[2], s[3]] : [s[3], s[1], s[2]];
  if (c !== 3 || typeof h !== 'number' || typeof w !== 'number') return null;
  return { height: h, width: w, nchw };
}

/** Value → 3 significant digits, exponent form when far from 1. */
function fmtValue(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : v.toPrecision(3);
}

/** The element index of flat position `i` in `dims`, as "[a, b, c]". */
function indexOf(i: number, dims: readonly number[]): string {
  const idx: number[] = [];
  for (let k = dims.length - 1; k >= 0; k--) {
    const d = dims[k] as number;
    idx.unshift(i % d);
    i = Math.floor(i / d);
  }
  return `[${idx.join(', ')}]`;
}

/** What a run measured, for the page to show. */
interface Result {
  name: string;
  format: string;
  backend: Engine['backend'];
  loadMs: number;
  inputs: readonly ModelInput[];
  /** As declared (null: any size), the dims of this run (batch 1), and the data. */
  outputs: { name: string; shape: (number | null)[]; dims: number[]; data: Float32Array }[];
  params: ReturnType<Model['params']>;
  flops: number;
  plan: ReturnType<Model['memoryPlan']>;
  summary: string;
  firstMs: number;
  times: number[];
  method: 'timestamps' | 'wall clock';
  ops: { name: string; op: string; ms: number }[];
  inputNote: string;
}

export class YourModelPanel {
  private source: ModelFiles | null = null;
  /** Loads and runs the current source; calls while it runs coalesce into one more run. */
  private readonly request: () => void;

  constructor(private readonly app: App) {
    this.request = coalesce(
      () => this.run(),
      (e) => this.fail(e),
      (busy) => {
        el<HTMLButtonElement>('user-run').disabled = busy || this.source === null;
      },
    );
    const file = el<HTMLInputElement>('user-file');
    file.addEventListener('change', () => {
      const files = [...(file.files ?? [])];
      file.value = '';
      if (files.length > 0) void this.useFiles(files);
    });
    acceptDrops(el('user-drop'), (files) => void this.useFiles(files));
    for (const [id, example] of Object.entries(EXAMPLES)) {
      el(id).addEventListener('click', () => {
        el<HTMLSelectElement>('user-scale').value = example.scale;
        el<HTMLSelectElement>('user-fit').value = example.fit;
        void this.useFiles(example.files);
      });
    }
    el('user-run').addEventListener('click', () => this.request());
    for (const id of ['user-scale', 'user-fit']) el(id).addEventListener('change', () => this.source && this.request());
  }

  private status(text: string, state: 'idle' | 'busy' | 'done' | 'error'): void {
    const out = el('user-status');
    out.textContent = text;
    out.dataset.state = state;
  }

  /**
   * Shows an error as it is: a SepconvError's code and message (UNSUPPORTED_OP lists what
   * sepconv runs). Not logged to the console: a file sepconv cannot run is the user's
   * news, not the page's fault, and the panel says all there is to say.
   */
  private fail(e: unknown): void {
    const code = e instanceof SepconvError ? e.code : '';
    const box = el('user-error');
    box.hidden = false;
    box.dataset.code = code;
    setText('user-error-code', code || 'Error');
    setText('user-error-text', errorText(e));
    this.status(`Failed${code ? ` (${code})` : ''}: see the message below.`, 'error');
  }

  /** Reads the files (File objects or shipped assets), finds the model in them, and runs it. */
  private async useFiles(files: readonly (File | AssetFile)[]): Promise<void> {
    this.status(`Reading ${files.map((f) => f.name).join(', ')}…`, 'busy');
    el('user-error').hidden = true;
    try {
      const picked: PickedFile[] = await Promise.all(
        files.map(async (f) => ({ name: f.name, data: f instanceof File ? await f.arrayBuffer() : await fetchAsset(f) })),
      );
      this.source = modelFromFiles(picked);
    } catch (e) {
      this.source = null;
      this.clear();
      this.fail(e);
      return;
    }
    this.request();
  }

  /** Loads the source on the active engine, runs and profiles it, and disposes everything it made. */
  private async run(): Promise<void> {
    const src = this.source;
    if (!src) return;
    el('user-error').hidden = true;
    this.status('Waiting for the other sections…', 'busy');
    let r: Result;
    try {
      r = await exclusive(() => this.measure(src));
    } catch (e) {
      this.clear();
      throw e;
    }
    this.show(r);
    this.status(
      `Done: ${r.name} on ${backendLabel(r.backend)}; loaded in ${fmtMs(r.loadMs)}, ${1 + r.times.length} runs and a profile.`,
      'done',
    );
  }

  private async measure(src: ModelFiles): Promise<Result> {
    const engine = activeEngine(this.app);
    const step = async (text: string) => {
      this.status(text, 'busy');
      await nextFrame();
    };
    await step(`Loading ${src.name} on ${backendLabel(engine.backend)}…`);
    const t0 = performance.now();
    const model = src.format === 'onnx' ? await loadOnnx(engine, src.bytes) : await loadLayersModel(engine, src.artifacts);
    const loadMs = performance.now() - t0;
    const made: Tensor[] = [];
    try {
      const { feeds, note } = this.feeds(engine, model, made);
      await step(engine.backend === 'webgpu' ? 'First run: compiles the shaders on first use…' : 'First run…');
      const first = await predictRead(model, feeds);
      const { times, last } = await timedRuns(
        () => predictRead(model, feeds),
        (i) => step(`Timing predict: run ${i + 1}…`),
      );
      await step(engine.backend === 'webgpu' ? 'Profiling every op…' : 'Profiling every op (wall clock)…');
      const profile = await model.profile(feeds);
      return {
        name: src.name,
        format: src.format === 'onnx' ? 'ONNX' : `TF.js layers, ${src.shards.length} shard${src.shards.length === 1 ? '' : 's'}`,
        backend: engine.backend,
        loadMs,
        inputs: model.inputs,
        outputs: model.outputs.map((o, i) => ({
          name: o.name,
          shape: o.shape,
          dims: o.shape.map((d) => d ?? 1),
          data: last.outputs[i] as Float32Array,
        })),
        params: model.params(),
        flops: model.flops(),
        plan: model.memoryPlan(1),
        summary: model.summary(),
        firstMs: first.ms,
        times,
        method: profile.method,
        ops: profile.layers,
        inputNote: note,
      };
    } finally {
      for (const t of made) t.dispose();
      model.dispose();
      // The model's weights and buffers went back to the pool: free them for real.
      if (!engine.isLost) engine.trim();
    }
  }

  /**
   * One tensor per input, batch 1: the current image for an RGB image input (fitted and
   * scaled as the controls say, in the input's layout), zeros for any other input.
   */
  private feeds(engine: Engine, model: Model, made: Tensor[]): { feeds: Record<string, Tensor>; note: string } {
    const [lo, hi] = el<HTMLSelectElement>('user-scale').value.split(',').map(Number) as [number, number];
    const fit = el<HTMLSelectElement>('user-fit').value as Fit;
    const feeds: Record<string, Tensor> = {};
    const notes: string[] = [];
    let previewed = false;
    for (const input of model.inputs) {
      const dims = input.shape.map((d, i) => {
        if (d !== null) return d;
        if (i === 0) return 1;
        throw new Error(`Input '${input.name}' ${shape(input.shape)} has an open size besides the batch: the panel cannot choose one.`);
      });
      const img = imageInput(input);
      let data: Float32Array;
      if (img) {
        const nhwc = this.imageData(img.width, img.height, fit, lo, hi);
        if (!previewed) this.preview(nhwc, img.width, img.height, lo, hi);
        previewed = true;
        data = img.nchw ? nhwcToNchw(nhwc, [1, img.height, img.width, 3]) : nhwc;
        notes.push(`'${input.name}': the current image, ${fit === 'crop' ? 'centre-cropped' : fit === 'letterbox' ? 'letterboxed' : 'stretched'} to ${img.width}×${img.height}, ${lo}…${hi}, ${img.nchw ? 'NCHW' : 'NHWC'}`);
      } else {
        data = new Float32Array(dims.reduce((a, d) => a * d, 1));
        notes.push(`'${input.name}' ${shape(dims)}: zeros (not an RGB image input)`);
      }
      const t = engine.tensor(data, dims, dims.length === 4 && input.layout ? { layout: input.layout } : {});
      made.push(t);
      feeds[input.name] = t;
    }
    if (!previewed) {
      const canvas = el<HTMLCanvasElement>('user-input');
      canvas.getContext('2d')?.clearRect(0, 0, canvas.width, canvas.height);
    }
    return { feeds, note: notes.join('; ') };
  }

  /** The page's image fitted to width × height, NHWC, values mapped from 0…1 to lo…hi. */
  private imageData(width: number, height: number, fit: Fit, lo: number, hi: number): Float32Array {
    const image = this.app.image;
    if (fit === 'letterbox') {
      // letterboxImage takes 0..255 pixels and maps them to the range itself (the bands are lo).
      const pixels = { data: image.data.map((v) => v * 255), width: image.width, height: image.height };
      return letterboxImage(pixels, width, height, { range: [lo, hi] }).data;
    }
    const fitted: RgbImage = fit === 'crop' ? centreCrop(image, width, height) : stretched(image, width, height);
    return fitted.data.map((v) => lo + (hi - lo) * v);
  }

  private preview(nhwc: Float32Array, width: number, height: number, lo: number, hi: number): void {
    const canvas = el<HTMLCanvasElement>('user-input');
    drawRgb(canvas, nhwc.map((v) => (v - lo) / (hi - lo)), width, height, 'clip');
  }

  // ---- showing -------------------------------------------------------------------

  /** Forgets the last result (after a failed load: nothing shown belongs to the new file). */
  private clear(): void {
    for (const id of ['user-name', 'user-format', 'user-inputs', 'user-outputs', 'user-params', 'user-flops', 'user-peak', 'user-unplanned', 'user-load', 'user-time', 'user-first']) {
      setText(id, '–');
    }
    for (const id of ['user-params-rel', 'user-buffers', 'user-first-rel', 'user-saved']) setText(id, '');
    el('user-top').replaceChildren();
    (el<HTMLTableElement>('user-ops').tBodies[0] as HTMLTableSectionElement).replaceChildren();
    el('user-ops-empty').hidden = false;
    setText('user-summary', '');
    setText('user-time-note', '');
    setText('user-ops-note', '');
    const method = el('user-method');
    method.textContent = '–';
    delete method.dataset.method;
    const input = el<HTMLCanvasElement>('user-input');
    input.getContext('2d')?.clearRect(0, 0, input.width, input.height);
    el('user-results').dataset.state = 'empty';
  }

  private show(r: Result): void {
    el('user-results').dataset.state = 'done';
    setText('user-name', r.name);
    setText('user-format', r.format);
    setText('user-inputs', r.inputs.map((i) => `${i.name} ${shape(i.shape)}${i.layout ? ` ${i.layout}` : ''}`).join('\n'));
    setText('user-outputs', r.outputs.map((o) => `${o.name} ${shape(o.shape)}`).join('\n'));
    setText('user-params', fmtInt(r.params.total));
    setText('user-params-rel', `${fmtInt(r.params.folded)} after folding`);
    setText('user-flops', fmtShort(r.flops), fmtInt(r.flops));
    setText('user-peak', fmtBytes(r.plan.peakBytes), `${fmtInt(r.plan.peakBytes)} bytes`);
    setText('user-buffers', `in ${r.plan.buffers} shared buffers`);
    setText('user-unplanned', fmtBytes(r.plan.activationBytes));
    setText('user-saved', 'one buffer per tensor');
    setText('user-load', fmtMs(r.loadMs));
    const ms = median(r.times);
    setText('user-time', fmtMs(ms), r.times.map(fmtMs).join(', '));
    setText('user-first', fmtMs(r.firstMs));
    setText('user-first-rel', r.backend === 'webgpu' ? 'incl. shader compile' : 'first call');
    setText('user-time-note', `One predict plus reading every output back on ${backendLabel(r.backend)}, median of ${r.times.length} runs after the first. Input: ${r.inputNote}.`);
    this.showOutputs(r);
    this.showOps(r, ms);
    setText('user-summary', r.summary);
  }

  /** Each output's largest values with their indices; softmax-like outputs (0…1, summing to 1) as percentages. */
  private showOutputs(r: Result): void {
    const blocks = r.outputs.slice(0, SHOWN_OUTPUTS).map((o) => {
      const div = document.createElement('div');
      div.className = 'user-output';
      const h = document.createElement('h4');
      h.className = 'mono';
      h.textContent = `${o.name} ${shape(o.dims)}`;
      let sum = 0;
      let min = Infinity;
      for (const v of o.data) {
        sum += v;
        min = Math.min(min, v);
      }
      const probabilities = min >= 0 && Math.abs(sum - (o.dims[0] as number)) < 1e-3 * o.data.length;
      const top = topK(o.data, Math.min(TOP, o.data.length));
      const scale = Math.max(...top.map((i) => Math.abs(o.data[i] as number)), 1e-30);
      const ol = document.createElement('ol');
      ol.className = 'top5';
      for (const i of top) {
        const v = o.data[i] as number;
        const li = document.createElement('li');
        li.dataset.index = String(i);
        const cls = Object.assign(document.createElement('span'), { className: 'cls', textContent: indexOf(i, o.dims) });
        const bar = Object.assign(document.createElement('span'), { className: 'pbar' });
        const fill = document.createElement('i');
        fill.style.width = `${Math.max(0.5, 100 * (probabilities ? v : Math.abs(v) / scale)).toFixed(1)}%`;
        bar.append(fill);
        const p = Object.assign(document.createElement('span'), { className: 'p', textContent: probabilities ? `${(100 * v).toFixed(v >= 0.1 ? 1 : 2)}%` : fmtValue(v) });
        li.append(cls, bar, p);
        ol.append(li);
      }
      div.append(h, ol);
      return div;
    });
    if (r.outputs.length > SHOWN_OUTPUTS) {
      blocks.push(Object.assign(document.createElement('p'), { className: 'muted small', textContent: `and ${r.outputs.length - SHOWN_OUTPUTS} more outputs` }));
    }
    el('user-top').replaceChildren(...blocks);
  }

  /** One row per op of the profile, names without the prefix they all share, a bar for its share of the slowest. */
  private showOps(r: Result, predictMs: number): void {
    const names = r.ops.map((o) => o.name);
    let prefix = names[0] ?? '';
    for (const n of names) while (!n.startsWith(prefix)) prefix = prefix.slice(0, -1);
    prefix = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    const slowest = Math.max(...r.ops.map((o) => o.ms), 1e-9);
    const body = el<HTMLTableElement>('user-ops').tBodies[0] as HTMLTableSectionElement;
    body.replaceChildren(
      ...r.ops.map((o, i) => {
        const tr = document.createElement('tr');
        const cells: [string, string][] = [
          [String(i + 1), 'i'],
          [o.name.slice(prefix.length) || o.name, 'name'],
          [o.op, ''],
          [fmtMs(o.ms), 'n'],
        ];
        for (const [text, cls] of cells) {
          const td = document.createElement('td');
          td.textContent = text;
          td.className = cls;
          if (cls === 'name') td.title = o.name;
          tr.append(td);
        }
        const td = document.createElement('td');
        td.className = 'share';
        const bar = document.createElement('i');
        bar.style.width = `${Math.max(0.5, (100 * o.ms) / slowest).toFixed(1)}%`;
        td.append(bar);
        tr.append(td);
        return tr;
      }),
    );
    el('user-ops-empty').hidden = true;
    showTimingMethod('user-method', r.method);
    const sum = r.ops.reduce((a, o) => a + o.ms, 0);
    setText(
      'user-ops-note',
      `${r.ops.length} ops (after folding and fusion) sum to ${fmtMs(sum)}; predict end to end: ${fmtMs(predictMs)}.` +
        (prefix ? ` Names without their common prefix '${prefix}'.` : '') +
        (r.method === 'wall clock' && r.backend === 'webgpu' ? " No 'timestamp-query' on this adapter: each op was submitted and waited for on its own." : ''),
    );
  }
}
