// Statistics, the agreement check, roofline percentages, and the outputs (Markdown
// table and JSON) of a benchmark run.

import type { BenchResult, BenchRow, EngineName } from './types.js';

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * Does an engine's output agree with sepconv-cpu's? Every engine sums in f32 in its
 * own order; outputs here are sums of at most 3·3·960 products of values in
 * [-1, 1], so f32 rounding stays far below 1e-3 + 1e-3·|ref|. NaN where the
 * reference is not NaN (or a length mismatch) disagrees.
 */
export function agreement(got: Float32Array, ref: Float32Array): { agrees: boolean; maxAbsDiff: number } {
  if (got.length !== ref.length) return { agrees: false, maxAbsDiff: Infinity };
  let maxAbsDiff = 0;
  let agrees = true;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i] as number;
    const d = Math.abs((got[i] as number) - r);
    if (!(d <= 1e-3 + 1e-3 * Math.abs(r))) agrees = false;
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

export const GPU_ENGINES: readonly EngineName[] = ['sepconv-webgpu', 'tfjs-webgpu', 'ort-webgpu'];

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
  if (!Array.isArray(o.rows)) fail('rows');
  const engines: EngineName[] = ['sepconv-webgpu', 'sepconv-cpu', 'tfjs-webgpu', 'tfjs-wasm', 'ort-webgpu'];
  o.rows.forEach((row, i) => {
    if (typeof row.case !== 'string') fail(`rows[${i}].case`);
    if (!['depthwise', 'pointwise', 'separable', 'conv2d'].includes(row.op)) fail(`rows[${i}].op`);
    if (!engines.includes(row.engine)) fail(`rows[${i}].engine`);
    for (const k of ['firstMs', 'medianMs', 'latencyMs', 'gflops', 'gbps', 'roofPct', 'maxAbsDiff'] as const) {
      if (row[k] !== null && typeof row[k] !== 'number') fail(`rows[${i}].${k}`);
    }
    if (typeof row.agrees !== 'boolean') fail(`rows[${i}].agrees`);
    if (row.agrees && row.medianMs === null && !row.error) fail(`rows[${i}]: agrees but has no time and no error`);
  });
}

const fmt = (v: number | null, digits = 2) => (v === null ? '–' : v.toFixed(digits));

/** The Markdown table: one line per case, one column per engine (median ms, % of roofline for GPU engines). */
export function markdownTable(r: BenchResult, engines: readonly EngineName[]): string {
  const cases = [...new Set(r.rows.map((x) => x.case))];
  const header = ['case', 'op', ...engines.map((e) => `${e} ms`), ...(engines.includes('tfjs-webgpu') ? ['sepconv vs tfjs-webgpu'] : [])];
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const id of cases) {
    const rows = r.rows.filter((x) => x.case === id);
    const cell = (e: EngineName) => {
      const row = rows.find((x) => x.engine === e);
      if (!row) return '';
      if (!row.agrees) return row.error ? 'error' : 'disagrees';
      if (row.medianMs === null) return 'error';
      return row.roofPct !== null ? `${fmt(row.medianMs)} (${fmt(row.roofPct, 0)}%)` : fmt(row.medianMs);
    };
    const ours = rows.find((x) => x.engine === 'sepconv-webgpu')?.medianMs ?? null;
    const tf = rows.find((x) => x.engine === 'tfjs-webgpu')?.medianMs ?? null;
    const ratio = ours && tf ? `${(tf / ours).toFixed(2)}×` : '–';
    lines.push(`| ${[id, rows[0]?.op ?? '', ...engines.map(cell), ...(engines.includes('tfjs-webgpu') ? [ratio] : [])].join(' | ')} |`);
  }
  const a = r.adapter;
  const notes = [
    '',
    `Adapter: ${[a.vendor, a.architecture, a.description].filter(Boolean).join(' / ') || 'unknown'} (${r.host}); ${r.date}.`,
    `Roofline measured in the same run: ${fmt(r.roofline.gflops, 1)} GFLOP/s (vec4 FMA), ${fmt(r.roofline.gbps, 1)} GB/s (vec4 copy).`,
    'Times: median of ≥ 5 runs of k queued ops + one readback, divided by k; (x%) = share of the roofline bound at the op\'s arithmetic intensity.',
  ];
  const bad = r.rows.filter((x) => !x.agrees || x.error);
  if (bad.length) notes.push(`Not timed: ${bad.map((x) => `${x.case}/${x.engine}${x.error ? ` (${x.error.slice(0, 80)})` : ' (disagrees)'}`).join('; ')}.`);
  return [...lines, ...notes].join('\n') + '\n';
}
