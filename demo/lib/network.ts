// Section 5: MobileNetV2 (seeded random weights) on the current image, on the
// active backend: the end-to-end time of predict, the top 5 classes, the model's
// parameters, FLOPs and memory plan, the time of every op (model.profile: GPU
// timestamps when the adapter has them) as a bar chart, and the summary table.
// The model is built for each run and disposed after it, so the page holds no
// network memory between runs. Chart.js is loaded with import() on the first run.

import type { Chart as ChartType } from 'chart.js';
import { mobilenetV2, type Engine, type LayerSummary, type MemoryPlan, type Model, type Tensor } from 'sepconv';
import { errorText, median } from '../../bench/lib/stats.js';
import { activeEngine, backendLabel, type App } from './app.js';
import { cssVar, el, nextFrame, setText, showTimingMethod } from './dom.js';
import { fmtBytes, fmtInt, fmtMs, fmtShort } from './format.js';
import { centreCrop, drawRgb } from './image.js';
import { MAX_RUNS, timedRuns, topK } from './run-model.js';
import { exclusive } from './tasks.js';

type Kind = 'conv2d' | 'depthwise' | 'pointwise' | 'other';
const KINDS: readonly Kind[] = ['conv2d', 'depthwise', 'pointwise', 'other'];

const kindOf = (op: string): Kind => (op === 'conv2d' || op === 'depthwise' || op === 'pointwise' ? op : 'other');

/** Keras layer types that run inside the op before them. */
const FOLDED = new Set(['batchNorm', 'activation', 'flatten']);

interface OpRow {
  name: string;
  op: string;
  kind: Kind;
  ms: number;
  /** The Keras layer the op comes from (same name). */
  layer: LayerSummary | undefined;
  /** A residual add is fused into this op. */
  add: boolean;
}

interface Result {
  backend: Engine['backend'];
  alpha: number;
  size: number;
  buildMs: number;
  firstMs: number;
  firstNote: string;
  times: number[];
  probs: Float32Array;
  method: 'timestamps' | 'wall clock';
  ops: OpRow[];
  layers: LayerSummary[];
  params: ReturnType<Model['params']>;
  flops: number;
  plan: MemoryPlan;
  summary: string;
}

const shape = (s: readonly number[]) => `[${s.join(', ')}]`;

export class NetworkPanel {
  private chart: ChartType | null = null;
  private running = false;
  /** Engines and settings run before: their shaders are compiled. */
  private readonly compiled = new Set<string>();

  constructor(private readonly app: App) {
    el('net-run').addEventListener('click', () => void this.run());
    for (const id of ['net-alpha', 'net-size']) el(id).addEventListener('change', () => this.showSettings());
    this.showSettings();
  }

  private settings(): { alpha: number; size: number } {
    return { alpha: Number(el<HTMLSelectElement>('net-alpha').value), size: Number(el<HTMLSelectElement>('net-size').value) };
  }

  /** The input shape for the chosen size; before the first run, the status says what a run will do. */
  private showSettings(): void {
    const { alpha, size } = this.settings();
    setText('net-input-shape', `[1, ${size}, ${size}, 3]`);
    if (!this.running && el('net-status').dataset.state === 'idle') {
      this.status(`Not run yet. Press Run for MobileNetV2 α ${alpha} at ${size}×${size}.`, 'idle');
    }
  }

  private status(text: string, state: 'idle' | 'busy' | 'done' | 'error'): void {
    const out = el('net-status');
    out.textContent = text;
    out.dataset.state = state;
  }

  async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const button = el<HTMLButtonElement>('net-run');
    button.disabled = true;
    el<HTMLProgressElement>('net-progress').value = 0;
    this.status('Waiting for the other sections…', 'busy');
    try {
      const r = await exclusive(() => this.measure());
      this.showNumbers(r);
      this.showTable(r);
      await this.draw(r);
      el<HTMLProgressElement>('net-progress').value = 1;
      this.status(
        `Done: MobileNetV2 α ${r.alpha}, ${r.size}×${r.size} on ${backendLabel(r.backend)}; ` +
          `built in ${fmtMs(r.buildMs)}, ${1 + r.times.length} runs and a profile.`,
        'done',
      );
    } catch (e) {
      console.error(e);
      this.status(`Failed: ${errorText(e)}`, 'error');
    } finally {
      this.running = false;
      button.disabled = false;
    }
  }

  /** Builds the model on the active engine, times predict, profiles it, and disposes everything it made. */
  private async measure(): Promise<Result> {
    const { app } = this;
    const engine = activeEngine(app);
    const { alpha, size } = this.settings();
    const progress = el<HTMLProgressElement>('net-progress');
    // Steps for the progress bar: build, first run, the timed runs (at most), profile.
    const total = 3 + MAX_RUNS;
    let done = 0;
    const step = async (text: string) => {
      progress.value = Math.min(1, done++ / total);
      this.status(text, 'busy');
      await nextFrame();
    };

    // The live section's image, centre-cropped and resized to size×size, scaled to −1…1 as Keras' MobileNetV2 preprocessing does.
    const square = centreCrop(app.image, size, size);
    drawRgb(el<HTMLCanvasElement>('net-input'), square.data, size, size, 'clip');
    const input = square.data.map((v) => v * 2 - 1);

    await step(`Building MobileNetV2 α ${alpha}, ${size}×${size} on ${backendLabel(engine.backend)} (seeded random weights)…`);
    let model: Model | null = null;
    let x: Tensor | null = null;
    try {
      const t0 = performance.now();
      model = await mobilenetV2({ engine, alpha, inputSize: size });
      const buildMs = performance.now() - t0;
      x = engine.tensor(input, [1, size, size, 3]);
      const m = model;
      const xx = x;
      const predict = async (): Promise<{ ms: number; probs: Float32Array }> => {
        const t = performance.now();
        const y = m.predict(xx);
        try {
          const probs = await y.read();
          return { ms: performance.now() - t, probs };
        } finally {
          y.dispose();
        }
      };

      await step(engine.backend === 'webgpu' ? 'First run: compiles the shaders on first use…' : 'First run…');
      const first = await predict();
      const key = `${engine.backend}:${alpha}:${size}`;
      const firstNote = engine.backend !== 'webgpu' ? 'first call' : this.compiled.has(key) ? 'shaders already compiled' : 'incl. shader compile';
      this.compiled.add(key);
      const { times, last } = await timedRuns(predict, (i) => step(`Timing predict: run ${i + 1}…`));
      const probs = last.probs;
      done = total - 1;
      await step(engine.backend === 'webgpu' ? 'Profiling every op…' : 'Profiling every op (wall clock)…');
      const profile = await model.profile(x);
      const layers = model.layers();
      const byName = new Map(layers.map((l) => [l.name, l]));
      const adds = new Set(layers.filter((l) => l.type.startsWith('residual')).map((l) => l.name.replace(/_add$/, '_project')));
      const ops: OpRow[] = profile.layers.map((p) => ({
        name: p.name,
        op: p.op,
        kind: kindOf(p.op),
        ms: p.ms,
        layer: byName.get(p.name),
        add: adds.has(p.name),
      }));
      return {
        backend: engine.backend,
        alpha,
        size,
        buildMs,
        firstMs: first.ms,
        firstNote,
        times,
        probs,
        method: profile.method,
        ops,
        layers,
        params: model.params(),
        flops: model.flops(),
        plan: model.memoryPlan(1),
        summary: model.summary(),
      };
    } finally {
      x?.dispose();
      model?.dispose();
      // The model's weights and buffers went back to the pool: free them for real.
      if (!engine.isLost) engine.trim();
    }
  }

  private showNumbers(r: Result): void {
    const ms = median(r.times);
    setText('net-time', fmtMs(ms), r.times.map((t) => fmtMs(t)).join(', '));
    setText('net-first', fmtMs(r.firstMs));
    setText('net-first-rel', r.firstNote);
    setText(
      'net-time-note',
      `One predict plus reading the ${fmtInt(r.probs.length)} probabilities back; median of ${r.times.length} runs after the first. ` +
        `Building the model took ${fmtMs(r.buildMs)}.`,
      'Building: seeded random weights, batch norm folded into the convolutions, weights uploaded once',
    );

    const items = el('net-top5').querySelectorAll('li');
    topK(r.probs, 5).forEach((c, i) => {
      const li = items[i];
      if (!li) return;
      const p = r.probs[c] as number;
      li.dataset.index = String(c);
      (li.querySelector('.cls') as HTMLElement).textContent = `class ${c}`;
      (li.querySelector('.pbar i') as HTMLElement).style.width = `${Math.max(0.5, 100 * p).toFixed(1)}%`;
      (li.querySelector('.p') as HTMLElement).textContent = `${(100 * p).toFixed(p >= 0.1 ? 1 : 2)}%`;
    });

    const { params, plan } = r;
    setText('net-params', fmtInt(params.total));
    setText('net-params-rel', `${fmtInt(params.trainable)} trainable`);
    setText('net-folded', fmtInt(params.folded));
    setText('net-ops', `in ${r.ops.length} ops`, `${r.layers.length} Keras layers run as ${r.ops.length} ops`);
    setText('net-flops', `${fmtShort(r.flops)}`, fmtInt(r.flops));
    setText('net-flops-rel', `${(r.flops / (ms / 1000) / 1e9).toFixed(2)} GFLOP/s`, 'FLOPs per image / the median predict time');
    setText('net-weight-bytes', fmtBytes(4 * params.folded));
    setText('net-peak', fmtBytes(plan.peakBytes), `${fmtInt(plan.peakBytes)} bytes`);
    setText('net-buffers', `in ${plan.buffers} shared buffers`, 'Intermediate tensors share a buffer when their lifetimes do not overlap');
    setText('net-unplanned', fmtBytes(plan.activationBytes), `${fmtInt(plan.activationBytes)} bytes`);
    setText('net-saved', `${(plan.activationBytes / plan.peakBytes).toFixed(1)}× more`, 'One buffer per intermediate tensor');

    showTimingMethod('net-method', r.method);
    const sum = r.ops.reduce((a, o) => a + o.ms, 0);
    setText(
      'net-method-note',
      r.method === 'timestamps'
        ? `GPU timestamp queries around each op's compute pass: the GPU's own time, without the CPU's. The ${r.ops.length} ops sum to ${fmtMs(sum)} ` +
            `(predict end to end: ${fmtMs(ms)}). Batch norm and relu6 run inside the op before them.`
        : r.backend === 'webgpu'
          ? `This adapter has no 'timestamp-query': each op was submitted and waited for on its own, which overstates small ops. ` +
            `The ${r.ops.length} ops sum to ${fmtMs(sum)}, against ${fmtMs(ms)} for the whole predict in one submit.`
          : `Wall clock around each op on ${backendLabel(r.backend)}; the ${r.ops.length} ops sum to ${fmtMs(sum)} (predict: ${fmtMs(ms)}). ` +
            'Batch norm and relu6 run inside the op before them.',
    );

    // Share of the time and of the FLOPs per kind of op.
    const flopsOf = (o: OpRow) => o.layer?.flops ?? 0;
    const totalFlops = r.ops.reduce((a, o) => a + flopsOf(o), 0);
    for (const kind of KINDS) {
      const mine = r.ops.filter((o) => o.kind === kind);
      const t = mine.reduce((a, o) => a + o.ms, 0);
      const f = mine.reduce((a, o) => a + flopsOf(o), 0);
      const pct = (v: number, of: number) => `${of > 0 ? Math.round((100 * v) / of) : 0}%`;
      const out = el('net-legend').querySelector(`[data-kind="${kind}"] output`);
      if (out) out.textContent = `${mine.length} op${mine.length === 1 ? '' : 's'} · ${pct(t, sum)} of time · ${pct(f, totalFlops)} of FLOPs`;
    }
  }

  private showTable(r: Result): void {
    const table = el<HTMLTableElement>('net-summary');
    const body = table.tBodies[0] as HTMLTableSectionElement;
    body.replaceChildren(
      ...r.layers.map((l, i) => {
        const tr = document.createElement('tr');
        if (FOLDED.has(l.type)) tr.className = 'folded';
        else if (l.type.startsWith('residual')) tr.className = 'add';
        const cells = [String(i + 1), l.name, l.type, shape(l.outputShape), fmtInt(l.params), l.flops ? fmtInt(l.flops) : '0'];
        cells.forEach((text, c) => {
          const td = document.createElement('td');
          td.textContent = text;
          if (c >= 4) td.className = 'n';
          else if (c === 0) td.className = 'i';
          tr.append(td);
        });
        return tr;
      }),
    );
    let foot = table.tFoot;
    if (!foot) foot = table.createTFoot();
    foot.replaceChildren();
    const tr = foot.insertRow();
    const label = document.createElement('th');
    label.colSpan = 4;
    label.scope = 'row';
    label.textContent = `Total, ${r.layers.length} layers`;
    const p = document.createElement('td');
    p.className = 'n';
    p.textContent = fmtInt(r.params.total);
    const f = document.createElement('td');
    f.className = 'n';
    f.textContent = fmtInt(r.flops);
    tr.append(label, p, f);
    el('net-summary-empty').hidden = true;
    setText('net-summary-count', `model.layers(): ${r.layers.length} Keras layers; greyed rows (batch norm, relu6, flatten) run inside the op above them`);
    setText('net-summary-text', r.summary);
  }

  private async draw(r: Result): Promise<void> {
    const { Chart, BarController, BarElement, CategoryScale, LinearScale, Tooltip } = await import('chart.js');
    Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);
    const colours: Record<Kind, string> = {
      conv2d: cssVar('--std') || '#ea580c',
      depthwise: cssVar('--dw') || '#0369a1',
      pointwise: cssVar('--pw') || '#7c3aed',
      other: cssVar('--cpu') || '#94a3b8',
    };
    const text = cssVar('--text') || '#1e293b';
    const muted = cssVar('--muted') || '#64748b';
    const grid = cssVar('--line') || '#e2e8f0';
    const mono = cssVar('--mono') || 'monospace';
    const ops = r.ops;
    el('net-empty').hidden = true;
    this.chart?.destroy();
    this.chart = new Chart(el<HTMLCanvasElement>('net-chart'), {
      type: 'bar',
      data: {
        labels: ops.map((o) => o.name),
        datasets: [
          {
            label: 'ms',
            data: ops.map((o) => o.ms),
            backgroundColor: ops.map((o) => colours[o.kind]),
            borderRadius: 2,
            barPercentage: 0.82,
            categoryPercentage: 1,
          },
        ],
      },
      options: {
        indexAxis: 'y',
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        layout: { padding: { right: 8 } },
        scales: {
          x: {
            position: 'top',
            beginAtZero: true,
            title: { display: true, text: `ms per op (${r.method === 'timestamps' ? 'GPU timestamps' : 'wall clock'})`, color: text },
            ticks: { color: muted },
            grid: { color: grid },
          },
          y: {
            ticks: {
              color: text,
              autoSkip: false,
              font: { family: mono, size: 10 },
              // Narrow charts (phones): shorter names.
              callback(_value, index) {
                const name = ops[index]?.name ?? '';
                if (this.chart.width >= 520) return name;
                return name
                  .replace(/^block_/, 'b')
                  .replace(/^expanded_conv_/, 'b0_')
                  .replace('global_average_pooling2d', 'avg pool')
                  .replace(/_depthwise$/, '_dw')
                  .replace(/_project$/, '_proj')
                  .replace(/^softmax_\d+$/, 'softmax');
              },
            },
            grid: { display: false },
          },
        },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              title: (items) => {
                const o = ops[items[0]?.dataIndex ?? 0];
                return o ? `${o.name} · ${o.layer?.type ?? o.op}${o.add ? ' + residual add' : ''}` : '';
              },
              label: (ctx) => {
                const o = ops[ctx.dataIndex];
                if (!o) return '';
                const parts = [fmtMs(o.ms)];
                if (o.layer) parts.push(`out ${shape(o.layer.outputShape)}`);
                if (o.layer?.flops) parts.push(`${fmtShort(o.layer.flops)}${o.layer.flops < 1e4 ? ' ' : ''}FLOP`, `${(o.layer.flops / (o.ms / 1000) / 1e9).toFixed(2)} GFLOP/s`);
                return parts.join(' · ');
              },
            },
          },
        },
      },
    });
    el('net-chart-box').dataset.ready = 'true';
  }
}
