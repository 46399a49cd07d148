// The browser benchmark page: every engine in one page, on the same adapter, on the
// single-op suite (shapes.json) and the end-to-end networks (networks.json: MobileNets
// and the pretrained BlazeFace models).
import { createOrtEngine } from '../engines/ort.js';
import { createSepconvEngine } from '../engines/sepconv.js';
import { createTfjsEngine } from '../engines/tfjs.js';
import { joinSuites, parseSuite, selectCases } from '../lib/cases.js';
import type { BenchArgs } from '../lib/cli.js';
import { runCases } from '../lib/harness.js';
import { loadCase } from '../lib/networks.js';
import { measureRoofline } from '../lib/roofline.js';
import { errorText, median } from '../lib/stats.js';
import type { BenchEngine, BenchResult } from '../lib/types.js';
import networks from '../networks.json';
import suite from '../shapes.json';

function log(line: string) {
  console.log(`progress: ${line}`);
  const el = document.getElementById('progress');
  if (el) el.textContent = line;
}

/** An engine that could not start: every case reports why. */
function failed(engine: BenchEngine, error: unknown): BenchEngine {
  const message = `init failed: ${errorText(error)}`;
  return {
    name: engine.name,
    ...(engine.supports && { supports: engine.supports }),
    init: async () => {},
    prepare: async () => {
      throw new Error(message);
    },
    destroy: () => {},
  };
}

async function sepconvBench(args: BenchArgs): Promise<BenchResult> {
  const cases = selectCases(joinSuites(parseSuite(suite), parseSuite(networks)), args);
  if (cases.length === 0) throw new Error('bench: no case matches');
  // The wasm engines' threads: more than one needs shared memory, i.e. this page cross-origin
  // isolated (bench/browser.ts serves it with COOP/COEP then). Each engine's init() checks that it
  // runs on exactly `threads`.
  const threads = args.threads ?? 1;
  const isolated = globalThis.crossOriginIsolated === true;
  if (threads > 1 && !isolated) throw new Error(`bench: --threads ${threads} needs a cross-origin isolated page (COOP: same-origin, COEP: require-corp), and this one is not`);
  const ours = createSepconvEngine('webgpu');
  const cpu = createSepconvEngine('cpu');
  const tuned = args.tuned ? [createSepconvEngine('webgpu', { tuned: true })] : [];
  const wasm = { threads };
  const all: BenchEngine[] = [ours, ...tuned, createTfjsEngine('webgpu'), createOrtEngine('webgpu'), createSepconvEngine('wasm', wasm), createTfjsEngine('wasm', wasm), createOrtEngine('wasm', wasm), cpu];
  const candidates = args.engines ? all.filter((e) => e === cpu || (args.engines as string[]).includes(e.name)) : all;
  const engines: BenchEngine[] = [];
  // sepconv-webgpu measures the roofline even when it is not one of the engines run.
  if (!candidates.includes(ours)) await ours.init();
  const engineThreads: BenchResult['threads'] = {};
  for (const e of candidates) {
    log(`initialising ${e.name}`);
    try {
      await e.init();
      engines.push(e);
      if (e.threads) {
        engineThreads[e.name] = e.threads();
        log(`${e.name}: ${e.threads()} thread(s)`);
      }
    } catch (err) {
      // A threaded comparison with one of the wasm engines missing (or on other threads) is not one: stop.
      if (e.threads && threads > 1) throw new Error(`bench: ${e.name} did not start on ${threads} threads: ${errorText(err)}`);
      console.warn(`${e.name}: ${String(err)}`);
      engines.push(failed(e, err));
    }
  }
  const device = ours.engine().device;
  if (!device) throw new Error('sepconv-webgpu has no GPU device: WebGPU is not available in this browser');
  log('measuring the roofline');
  const roofline = await measureRoofline(device, () => performance.now());
  const rows = await runCases(cases, engines, cpu, {
    runs: args.runs,
    warmup: 2,
    targetMs: 50,
    roofline,
    now: () => performance.now(),
    onProgress: log,
  });
  const adapter = ours.engine().adapter ?? { vendor: '', architecture: '', description: '' };
  const chrome = /Chrome\/([\d.]+)/.exec(navigator.userAgent)?.[1];
  for (const e of engines) await e.destroy();
  if (!candidates.includes(ours)) await ours.destroy();
  return {
    adapter,
    date: new Date().toISOString(),
    host: `browser (Chromium ${chrome ?? '?'})`,
    roofline,
    threads: engineThreads,
    crossOriginIsolated: isolated,
    rows,
  };
}

/**
 * One cold first run for `npm run bench:first-run` (a fresh browser each time, so no
 * pipeline and no shader is cached anywhere): sepconv WebGPU builds network `id`
 * from its weights and runs it once with the result read back (timed together, as
 * the main benchmark's first run), then the steady single-run time (median of 5).
 */
async function sepconvFirstRun(id: string): Promise<{ id: string; firstMs: number; buildMs: number; singleMs: number; adapter: string }> {
  const c = parseSuite(networks).find((x) => x.id === id);
  if (!c) throw new Error(`bench: no network case ${id}`);
  const ours = createSepconvEngine('webgpu');
  await ours.init();
  const { data } = await loadCase(c);
  const t0 = performance.now();
  const prepared = await ours.prepare(c, data);
  const buildMs = performance.now() - t0;
  await prepared.run(1);
  const firstMs = performance.now() - t0;
  const single: number[] = [];
  for (let i = 0; i < 6; i++) {
    const t = performance.now();
    await prepared.run(1);
    if (i > 0) single.push(performance.now() - t);
  }
  const a = ours.engine().adapter;
  await prepared.dispose();
  await ours.destroy();
  return { id, firstMs, buildMs, singleMs: median(single), adapter: a ? `${a.vendor} ${a.architecture} ${a.description}`.trim() : '?' };
}

(window as unknown as { sepconvBench: typeof sepconvBench }).sepconvBench = sepconvBench;
(window as unknown as { sepconvFirstRun: typeof sepconvFirstRun }).sepconvFirstRun = sepconvFirstRun;
document.title = 'sepconv benchmark (ready)';
