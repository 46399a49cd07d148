// `npm run bench:browser`: builds the benchmark page, opens it in headless
// Chromium with WebGPU, runs every engine on the suite (bench/shapes.json, then the
// end-to-end networks of bench/networks.json) in that one page, and writes
// bench/results/latest.{md,json}.
//
// The browser runs WebGPU on SwiftShader (a software GPU) unless
// SEPCONV_REAL_GPU=1 lets it use the machine's GPU (see test/support/browser.ts).
//
// `--threads n` (default 1): the threads of each wasm engine (sepconv-wasm, tfjs-wasm,
// ort-wasm). Above 1 the page and everything it loads is served with
// `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`,
// so that it is cross-origin isolated (SharedArrayBuffer, shared WebAssembly.Memory); at 1 it
// is not, as before. Every engine checks it runs on that many threads; the run fails if a
// request of the page fails.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';
import { launchBrowser } from '../test/support/browser.js';
import { parseArgs, progress } from './lib/cli.js';
import { assertResultSchema, ENGINES, markdownTable } from './lib/report.js';
import type { BenchResult } from './lib/types.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const args = parseArgs(process.argv.slice(2));
const threads = args.threads ?? 1;
const configFile = here('./browser/vite.config.ts');
/** What makes the page cross-origin isolated: on the page and on every resource it loads (workers included). */
const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

progress('building the benchmark page');
await build({ configFile });
const server = await preview({
  configFile,
  preview: { port: 0, host: '127.0.0.1', ...(threads > 1 && { headers: ISOLATION_HEADERS }) },
});
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  page.on('console', (m) => {
    const text = m.text();
    if (text.startsWith('progress: ')) progress(text.slice('progress: '.length));
    else if (m.type() === 'error' || m.type() === 'warning') console.error(`[page ${m.type()}] ${text}`);
  });
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  // Anything the page could not load (e.g. blocked by COEP) fails the run once it is over.
  const failedRequests: string[] = [];
  page.on('requestfailed', (r) => failedRequests.push(`${r.url()} (${r.failure()?.errorText ?? 'failed'})`));
  // Which wasm builds the page fetched (TF.js: threaded SIMD when isolated, else SIMD; ORT's glue).
  const fetched = new Set<string>();
  page.on('response', (r) => {
    if (r.status() >= 400) failedRequests.push(`${r.url()} (HTTP ${r.status()})`);
    const file = /\/assets\/([^/?]+\.(?:wasm|mjs))(?:\?|$)/.exec(r.url())?.[1];
    if (file) fetched.add(file);
  });
  // The workers the page starts, by script: the wasm engines' thread pools (blob: scripts for
  // sepconv's (threads − 1) and TF.js's (Emscripten's pool of 8, of which XNNPACK uses threads − 1),
  // onnxruntime-web's glue ort-wasm-simd-threaded.mjs for its threads − 1 pthreads).
  const workers = new Map<string, number>();
  page.on('worker', (w) => {
    const url = w.url().startsWith('blob:') ? 'blob:' : w.url().replace(/^https?:\/\/[^/]+/, '');
    workers.set(url, (workers.get(url) ?? 0) + 1);
  });
  await page.goto(server.resolvedUrls?.local[0] as string);
  await page.waitForFunction(() => 'sepconvBench' in window, undefined, { timeout: 120_000 });
  const isolated = await page.evaluate(() => globalThis.crossOriginIsolated);
  if (isolated !== threads > 1) throw new Error(`bench: the page is ${isolated ? '' : 'not '}cross-origin isolated with --threads ${threads}`);
  progress(`wasm engines: ${threads} thread${threads > 1 ? 's' : ''} each; page ${isolated ? '' : 'not '}cross-origin isolated`);
  const result = (await page.evaluate(
    (a) => (window as unknown as { sepconvBench: (x: unknown) => Promise<unknown> }).sepconvBench(a),
    args,
  )) as BenchResult;
  if (process.stdout.isTTY) process.stdout.write('\n');
  console.log(`wasm/mjs files the page fetched: ${[...fetched].sort().join(', ') || 'none'}`);
  console.log(`workers the page started: ${[...workers].map(([u, n]) => `${n} × ${u}`).join(', ') || 'none'}`);
  if (failedRequests.length) throw new Error(`bench: the page failed to load ${failedRequests.join('; ')}`);
  assertResultSchema(result);
  for (const [engine, n] of Object.entries(result.threads ?? {})) {
    if (n !== threads) throw new Error(`bench: ${engine} ran on ${n} thread(s), not ${threads}`);
  }
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
