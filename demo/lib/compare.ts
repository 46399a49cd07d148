// Section 3: the current image through a standard 3→32 convolution and a
// separable 3→32 one (seeded random weights), the 32 feature maps of each, their
// weights, FLOPs, measured time and how many of the maps are linearly independent.

import { countFlops, countParams, type Engine, type Tensor } from 'sepconv';
import { seededUniform } from '../../src/random.js';
import { errorText, median } from '../../bench/lib/stats.js';
import { activeEngine, backendLabel, inputTensor, type App } from './app.js';
import { el, setText } from './dom.js';
import { fmtInt, fmtMs, fmtShort } from './format.js';
import { channelRank, drawMosaic } from './image.js';
import { coalesce, exclusive } from './tasks.js';

const CIN = 3;
const COUT = 32;
const K = 3;
const TIMED_RUNS = 3;

// Seeded weights, scaled so outputs stay O(1) (He-like: 1/sqrt(fan-in)).
const STD_FILTER = seededUniform(K * K * CIN * COUT, 101).map((v) => v / Math.sqrt(K * K * CIN));
const DW_FILTER = seededUniform(K * K * CIN, 202).map((v) => v / K);
const PW_FILTER = seededUniform(CIN * COUT, 303).map((v) => v / Math.sqrt(CIN));

/** Times one op + readback: a warm-up run (shader compilation), then the median of TIMED_RUNS. */
async function timeOp(op: () => Tensor): Promise<{ ms: number; out: Float32Array }> {
  const once = async () => {
    const t0 = performance.now();
    const y = op();
    try {
      const out = await y.read();
      return { ms: performance.now() - t0, out };
    } finally {
      y.dispose();
    }
  };
  let last = await once();
  const times: number[] = [];
  for (let i = 0; i < TIMED_RUNS; i++) {
    last = await once();
    times.push(last.ms);
  }
  return { ms: median(times), out: last.out };
}

export class CompareSection {
  readonly request: () => void;
  private last: 'done' | 'error' = 'done';

  constructor(private readonly app: App) {
    this.request = coalesce(
      () => exclusive(() => this.compute()),
      (e) => {
        console.error(e);
        this.status(`error: ${errorText(e)}`, 'error');
      },
      (busy) => {
        el('cmp-status').dataset.state = busy ? 'busy' : this.last;
      },
    );
    el('cmp-rerun').addEventListener('click', () => this.request());
  }

  private status(text: string, state: 'busy' | 'done' | 'error'): void {
    setText('cmp-status', text);
    if (state !== 'busy') this.last = state;
  }

  private async compute(): Promise<void> {
    const { app } = this;
    const engine: Engine = activeEngine(app);
    const image = app.image;
    const version = app.imageVersion;
    const { width, height } = image;
    this.status(`running on ${backendLabel(engine.backend, 'the CPU')}…`, 'busy');
    el('cmp-rerun').toggleAttribute('disabled', true);
    try {
      const x = inputTensor(engine, image, version);
      const w = engine.tensor(STD_FILTER, [K, K, CIN, COUT]);
      const dw = engine.tensor(DW_FILTER, [K, K, CIN, 1]);
      const pw = engine.tensor(PW_FILTER, [CIN, COUT]);
      let std, sep;
      try {
        std = await timeOp(() => engine.conv2d(x, w, { padding: 'same' }));
        sep = await timeOp(() => engine.separableConv2d(x, dw, pw, { padding: 'same' }));
      } finally {
        w.dispose();
        dw.dispose();
        pw.dispose();
      }

      drawMosaic(el<HTMLCanvasElement>('cmp-std'), std.out, width, height, COUT, 8);
      drawMosaic(el<HTMLCanvasElement>('cmp-sep'), sep.out, width, height, COUT, 8);

      const common = { inChannels: CIN, outChannels: COUT, kernelSize: K, inputSize: [height, width] as [number, number], padding: 'same' as const };
      const pStd = countParams({ op: 'conv2d', ...common });
      const pSep = countParams({ op: 'separable', ...common });
      const fStd = countFlops({ op: 'conv2d', ...common });
      const fSep = countFlops({ op: 'separable', ...common });
      const times = (a: number, b: number, more: string, less: string) =>
        a / b >= 1 ? `${(a / b).toFixed(1)}× ${more}` : `${(b / a).toFixed(1)}× ${less}`;
      setText('cmp-std-params', fmtInt(pStd));
      setText('cmp-sep-params', fmtInt(pSep));
      setText('cmp-sep-params-rel', times(pStd, pSep, 'fewer', 'more'));
      setText('cmp-std-flops', fmtShort(fStd), fmtInt(fStd));
      setText('cmp-sep-flops', fmtShort(fSep), fmtInt(fSep));
      setText('cmp-sep-flops-rel', times(fStd, fSep, 'fewer', 'more'));
      setText('cmp-std-time', fmtMs(std.ms));
      setText('cmp-sep-time', fmtMs(sep.ms));
      setText('cmp-sep-time-rel', times(std.ms, sep.ms, 'faster', 'slower'));
      setText('cmp-std-rank', `${channelRank(std.out, COUT)} of ${COUT}`);
      setText('cmp-sep-rank', `${channelRank(sep.out, COUT)} of ${COUT}`);
      this.status(`${width}×${height} px on ${backendLabel(engine.backend, 'the CPU')}.`, 'done');
    } finally {
      el('cmp-rerun').toggleAttribute('disabled', false);
    }
  }
}
