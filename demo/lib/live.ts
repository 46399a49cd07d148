// Section 2 (live image) and the numbers of section 4 that come from it: the
// depthwise filter and pointwise mix the user picks, run on the active backend on
// every change, and on a second backend too for the check against the CPU reference
// (checkPartner). On WebGPU the pictures are drawn from the output tensors' GPU
// buffers (gpu-draw.ts), with no read-back; the wasm and CPU backends (or a browser
// without a WebGPU canvas) read them back and draw them with putImageData. Webcam
// frames come from engine.fromPixels(video), one per run; the check waits for the
// frame the webcam stops at.

import type { Engine, Tensor } from 'sepconv';
import { errorText, median } from '../../bench/lib/stats.js';
import { activeEngine, backendLabel, inputTensor, type App, type BackendName } from './app.js';
import { el, setText } from './dom.js';
import { fmtMs } from './format.js';
import { GpuPainter, drawingCanvas, type DrawPath } from './gpu-draw.js';
import { drawChannel, drawRgb, fitSize, maxAbsDiff, webcamReady, type RgbImage } from './image.js';
import {
  KERNEL_PRESETS,
  MIX_PRESETS,
  depthwiseFilter,
  formatWeight,
  pointwiseFilter,
  resizeKernel,
  type DisplayMode,
} from './presets.js';
import { coalesce, exclusive } from './tasks.js';

/** Largest |GPU − CPU| (or |wasm − CPU|) that counts as agreement (pixel values are about 0..1). */
export const TOLERANCE = 1e-4;

/** The backends' short names in section 4 (its rows and the max-diff label). */
const SHORT: Record<BackendName, string> = { webgpu: 'GPU', wasm: 'wasm', cpu: 'CPU' };

/**
 * The backend the run on `primary` is checked against: the CPU reference, written
 * independently of the GPU shaders and the wasm kernels; when the reference is the one
 * in use, the fastest other backend (WebGPU, else wasm). Null when there is none.
 */
export function checkPartner(app: App, primary: Engine): Engine | null {
  if (primary !== app.cpu) return app.cpu;
  return app.gpu ?? app.wasm;
}

/** What the page opens on: both steps visibly at work. */
const DEFAULT_KERNEL = 'emboss';
const DEFAULT_MIX = 'sepia';

/** Fills the preset <select> `id` (the presets, then 'Custom') and applies the preset the user picks. */
function presetSelect(id: string, presets: readonly { id: string; label: string }[], apply: (id: string) => void): HTMLSelectElement {
  const select = el<HTMLSelectElement>(id);
  for (const p of presets) select.add(new Option(p.label, p.id));
  select.add(new Option('Custom', 'custom'));
  select.addEventListener('change', () => {
    if (select.value !== 'custom') apply(select.value);
  });
  return select;
}

/** The filters of one run: the depthwise filter [k, k, 3, 1], the pointwise one [3, 3], and k. */
interface Weights {
  dw: Float32Array;
  pw: Float32Array;
  k: number;
}

/** The outputs of one run on one engine, queued, and when its ops were queued. */
interface Filtered {
  y: Tensor;
  z: Tensor;
  t0: number;
}

/** The outputs read back, and the ms from queuing the ops to having the values. */
interface LiveResult {
  depthwise: Float32Array;
  output: Float32Array;
  ms: number;
}

/** Where a run's input comes from: the page's image or a webcam frame. */
interface Input {
  width: number;
  height: number;
  /** A new frame of the streaming webcam: drawn, not checked (the check runs on the frame the webcam stops at). */
  live: boolean;
  /** The input [1, H, W, 3] on `engine`; the section's, not to be disposed by the caller. */
  on(engine: Engine): Promise<Tensor>;
  /** Its values, for the CPU drawing. */
  data(): Promise<Float32Array>;
}

/**
 * The latest webcam frame as `fromPixels` made it on `engine`, with copies of its values
 * on the other engine (for the check once the webcam stops); `version` is the
 * app.imageVersion when it was taken (webcam frames do not change it): the frame stays the
 * section's input until an image is set.
 */
interface Frame {
  version: number;
  width: number;
  height: number;
  engine: Engine;
  tensor: Tensor;
  copies: Map<Engine, Tensor>;
  values: Promise<Float32Array> | null;
}

/** The webcam's ms per frame is the median of the last this many frames. */
const FRAME_WINDOW = 30;

export class LiveSection {
  private k = 3;
  private kernel: number[] = [];
  private matrix: number[] = [...(MIX_PRESETS[0]?.matrix ?? [])];
  private display: DisplayMode = 'clip';
  private runs = 0;
  /** Recent times per backend, first run (shader compilation) excluded. */
  private times = new Map<Engine, number[]>();
  private seen = new Set<Engine>();
  /** The latest webcam frame (kept for the next runs and the snapshot when the webcam stops). */
  private frame: Frame | null = null;
  /** The webcam's ms per frame (fromPixels to drawn) and when its recent frames were done. */
  private frameTimes: number[] = [];
  private frameEnds: number[] = [];
  readonly request: () => void;

  constructor(private readonly app: App) {
    this.request = coalesce(
      () => exclusive(() => this.compute()),
      (e) => {
        console.error(e);
        setText('live-status', `error: ${errorText(e)}`);
      },
      (busy) => {
        el('live-status').dataset.state = busy ? 'busy' : 'idle';
      },
    );
    this.initDepthwise();
    this.initPointwise();
    const display = el<HTMLSelectElement>('display-mode');
    display.addEventListener('change', () => {
      this.display = display.value as DisplayMode;
      this.request();
    });
    this.applyKernelPreset(DEFAULT_KERNEL);
  }

  // ---- depthwise controls ----

  private initDepthwise(): void {
    presetSelect('dw-preset', KERNEL_PRESETS, (id) => this.applyKernelPreset(id));
    const size = el<HTMLSelectElement>('dw-size');
    size.addEventListener('change', () => {
      const k2 = Number(size.value);
      this.kernel = resizeKernel(this.kernel, this.k, k2);
      this.k = k2;
      el<HTMLSelectElement>('dw-preset').value = 'custom';
      this.renderKernelGrid();
      this.request();
    });
    const grid = el('dw-grid');
    grid.addEventListener('input', (e) => {
      const cell = e.target as HTMLInputElement;
      const i = Number(cell.dataset.index);
      const v = Number(cell.value);
      const ok = cell.value.trim() !== '' && Number.isFinite(v);
      cell.setAttribute('aria-invalid', String(!ok));
      if (!ok) return;
      this.kernel[i] = v;
      el<HTMLSelectElement>('dw-preset').value = 'custom';
      this.updateKernelSum();
      this.request();
    });
  }

  applyKernelPreset(id: string): void {
    const p = KERNEL_PRESETS.find((q) => q.id === id);
    if (!p) return;
    this.k = p.k;
    this.kernel = [...p.weights];
    this.display = p.display;
    el<HTMLSelectElement>('dw-preset').value = p.id;
    el<HTMLSelectElement>('dw-size').value = String(p.k);
    el<HTMLSelectElement>('display-mode').value = p.display;
    this.renderKernelGrid();
    this.request();
  }

  private renderKernelGrid(): void {
    const grid = el('dw-grid');
    grid.style.setProperty('--k', String(this.k));
    grid.dataset.k = String(this.k);
    grid.replaceChildren(
      ...this.kernel.map((w, i) => {
        const cell = document.createElement('input');
        cell.type = 'text';
        cell.inputMode = 'decimal';
        cell.className = 'cell';
        cell.value = formatWeight(w);
        cell.title = String(w);
        cell.dataset.index = String(i);
        cell.setAttribute('aria-label', `weight row ${Math.floor(i / this.k) + 1}, column ${(i % this.k) + 1}`);
        return cell;
      }),
    );
    this.updateKernelSum();
  }

  private updateKernelSum(): void {
    const sum = this.kernel.reduce((a, b) => a + b, 0);
    setText('dw-sum', formatWeight(Math.round(sum * 1e6) / 1e6));
  }

  // ---- pointwise controls ----

  private initPointwise(): void {
    const select = presetSelect('pw-preset', MIX_PRESETS, (id) => this.applyMixPreset(id));
    const body = el('pw-grid');
    const names = ['R′', 'G′', 'B′'];
    body.replaceChildren(
      ...names.map((name, o) => {
        const tr = document.createElement('tr');
        const th = document.createElement('th');
        th.scope = 'row';
        th.textContent = name;
        tr.append(th);
        for (let i = 0; i < 3; i++) {
          const td = document.createElement('td');
          const cell = document.createElement('input');
          cell.type = 'text';
          cell.inputMode = 'decimal';
          cell.className = 'cell';
          cell.dataset.index = String(o * 3 + i);
          cell.setAttribute('aria-label', `${name} from ${'RGB'[i]}`);
          td.append(cell);
          tr.append(td);
        }
        return tr;
      }),
    );
    body.addEventListener('input', (e) => {
      const cell = e.target as HTMLInputElement;
      const v = Number(cell.value);
      const ok = cell.value.trim() !== '' && Number.isFinite(v);
      cell.setAttribute('aria-invalid', String(!ok));
      if (!ok) return;
      this.matrix[Number(cell.dataset.index)] = v;
      select.value = 'custom';
      this.request();
    });
    this.applyMixPreset(DEFAULT_MIX);
  }

  applyMixPreset(id: string): void {
    const p = MIX_PRESETS.find((q) => q.id === id);
    if (!p) return;
    this.matrix = [...p.matrix];
    el<HTMLSelectElement>('pw-preset').value = p.id;
    el('pw-grid')
      .querySelectorAll<HTMLInputElement>('input')
      .forEach((cell) => {
        cell.value = formatWeight(this.matrix[Number(cell.dataset.index)] ?? 0);
        cell.setAttribute('aria-invalid', 'false');
      });
    this.request();
  }

  // ---- computing ----

  /**
   * This run's input: a new frame of the streaming webcam (fromPixels on the <video>),
   * the last frame again while no newer image was set (the webcam just stopped), or the
   * page's image.
   */
  private input(primary: Engine): Input {
    const { app } = this;
    const cam = app.webcam;
    if (cam && webcamReady(cam)) {
      const { video } = cam;
      const { width, height } = fitSize(video.videoWidth, video.videoHeight);
      // Straight from the <video>: on WebGPU the GPU copies the frame and one compute pass
      // resizes it (no canvas, no getImageData); the wasm and CPU backends read it through a canvas.
      const tensor = primary.fromPixels(video, { size: [height, width] });
      this.dropFrame();
      this.frame = { version: app.imageVersion, width, height, engine: primary, tensor, copies: new Map(), values: null };
      return this.frameInput(this.frame, true);
    }
    if (this.frame && this.frame.version === app.imageVersion) return this.frameInput(this.frame, false);
    this.dropFrame();
    const { image, imageVersion } = app;
    return {
      width: image.width,
      height: image.height,
      live: false,
      on: async (engine) => inputTensor(engine, image, imageVersion),
      data: async () => image.data,
    };
  }

  private frameInput(f: Frame, live: boolean): Input {
    const values = () => (f.values ??= f.tensor.read());
    return {
      width: f.width,
      height: f.height,
      live,
      on: async (engine) => {
        if (engine === f.engine) return f.tensor;
        let t = f.copies.get(engine);
        if (!t) {
          // The same frame on the other backend (the check): its values, not a new grab of the video.
          t = engine.tensor(await values(), [1, f.height, f.width, 3]);
          f.copies.set(engine, t);
        }
        return t;
      },
      data: values,
    };
  }

  private dropFrame(): void {
    const f = this.frame;
    if (!f) return;
    f.tensor.dispose();
    f.copies.forEach((t) => t.dispose());
    this.frame = null;
  }

  /**
   * The last webcam frame the section computed, as an RgbImage (one read-back), once the
   * run in progress is done; null when there is none. `version` is the app.imageVersion it
   * belongs to: an image set since then is newer.
   */
  webcamSnapshot(): Promise<{ image: RgbImage; version: number } | null> {
    return exclusive(async () => {
      const f = this.frame;
      if (!f) return null;
      const data = await (f.values ??= f.tensor.read());
      return { image: { data, width: f.width, height: f.height }, version: f.version };
    });
  }

  /** Depthwise then pointwise of `x` on `engine`, queued: the caller disposes y and z. */
  private filter(engine: Engine, x: Tensor, w: Weights): Filtered {
    const t0 = performance.now();
    const { y, z } = engine.tidy(() => {
      const dwT = engine.tensor(w.dw, [w.k, w.k, 3, 1]);
      const pwT = engine.tensor(w.pw, [3, 3]);
      const y = engine.depthwiseConv2d(x, dwT, { padding: 'same' });
      const z = engine.pointwiseConv2d(y, pwT);
      return { y, z };
    });
    return { y, z, t0 };
  }

  /** Reads `f` back; its time (ops to values) joins `engine`'s after the engine's first run, which compiles the shaders. */
  private async readTimed(engine: Engine, f: Filtered): Promise<LiveResult> {
    const [depthwise, output] = await Promise.all([f.y.read(), f.z.read()]);
    const ms = performance.now() - f.t0;
    if (this.seen.has(engine)) {
      const list = this.times.get(engine) ?? [];
      list.push(ms);
      if (list.length > 9) list.shift();
      this.times.set(engine, list);
    }
    this.seen.add(engine);
    return { depthwise, output, ms };
  }

  /** One timed run with read-back; the first on an engine runs twice, for a time without shader compilation. */
  private async runRead(engine: Engine, x: Tensor, w: Weights): Promise<LiveResult> {
    for (;;) {
      const f = this.filter(engine, x, w);
      try {
        const r = await this.readTimed(engine, f);
        if (this.times.get(engine)?.length) return r;
      } finally {
        f.y.dispose();
        f.z.dispose();
      }
    }
  }

  /**
   * The section's four pictures (input, the 3 depthwise maps, output). With `painter`, from
   * the tensors' GPU buffers, no read-back; otherwise (wasm, the CPU backend, or no WebGPU canvas)
   * from their values: those of `values` when the check reads them anyway. Returns the path that drew.
   */
  private async draw(painter: GpuPainter | null, input: Input, x: Tensor, f: Filtered, display: DisplayMode, values: Promise<LiveResult> | null): Promise<DrawPath> {
    if (painter) {
      const drawn = await painter.draw([
        { id: 'canvas-input', tensor: x, channel: -1, mode: 'clip' },
        ...[0, 1, 2].map((c) => ({ id: `canvas-dw-${c}`, tensor: f.y, channel: c, mode: display })),
        { id: 'canvas-output', tensor: f.z, channel: -1, mode: display },
      ]);
      if (drawn) return 'gpu';
    }
    const { width, height } = input;
    const [data, depthwise, output] = await Promise.all([
      input.data(),
      values ? values.then((v) => v.depthwise) : f.y.read(),
      values ? values.then((v) => v.output) : f.z.read(),
    ]);
    drawRgb(drawingCanvas('canvas-input', 'cpu'), data, width, height, 'clip');
    for (let c = 0; c < 3; c++) {
      drawChannel(drawingCanvas(`canvas-dw-${c}`, 'cpu'), depthwise, width, height, 3, c, display);
    }
    drawRgb(drawingCanvas('canvas-output', 'cpu'), output, width, height, display);
    return 'cpu';
  }

  private async compute(): Promise<void> {
    const { app } = this;
    const start = performance.now();
    // Everything this run uses, taken now: edits and webcam frames arriving meanwhile wait for the next run.
    const primary = activeEngine(app);
    const input = this.input(primary);
    const { width, height } = input;
    const k = this.k;
    const w: Weights = { dw: depthwiseFilter(this.kernel, k, 3), pw: pointwiseFilter(this.matrix, 3), k };
    const display = this.display;
    // Only WebGPU has a device, and tensors in GPU buffers: wasm and the CPU draw from values read back.
    const painter = primary.device ? GpuPainter.of(primary.device) : null;
    const x = await input.on(primary);

    // The first run of a backend compiles its shaders (wasm: its kernels): one run before, for a time per run (not for webcam frames).
    if (!input.live && !this.seen.has(primary)) {
      const f0 = this.filter(primary, x, w);
      try {
        await this.readTimed(primary, f0);
      } finally {
        f0.y.dispose();
        f0.z.dispose();
      }
    }
    const f = this.filter(primary, x, w);
    let a: LiveResult | null = null;
    let drawn: DrawPath;
    try {
      // The check's read-back is queued before the drawing, so that the drawing does not delay it.
      const values = input.live ? null : this.readTimed(primary, f);
      values?.catch(() => undefined); // awaited below; not unhandled if the drawing fails first
      drawn = await this.draw(painter, input, x, f, display, values);
      a = values ? await values : null;
      // A webcam frame is done when the GPU is: one frame at a time, never a queue of them.
      if (input.live && drawn === 'gpu') await primary.device?.queue.onSubmittedWorkDone();
    } finally {
      f.y.dispose();
      f.z.dispose();
    }

    // The same work on a second backend: the check of section 4, on the same input.
    const other = checkPartner(app, primary);
    const out = el('max-diff');
    const verdict = el('diff-verdict');
    if (other) this.showPair(primary, other);
    if (other && a) {
      const b = await this.runRead(other, await input.on(other), w);
      const diff = Math.max(maxAbsDiff(a.depthwise, b.depthwise), maxAbsDiff(a.output, b.output));
      out.textContent = diff === 0 ? '0' : diff.toExponential(2);
      out.dataset.value = String(diff);
      const ok = diff <= TOLERANCE;
      verdict.textContent = ok ? '✓ agree' : '✗ differ';
      verdict.className = ok ? 'ok' : 'bad';
    } else if (other) {
      out.textContent = '–';
      out.dataset.value = '';
      verdict.textContent = 'on stop';
      verdict.className = '';
      verdict.title = 'While the webcam streams, the check waits: it runs on the frame the webcam stops at.';
    }
    this.showTimes();

    this.runs++;
    const status = el('live-status');
    status.dataset.runs = String(this.runs);
    status.dataset.draw = drawn;
    const on = `${k}×${k} depthwise + 3→3 pointwise on ${backendLabel(primary.backend, 'the CPU')}, drawn by the ${drawn === 'gpu' ? 'GPU' : 'CPU'}`;
    if (input.live) {
      const now = performance.now();
      this.frameTimes.push(now - start);
      if (this.frameTimes.length > FRAME_WINDOW) this.frameTimes.shift();
      this.frameEnds.push(now);
      while ((this.frameEnds[0] as number) < now - 1000) this.frameEnds.shift();
      const n = this.frameEnds.length;
      const fps = n > 1 ? ((n - 1) * 1000) / (now - (this.frameEnds[0] as number)) : 0;
      status.dataset.input = 'fromPixels';
      status.dataset.fps = fps.toFixed(1);
      status.textContent = `webcam ${width}×${height} (fromPixels), ${on}: ${fmtMs(median(this.frameTimes))} per frame, ${n > 1 ? fps.toFixed(1) : '–'} frames per second`;
    } else {
      this.frameTimes = [];
      this.frameEnds = [];
      status.dataset.input = 'image';
      delete status.dataset.fps;
      status.textContent = `${width}×${height} px, ${on}: ${fmtMs(a?.ms ?? performance.now() - start)}`;
    }
  }

  /** The check's two backends, as the max-diff row names them: the one checked, then the reference it is checked against. */
  private showPair(primary: Engine, other: Engine): void {
    const [a, b] = other === this.app.cpu ? [primary, other] : [other, primary];
    const label = el('diff-label');
    label.textContent = `max |${SHORT[a.backend]} − ${SHORT[b.backend]}|`;
    label.dataset.pair = `${a.backend}-${b.backend}`;
  }

  private showTimes(): void {
    const { gpu, wasm, cpu } = this.app;
    // A backend that is neither selected nor the check's partner (wasm while WebGPU runs) has not run yet.
    const text = (e: Engine | null, missing: string) => {
      if (!e) return missing;
      const t = this.times.get(e);
      return t && t.length ? `${fmtMs(median(t))}` : this.seen.has(e) ? 'measuring…' : 'not run yet';
    };
    setText('time-gpu', text(gpu, 'no WebGPU'), 'median of the latest runs; the first run (shader compilation) is not counted');
    setText('time-wasm', text(wasm, 'no wasm SIMD'), 'median of the latest runs; the first run (kernel compilation) is not counted');
    setText('time-cpu', text(cpu, ''), 'median of the latest runs');
  }
}
