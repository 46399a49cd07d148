// Section 4's benchmark panel: a few cases of the project's suite, run in the page
// on sepconv (WebGPU and CPU) and TF.js WebGPU, with a progress bar and a bar chart.
// TF.js and Chart.js are loaded with import() on the first run only.

import type { Chart as ChartType } from 'chart.js';
import { createSepconvEngine } from '../../bench/engines/sepconv.js';
import { caseFlops } from '../../bench/lib/case-flops.js';
import { caseData, parseSuite } from '../../bench/lib/cases.js';
import { agreement } from '../../bench/lib/report.js';
import { errorLine, errorText, median } from '../../bench/lib/stats.js';
import type { BenchCase, BenchEngine, EngineName } from '../../bench/lib/types.js';
import suite from '../../bench/shapes.json';
import type { App } from './app.js';
import { cssVar, el, setText } from './dom.js';
import { fmtMs, fmtShort } from './format.js';

/** The cases offered (small to large), and which are ticked at first. */
const OFFERED: { id: string; checked: boolean }[] = [
  { id: 'pw_14x14_192to64', checked: true },
  { id: 'dw3x3_s1_28x28x192', checked: true },
  { id: 'sep3x3_s1_28x28_256to256', checked: false },
  { id: 'sep3x3_s1_224x224_3to32', checked: true },
  { id: 'conv3x3_s1_224x224_3to32', checked: true },
];

const RUNS = 5;
/** Steady runs queue k ops so one run takes about this long (k ≤ 16). */
const TARGET_MS = 40;

const LABEL_TEXT: Partial<Record<EngineName, string>> = {
  'sepconv-webgpu': 'sepconv · WebGPU',
  'tfjs-webgpu': 'TF.js · WebGPU',
  'sepconv-cpu': 'sepconv · CPU',
};
const engineLabel = (name: EngineName): string => LABEL_TEXT[name] ?? name;

interface Row {
  case: string;
  engine: EngineName;
  ms: number | null;
  gflops: number | null;
  maxDiff: number | null;
  note: string;
}

function opLabel(c: BenchCase): string {
  const [, h, w, cin] = c.input;
  const k = c.kernel ? `${c.kernel[0]}×${c.kernel[1]} ` : '';
  const s = c.stride && c.stride > 1 ? `, stride ${c.stride}` : '';
  const m = c.multiplier ?? 1;
  const ch = c.op === 'depthwise' ? `${cin} channels${m > 1 ? ` ×${m}` : ''}` : `${cin}→${c.outChannels}`;
  return `${k}${c.op} ${h}×${w}, ${ch}${s}`;
}

export class BenchPanel {
  private readonly cases: BenchCase[];
  private chart: ChartType | null = null;
  private running = false;

  constructor(private readonly app: App) {
    const all = parseSuite(suite);
    this.cases = OFFERED.map((o) => all.find((c) => c.id === o.id)).filter((c): c is BenchCase => c !== undefined);
    const box = el('bench-cases');
    box.replaceChildren(
      ...this.cases.map((c) => {
        const label = document.createElement('label');
        const input = document.createElement('input');
        input.type = 'checkbox';
        input.value = c.id;
        input.checked = OFFERED.find((o) => o.id === c.id)?.checked ?? false;
        const name = document.createElement('span');
        name.className = 'case-id';
        name.textContent = c.id;
        const detail = document.createElement('span');
        detail.className = 'muted small';
        detail.textContent = `${opLabel(c)} · ${fmtShort(caseFlops(c))}FLOP`;
        label.append(input, name, detail);
        return label;
      }),
    );
    el('bench-run').addEventListener('click', () => void this.run());
  }

  private selected(): BenchCase[] {
    const ids = new Set(
      [...el('bench-cases').querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value),
    );
    return this.cases.filter((c) => ids.has(c.id));
  }

  private status(text: string): void {
    setText('bench-status', text);
  }

  async run(): Promise<void> {
    if (this.running) return;
    const cases = this.selected();
    if (cases.length === 0) {
      this.status('Tick at least one case.');
      return;
    }
    this.running = true;
    const button = el<HTMLButtonElement>('bench-run');
    button.disabled = true;
    const progress = el<HTMLProgressElement>('bench-progress');
    progress.value = 0;
    el('bench-chart-box').dataset.ready = 'false';
    try {
      const rows = await this.measure(cases, progress);
      await this.draw(cases, rows);
      this.table(rows);
      progress.value = 1;
      const failed = rows.filter((r) => r.ms === null);
      this.status(
        `Done: ${cases.length} case${cases.length > 1 ? 's' : ''}. ${this.summary(cases, rows)}` +
          (failed.length ? ` ${failed.length} row(s) not timed: see the table.` : ''),
      );
    } catch (e) {
      console.error(e);
      this.status(`Benchmark failed: ${errorText(e)}`);
    } finally {
      this.running = false;
      button.disabled = false;
    }
  }

  private async measure(cases: BenchCase[], progress: HTMLProgressElement): Promise<Row[]> {
    const { app } = this;
    const sepconv = createSepconvEngine('webgpu');
    const cpuEngine = createSepconvEngine('cpu');
    // Both run on the page's engines (no second device): prepareOn.
    const engines: { name: EngineName; engine: BenchEngine | null; error?: string }[] = [];
    if (app.gpu) {
      const gpu = app.gpu;
      engines.push({ name: 'sepconv-webgpu', engine: { ...sepconv, prepare: (c, d) => sepconv.prepareOn(gpu, c, d) } });
      this.status('Loading TF.js…');
      try {
        const { createTfjsWebgpuEngine } = await import('./tfjs-webgpu.js');
        const tfjs = createTfjsWebgpuEngine();
        await tfjs.init();
        engines.push({ name: 'tfjs-webgpu', engine: tfjs });
      } catch (e) {
        engines.push({ name: 'tfjs-webgpu', engine: null, error: `could not start: ${errorText(e)}` });
      }
    } else {
      engines.push({ name: 'tfjs-webgpu', engine: null, error: 'no WebGPU in this browser' });
    }
    const cpu = app.cpu;
    const reference: BenchEngine = { ...cpuEngine, prepare: (c, d) => cpuEngine.prepareOn(cpu, c, d) };
    engines.push({ name: 'sepconv-cpu', engine: reference });

    const live = engines.filter((e) => e.engine !== null).length;
    const total = cases.length * (1 + live * (2 + RUNS));
    let done = 0;
    const step = (n = 1): void => {
      done += n;
      progress.value = Math.min(1, done / total);
    };

    const rows: Row[] = [];
    for (const [ci, c] of cases.entries()) {
      const tag = `[${ci + 1}/${cases.length}] ${c.id}`;
      this.status(`${tag}: reference output (sepconv CPU)`);
      const data = caseData(c);
      const flops = caseFlops(c);
      const refPrepared = await reference.prepare(c, data);
      const ref = await refPrepared.run(1);
      await refPrepared.dispose();
      step();
      for (const { name, engine, error } of engines) {
        const row: Row = { case: c.id, engine: name, ms: null, gflops: null, maxDiff: null, note: error ?? '' };
        rows.push(row);
        if (!engine) continue;
        this.status(`${tag}: ${engineLabel(name)}, first run`);
        const start = done;
        let prepared;
        try {
          prepared = await engine.prepare(c, data);
          const a = agreement(await prepared.run(1), ref);
          row.maxDiff = a.maxAbsDiff;
          step();
          if (!a.agrees) {
            row.note = 'disagrees with the CPU reference: not timed';
            continue;
          }
          const t0 = performance.now();
          await prepared.run(1);
          const single = Math.max(performance.now() - t0, 1e-3);
          const k = Math.max(1, Math.min(16, Math.round(TARGET_MS / single)));
          step();
          const times: number[] = [];
          for (let r = 0; r < RUNS; r++) {
            this.status(`${tag}: ${engineLabel(name)}, run ${r + 1}/${RUNS}`);
            const t1 = performance.now();
            await prepared.run(k);
            times.push((performance.now() - t1) / k);
            step();
          }
          row.ms = median(times);
          row.gflops = flops / (row.ms / 1000) / 1e9;
        } catch (e) {
          row.note = errorLine(e);
        } finally {
          done = start;
          step(2 + RUNS);
          if (prepared) await Promise.resolve(prepared.dispose()).catch(() => undefined);
        }
      }
    }
    return rows;
  }

  /** sepconv WebGPU vs TF.js WebGPU over the cases both timed (geometric mean of the ratios). */
  private summary(cases: BenchCase[], rows: Row[]): string {
    const ratios: number[] = [];
    for (const c of cases) {
      const ours = rows.find((r) => r.case === c.id && r.engine === 'sepconv-webgpu')?.ms;
      const theirs = rows.find((r) => r.case === c.id && r.engine === 'tfjs-webgpu')?.ms;
      if (ours && theirs) ratios.push(theirs / ours);
    }
    if (ratios.length === 0) return 'Median ms per op, lower is better.';
    const g = Math.exp(ratios.reduce((a, r) => a + Math.log(r), 0) / ratios.length);
    const rel = g >= 1 ? `${g.toFixed(1)}× faster than` : `${(1 / g).toFixed(1)}× slower than`;
    return `sepconv WebGPU is ${rel} TF.js WebGPU here${ratios.length > 1 ? ' (geometric mean)' : ''}.`;
  }

  private async draw(cases: BenchCase[], rows: Row[]): Promise<void> {
    const { Chart, BarController, BarElement, CategoryScale, LogarithmicScale, Legend, Tooltip } = await import('chart.js');
    Chart.register(BarController, BarElement, CategoryScale, LogarithmicScale, Legend, Tooltip);
    const colours: Record<string, string> = {
      'sepconv-webgpu': cssVar('--sep') || '#0f766e',
      'tfjs-webgpu': cssVar('--std') || '#c2410c',
      'sepconv-cpu': cssVar('--cpu') || '#64748b',
    };
    const names = [...new Set(rows.map((r) => r.engine))];
    const datasets = names.map((name) => ({
      label: engineLabel(name),
      data: cases.map((c) => rows.find((r) => r.case === c.id && r.engine === name)?.ms ?? null),
      backgroundColor: colours[name] ?? '#888',
      borderRadius: 3,
      maxBarThickness: 42,
    }));
    const text = cssVar('--text') || '#1e293b';
    const grid = cssVar('--line') || '#e2e8f0';
    el('bench-empty').hidden = true;
    const canvas = el<HTMLCanvasElement>('bench-chart');
    this.chart?.destroy();
    this.chart = new Chart(canvas, {
      type: 'bar',
      data: { labels: cases.map((c) => c.id), datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { ticks: { color: text, autoSkip: false, maxRotation: 30, minRotation: 0 }, grid: { display: false } },
          y: {
            type: 'logarithmic',
            title: { display: true, text: 'ms per op (log scale, lower is better)', color: text },
            ticks: { color: text },
            grid: { color: grid },
          },
        },
        plugins: {
          legend: { position: 'top', labels: { color: text, boxWidth: 14 } },
          tooltip: { callbacks: { label: (ctx) => `${ctx.dataset.label ?? ''}: ${fmtMs(Number(ctx.parsed.y))}` } },
        },
      },
    });
    el('bench-chart-box').dataset.ready = 'true';
  }

  private table(rows: Row[]): void {
    const table = el<HTMLTableElement>('bench-table');
    const body = table.tBodies[0] as HTMLTableSectionElement;
    body.replaceChildren(
      ...rows.map((r) => {
        const tr = document.createElement('tr');
        const cells = [
          r.case,
          engineLabel(r.engine),
          r.ms === null ? r.note || '–' : fmtMs(r.ms),
          r.gflops === null ? '–' : r.gflops.toFixed(2),
          r.engine === 'sepconv-cpu' ? 'reference' : r.maxDiff === null ? '–' : r.maxDiff.toExponential(1),
        ];
        cells.forEach((text, i) => {
          const td = document.createElement('td');
          td.textContent = text;
          if (i >= 2) td.className = 'n';
          tr.append(td);
        });
        return tr;
      }),
    );
    table.hidden = false;
  }
}
