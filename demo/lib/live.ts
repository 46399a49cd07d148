// Section 2 (live image) and the numbers of section 4 that come from it: the
// depthwise filter and pointwise mix the user picks, run on the active backend on
// every change, and on the other backend too for the GPU/CPU check.

import type { Engine } from 'sepconv';
import { errorText, median } from '../../bench/lib/stats.js';
import { activeEngine, inputTensor, type App } from './app.js';
import { el, setText } from './dom.js';
import { fmtMs } from './format.js';
import { drawChannel, drawRgb, maxAbsDiff, type RgbImage } from './image.js';
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

/** Largest |GPU − CPU| that counts as agreement (pixel values are about 0..1). */
export const TOLERANCE = 1e-4;

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

interface LiveResult {
  depthwise: Float32Array;
  output: Float32Array;
  ms: number;
}

export class LiveSection {
  private k = 3;
  private kernel: number[] = [];
  private matrix: number[] = [...(MIX_PRESETS[0]?.matrix ?? [])];
  private display: DisplayMode = 'clip';
  private runs = 0;
  /** Recent times per backend, first run (shader compilation) excluded. */
  private times = new Map<Engine, number[]>();
  private seen = new Set<Engine>();
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

  private async run(engine: Engine, image: RgbImage, version: number, dw: Float32Array, pw: Float32Array, k: number): Promise<LiveResult> {
    const x = inputTensor(engine, image, version);
    const t0 = performance.now();
    const { y, z } = engine.tidy(() => {
      const dwT = engine.tensor(dw, [k, k, 3, 1]);
      const pwT = engine.tensor(pw, [3, 3]);
      const y = engine.depthwiseConv2d(x, dwT, { padding: 'same' });
      const z = engine.pointwiseConv2d(y, pwT);
      return { y, z };
    });
    try {
      const [depthwise, output] = await Promise.all([y.read(), z.read()]);
      const ms = performance.now() - t0;
      if (this.seen.has(engine)) {
        const list = this.times.get(engine) ?? [];
        list.push(ms);
        if (list.length > 9) list.shift();
        this.times.set(engine, list);
      }
      this.seen.add(engine);
      return { depthwise, output, ms };
    } finally {
      y.dispose();
      z.dispose();
    }
  }

  private async compute(): Promise<void> {
    const { app } = this;
    // Everything this run uses, taken now: edits and webcam frames arriving meanwhile wait for the next run.
    const image = app.image;
    const version = app.imageVersion;
    const { width, height } = image;
    const k = this.k;
    const dw = depthwiseFilter(this.kernel, k, 3);
    const pw = pointwiseFilter(this.matrix, 3);
    const display = this.display;
    const primary = activeEngine(app);
    const run = (engine: Engine) => this.run(engine, image, version, dw, pw, k);

    let a = await run(primary);
    // The first run of a backend compiles its shaders: run again for a time per run.
    if (!this.times.get(primary)?.length) a = await run(primary);
    drawRgb(el<HTMLCanvasElement>('canvas-input'), image.data, width, height, 'clip');
    for (let c = 0; c < 3; c++) {
      drawChannel(el<HTMLCanvasElement>(`canvas-dw-${c}`), a.depthwise, width, height, 3, c, display);
    }
    drawRgb(el<HTMLCanvasElement>('canvas-output'), a.output, width, height, display);

    // The same work on the other backend: the GPU/CPU check of section 4.
    const other = app.gpu ? (primary === app.gpu ? app.cpu : app.gpu) : null;
    if (other) {
      let b = await run(other);
      if (!this.times.get(other)?.length) b = await run(other);
      const diff = Math.max(maxAbsDiff(a.depthwise, b.depthwise), maxAbsDiff(a.output, b.output));
      const out = el('max-diff');
      out.textContent = diff === 0 ? '0' : diff.toExponential(2);
      out.dataset.value = String(diff);
      const ok = diff <= TOLERANCE;
      const verdict = el('diff-verdict');
      verdict.textContent = ok ? '✓ agree' : '✗ differ';
      verdict.className = ok ? 'ok' : 'bad';
    }
    this.showTimes();

    this.runs++;
    const status = el('live-status');
    status.dataset.runs = String(this.runs);
    status.textContent =
      `${width}×${height} px, ${k}×${k} depthwise + 3→3 pointwise on ${primary.backend === 'webgpu' ? 'WebGPU' : 'the CPU'}: ` +
      fmtMs(a.ms);
  }

  private showTimes(): void {
    const { gpu, cpu } = this.app;
    const text = (e: Engine | null) => {
      if (!e) return 'no WebGPU';
      const t = this.times.get(e);
      return t && t.length ? `${fmtMs(median(t))}` : 'measuring…';
    };
    setText('time-gpu', text(gpu), 'median of the latest runs; the first run (shader compilation) is not counted');
    setText('time-cpu', text(cpu), 'median of the latest runs');
  }
}
