// `npm run bench`: sepconv WebGPU (Node, Dawn) against sepconv CPU on the suite
// (bench/shapes.json, then the end-to-end networks of bench/networks.json), with the
// adapter's roofline measured in the same run.
// Writes bench/results/node-latest.{md,json} and prints the table.
import '../test/support/setup.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { joinSuites, parseSuite, selectCases } from './lib/cases.js';
import { parseArgs, progress } from './lib/cli.js';
import { runCases } from './lib/harness.js';
import { assertResultSchema, markdownTable } from './lib/report.js';
import { measureRoofline } from './lib/roofline.js';
import type { BenchResult } from './lib/types.js';
import { createSepconvEngine } from './engines/sepconv.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

const args = parseArgs(process.argv.slice(2));
if (args.threads !== undefined) throw new Error('bench: --threads is an option of bench:browser (its wasm engines); this one runs no wasm engine');
const suite = (name: string) => parseSuite(JSON.parse(readFileSync(here(name), 'utf8')));
const cases = selectCases(joinSuites(suite('./shapes.json'), suite('./networks.json')), args);
if (cases.length === 0) throw new Error('bench: no case matches');

const gpu = createSepconvEngine('webgpu');
const cpu = createSepconvEngine('cpu');
await gpu.init();
await cpu.init();
const adapter = gpu.engine().adapter ?? { vendor: '', architecture: '', description: '' };
progress('measuring the roofline');
const roofline = await measureRoofline(gpu.engine().device!, () => performance.now());
const rows = await runCases(cases, [gpu, cpu], cpu, {
  runs: args.runs,
  warmup: 2,
  targetMs: 50,
  roofline,
  now: () => performance.now(),
  onProgress: progress,
});
if (process.stdout.isTTY) process.stdout.write('\n');
const result: BenchResult = { adapter, date: new Date().toISOString(), host: 'node (Dawn)', roofline, rows };
assertResultSchema(result);
const table = markdownTable(result, ['sepconv-webgpu', 'sepconv-cpu']);
mkdirSync(here('./results'), { recursive: true });
writeFileSync(here('./results/node-latest.json'), JSON.stringify(result, null, 1) + '\n');
writeFileSync(here('./results/node-latest.md'), table);
console.log(`\n${table}`);
console.log('wrote bench/results/node-latest.md and bench/results/node-latest.json');
gpu.destroy();
cpu.destroy();
