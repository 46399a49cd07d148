// `npm run bench:variants`: for each suite case (Node, Dawn), the kernel choice
// checked against measurement. First engine.tune() times every candidate the
// registry offers for the case's op (each variant × each tunable value; a
// separable case also tunes the two ops of its unfused variant), then every one
// of those candidates (forced), the engine's own choice ('auto') and the tuned
// engine are timed again in alternating runs. Writes the medians, the best
// candidate, and how far 'auto' and 'tuned' are from it to
// bench/results/variants.{md,json}.
import '../test/support/setup.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createEngine, kernelChoiceFor, type EngineOptions, type TuningRecord } from 'sepconv';
import { caseData, parseSuite, selectCases } from './lib/cases.js';
import { parseArgs, progress } from './lib/cli.js';
import { agreement } from './lib/report.js';
import { median } from './lib/stats.js';
import { createSepconvEngine } from './engines/sepconv.js';
import type { BenchCase, CaseData, PreparedCase } from './lib/types.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const args = parseArgs(process.argv.slice(2));
if (args.threads !== undefined) throw new Error('bench:variants: --threads is an option of bench:browser (its wasm engines); this one runs no wasm engine');
const cases = selectCases(parseSuite(JSON.parse(readFileSync(here('./shapes.json'), 'utf8'))), args).filter((c) => c.op !== 'network');
const sepconv = createSepconvEngine('webgpu');

/** One case's figures: median ms per op of every timed engine. */
interface VariantRow {
  case: string;
  op: string;
  /** Median ms per op by candidate (`variant tunable=value…`), plus 'auto' and 'tuned'. */
  medians: Record<string, number>;
  best: string;
  auto: string;
  tuned: string;
  autoVsBest: number;
  /** The tuned choice, timed forced, against the best: 1 when tuning found the best candidate. */
  tunedVsBest: number;
  /** The tuned engine as a whole against the best (includes engine-to-engine noise, ±10% here). */
  tunedEngineVsBest: number;
}

const describeCandidate = (c: { variant: string; tunables: Record<string, number> }) =>
  [c.variant, ...Object.entries(c.tunables).map(([k, v]) => `${k}=${v}`)].join(' ');

/** A prepared case on its own engine. */
async function prepared(options: EngineOptions, c: BenchCase, d: CaseData): Promise<{ p: PreparedCase; close: () => Promise<void> }> {
  const engine = await createEngine({ backend: 'webgpu', ...options });
  const p = await sepconv.prepareOn(engine, c, d);
  return {
    p,
    close: async () => {
      await p.dispose();
      engine.destroy();
    },
  };
}

const cpu = createSepconvEngine('cpu');
await cpu.init();
const rows: VariantRow[] = [];
for (const [i, c] of cases.entries()) {
  const data = caseData(c);
  const ref = await (await cpu.prepare(c, data)).run(1);
  progress(`[${i + 1}/${cases.length}] ${c.id}: tuning`);
  const tuner = await prepared({}, c, data);
  const records: TuningRecord[] = await (tuner.p.tune as NonNullable<PreparedCase['tune']>)({ budgetMs: Infinity, runs: args.runs });
  await tuner.close();
  const main = records.find((r) => r.key.startsWith(`${c.op} `));
  if (!main) throw new Error(`${c.id}: tuning made no record for the ${c.op} call`);
  const engines = new Map<string, EngineOptions>([
    ['auto', {}],
    ['tuned', { tuning: records }],
  ]);
  // Forced candidates keep the other records, so the unfused separable variant runs its parts as tuned.
  for (const cand of main.candidates) engines.set(describeCandidate(cand), { kernels: kernelChoiceFor(main.key, cand), tuning: records });
  const timed: { name: string; p: PreparedCase; close: () => Promise<void>; k: number }[] = [];
  for (const [name, options] of engines) {
    const e = await prepared(options, c, data);
    if (!agreement(await e.p.run(1), ref).agrees) throw new Error(`${c.id}: ${name} disagrees with the CPU`);
    await e.p.run(1);
    // k queued ops per timed run, so a run takes about 40 ms (as the main harness does).
    const t0 = performance.now();
    await e.p.run(1);
    timed.push({ name, ...e, k: Math.max(1, Math.min(32, Math.round(40 / Math.max(performance.now() - t0, 1e-3)))) });
  }
  const chosen = timed.find((t) => t.name === 'auto')?.p.explain?.().find((k) => k.key === main.key);
  const times = new Map<string, number[]>(timed.map((t) => [t.name, []]));
  for (let r = 0; r < args.runs; r++) {
    progress(`[${i + 1}/${cases.length}] ${c.id}: run ${r + 1}/${args.runs} of ${timed.length} engines`);
    // The starting engine rotates every run, as in the main harness.
    for (let j = 0; j < timed.length; j++) {
      const t = timed[(j + r) % timed.length]!;
      const t0 = performance.now();
      await t.p.run(t.k);
      times.get(t.name)!.push((performance.now() - t0) / t.k);
    }
  }
  for (const t of timed) await t.close();
  const medians = Object.fromEntries([...times].map(([k, v]) => [k, median(v)]));
  const candidates = Object.entries(medians).filter(([k]) => k !== 'auto' && k !== 'tuned');
  const [best, bestMs] = candidates.sort((a, b) => a[1] - b[1])[0] as [string, number];
  const auto = chosen ? describeCandidate(chosen) : '?';
  const tuned = describeCandidate(main);
  rows.push({
    case: c.id,
    op: c.op,
    medians,
    best,
    auto,
    tuned,
    autoVsBest: (medians[auto] ?? (medians.auto as number)) / bestMs,
    tunedVsBest: (medians[tuned] as number) / bestMs,
    tunedEngineVsBest: (medians.tuned as number) / bestMs,
  });
}
if (process.stdout.isTTY) process.stdout.write('\n');

// A filtered run updates its cases' rows and keeps the others from the last run.
const resultsFile = here('./results/variants.json');
let out = rows;
if (args.filter || args.quick) {
  let previous: VariantRow[] = [];
  try {
    previous = (JSON.parse(readFileSync(resultsFile, 'utf8')) as { rows: VariantRow[] }).rows.filter((r) => 'tunedEngineVsBest' in r);
  } catch {
    // no earlier results
  }
  const fresh = new Set(rows.map((o) => o.case));
  const order = parseSuite(JSON.parse(readFileSync(here('./shapes.json'), 'utf8'))).map((c) => c.id);
  out = [...previous.filter((o) => !fresh.has(o.case)), ...rows].sort((a, b) => order.indexOf(a.case) - order.indexOf(b.case));
}
const ratio = (v: number) => `${v.toFixed(2)}×`;
const geomean = (vs: number[]) => Math.exp(vs.reduce((a, v) => a + Math.log(v), 0) / vs.length);
const worst = out.reduce((w, r) => (r.tunedVsBest > w.tunedVsBest ? r : w), out[0] as VariantRow);
const lines = [
  'Kernel choice against measurement (`npm run bench:variants`, Node + Dawn): every candidate the registry offers for a case',
  "(variant × tunable values) timed forced, next to the engine's own choice ('auto') and the tuned engine (`engine.tune`);",
  'median ms per op of alternating runs. Ratios are to the best forced candidate of the same run (1.00× = as fast as the best):',
  "'auto / best' and 'tuned / best' compare the forced timings of the candidate each picks; 'tuned engine / best' times the tuned",
  'engine itself, which adds the spread between two engines running the same kernel (about ±10% here).',
  '',
  `Tuned vs best: geomean ${ratio(geomean(out.map((r) => r.tunedVsBest)))}, worst ${ratio(worst.tunedVsBest)} (${worst.case}); ` +
    `auto vs best: geomean ${ratio(geomean(out.map((r) => r.autoVsBest)))}, worst ${ratio(Math.max(...out.map((r) => r.autoVsBest)))}; ` +
    `tuned engine vs best: geomean ${ratio(geomean(out.map((r) => r.tunedEngineVsBest)))}.`,
  '',
  '| case | op | candidates | best (ms) | auto | auto / best | tuned | tuned / best | tuned engine / best |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...out.map(
    (r) =>
      `| ${r.case} | ${r.op} | ${Object.keys(r.medians).length - 2} | ${r.best} (${(r.medians[r.best] as number).toFixed(2)}) | ${r.auto} | ${ratio(r.autoVsBest)} | ${r.tuned} | ${ratio(r.tunedVsBest)} | ${ratio(r.tunedEngineVsBest)} |`,
  ),
  '',
  'Every candidate, median ms per op:',
  '',
  ...out.map((r) => `- ${r.case}: ${Object.entries(r.medians).map(([k, v]) => `${k} ${v.toFixed(2)}`).join('; ')}`),
];
const md = `${lines.join('\n')}\n`;
mkdirSync(here('./results'), { recursive: true });
writeFileSync(resultsFile, JSON.stringify({ date: new Date().toISOString(), rows: out }, null, 1) + '\n');
writeFileSync(here('./results/variants.md'), md);
console.log(md);
