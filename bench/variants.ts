// `npm run bench:variants`: times every kernel variant sepconv has for each suite
// case (Node, Dawn), alternating variants run by run, and records the winner per
// case in bench/results/variants.{md,json}. These measurements are what the
// engine's kernel choice (src/kernels/choice.ts) is checked against.
import '../test/support/setup.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createEngine, type Engine, type KernelChoice } from 'sepconv';
import { caseData, parseSuite, selectCases } from './lib/cases.js';
import { parseArgs, progress } from './lib/cli.js';
import { agreement, median } from './lib/report.js';
import { createSepconvEngine } from './engines/sepconv.js';
import type { BenchCase, BenchEngine } from './lib/types.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const args = parseArgs(process.argv.slice(2));
const cases = selectCases(parseSuite(JSON.parse(readFileSync(here('./shapes.json'), 'utf8'))), args);

/** Variant sets worth timing for an op. */
function variantsFor(c: BenchCase): Record<string, KernelChoice> {
  switch (c.op) {
    case 'depthwise':
      return {
        'dw:strips of 16 rows': { depthwise: c.kernel?.[0] === 5 ? '5x5' : '3x3', depthwiseStripRows: 16 },
        'dw:strips of 4 rows': { depthwise: c.kernel?.[0] === 5 ? '5x5' : '3x3', depthwiseStripRows: 4 },
        'dw:strips of 1 row': { depthwise: c.kernel?.[0] === 5 ? '5x5' : '3x3', depthwiseStripRows: 1 },
        'dw:vec4': { depthwise: 'vec4' },
        'dw:scalar': { depthwise: 'scalar' },
      };
    case 'pointwise':
      return { 'pw:direct8': { pointwise: 'direct8' }, 'pw:direct': { pointwise: 'direct' }, 'pw:tiled': { pointwise: 'tiled' }, 'pw:conv8': { pointwise: 'conv8' } };
    case 'separable':
      return {
        'sep:fused': { separable: 'fused' },
        'sep:unfused': { separable: 'unfused' },
        'sep:unfused, tiled pointwise': { separable: 'unfused', pointwise: 'tiled' },
        'sep:unfused, conv8 pointwise': { separable: 'unfused', pointwise: 'conv8' },
      };
    case 'conv2d':
      return { 'conv:direct8': { conv2d: 'direct8' }, 'conv:direct': { conv2d: 'direct' }, 'conv:tiled': { conv2d: 'tiled' } };
    case 'network':
      throw new Error(`bench:variants: ${c.id} is a network case; variants are timed per op`);
  }
}

/** A sepconv engine with forced kernels, as a bench engine. */
async function forced(kernels: KernelChoice): Promise<BenchEngine> {
  const e = createSepconvEngine('webgpu');
  const engine: Engine = await createEngine({ backend: 'webgpu', kernels });
  return { ...e, init: async () => {}, prepare: (c, d) => e.prepareOn(engine, c, d), destroy: () => engine.destroy() };
}

const cpu = createSepconvEngine('cpu');
await cpu.init();
const out: { case: string; op: string; variants: Record<string, number | string>; best: string }[] = [];
for (const [i, c] of cases.entries()) {
  const data = caseData(c);
  const ref = await (await cpu.prepare(c, data)).run(1);
  const variants = variantsFor(c);
  const times: Record<string, number[]> = {};
  const prepared = [];
  for (const [name, kernels] of Object.entries(variants)) {
    const p = await (await forced(kernels)).prepare(c, data);
    const got = await p.run(1);
    if (!agreement(got, ref).agrees) throw new Error(`${c.id}: variant ${name} disagrees with the CPU`);
    await p.run(1);
    prepared.push({ name, p });
    times[name] = [];
  }
  for (let r = 0; r < args.runs; r++) {
    progress(`[${i + 1}/${cases.length}] ${c.id}: run ${r + 1}/${args.runs}`);
    for (const { name, p } of prepared) {
      const t0 = performance.now();
      await p.run(4);
      times[name]!.push((performance.now() - t0) / 4);
    }
  }
  const medians = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
  const best = Object.entries(medians).sort((a, b) => a[1] - b[1])[0]![0];
  out.push({ case: c.id, op: c.op, variants: medians, best });
  for (const { p } of prepared) await p.dispose();
}
if (process.stdout.isTTY) process.stdout.write('\n');
// A filtered run updates its cases' rows and keeps the others from the last run.
const resultsFile = here('./results/variants.json');
if (args.filter || args.quick) {
  let previous: typeof out = [];
  try {
    previous = (JSON.parse(readFileSync(resultsFile, 'utf8')) as { rows: typeof out }).rows;
  } catch {
    // no earlier results
  }
  const fresh = new Set(out.map((o) => o.case));
  out.unshift(...previous.filter((o) => !fresh.has(o.case)));
  const order = parseSuite(JSON.parse(readFileSync(here('./shapes.json'), 'utf8'))).map((c) => c.id);
  out.sort((a, b) => order.indexOf(a.case) - order.indexOf(b.case));
}
// One table per op (median ms per op, Node + Dawn on this machine's adapter).
const tables = [...new Set(out.map((o) => o.op))].map((op) => {
  const rows = out.filter((o) => o.op === op);
  const names = [...new Set(rows.flatMap((o) => Object.keys(o.variants)))];
  const lines = [`| ${op} case | ${names.join(' | ')} | best |`, `| --- | ${names.map(() => '---').join(' | ')} | --- |`];
  for (const o of rows) lines.push(`| ${o.case} | ${names.map((n) => (typeof o.variants[n] === 'number' ? (o.variants[n] as number).toFixed(2) : '')).join(' | ')} | ${o.best} |`);
  return lines.join('\n');
});
const md = `Median ms per op, by kernel variant (\`npm run bench:variants\`, Node + Dawn).\n\n${tables.join('\n\n')}\n`;
mkdirSync(here('./results'), { recursive: true });
writeFileSync(resultsFile, JSON.stringify({ date: new Date().toISOString(), rows: out }, null, 1) + '\n');
writeFileSync(here('./results/variants.md'), md);
console.log(md);
