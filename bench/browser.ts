// `npm run bench:browser`: builds the benchmark page, opens it in headless
// Chromium with WebGPU, runs every engine on the suite (bench/shapes.json, then the
// end-to-end networks of bench/networks.json) in that one page, and writes
// bench/results/latest.{md,json}.
//
// The browser runs WebGPU on SwiftShader (a software GPU) unless
// SEPCONV_REAL_GPU=1 lets it use the machine's GPU (see test/support/browser.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';
import { launchBrowser } from '../test/support/browser.js';
import { parseArgs, progress } from './lib/cli.js';
import { assertResultSchema, ENGINES, markdownTable } from './lib/report.js';
import type { BenchResult } from './lib/types.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const args = parseArgs(process.argv.slice(2));
const configFile = here('./browser/vite.config.ts');

progress('building the benchmark page');
await build({ configFile });
const server = await preview({ configFile, preview: { port: 0, host: '127.0.0.1' } });
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  page.on('console', (m) => {
    const text = m.text();
    if (text.startsWith('progress: ')) progress(text.slice('progress: '.length));
    else if (m.type() === 'error' || m.type() === 'warning') console.error(`[page ${m.type()}] ${text}`);
  });
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  await page.goto(server.resolvedUrls?.local[0] as string);
  await page.waitForFunction(() => 'sepconvBench' in window, undefined, { timeout: 120_000 });
  const result = (await page.evaluate(
    (a) => (window as unknown as { sepconvBench: (x: unknown) => Promise<unknown> }).sepconvBench(a),
    args,
  )) as BenchResult;
  if (process.stdout.isTTY) process.stdout.write('\n');
  assertResultSchema(result);
  const table = markdownTable(result, ENGINES.filter((e) => args.tuned || e !== 'sepconv-webgpu-tuned'));
  mkdirSync(here('./results'), { recursive: true });
  const out = args.out ?? 'latest';
  writeFileSync(here(`./results/${out}.json`), JSON.stringify(result, null, 1) + '\n');
  writeFileSync(here(`./results/${out}.md`), table);
  console.log(`\n${table}`);
  console.log(`wrote bench/results/${out}.md and bench/results/${out}.json`);
} finally {
  await browser.close();
  await server.close();
}
