// The demo page (demo/, `npm start`, `npm run build:demo`) end to end in Chromium
// with WebGPU (SwiftShader unless SEPCONV_REAL_GPU=1): the cost calculator, a
// filter applied to the live image, the GPU/CPU check, the benchmark panel on one
// small case, MobileNetV2 in the network panel at its smallest settings, phone
// width, the page without WebGPU, and `npm start -- --port N`.
// Screenshots go to test-results/demo-desktop.png and test-results/demo-phone.png.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchBrowser } from '../support/browser.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const configFile = fileURLToPath(new URL('../../demo/vite.config.ts', import.meta.url));
const artifacts = fileURLToPath(new URL('../../test-results', import.meta.url));
/** Largest |GPU − CPU| the page may report (pixel values are about 0..1). */
const TOLERANCE = 1e-4;
/** The smallest case of the suite, for the benchmark panel. */
const BENCH_CASE = 'pw_14x14_192to64';

let server: PreviewServer;
let browser: Browser;
let url: string;

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  await build({ configFile, logLevel: 'warn' });
  server = await preview({ configFile, preview: { port: 0, host: '127.0.0.1' } });
  url = server.resolvedUrls?.local[0] as string;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Collects console errors and uncaught exceptions of a page. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  return problems;
}

/** Sums the page's layout shifts (those not caused by input) into window.__layoutShift. */
async function observeLayoutShifts(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as { __layoutShift: number };
    w.__layoutShift = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as unknown as { value: number; hadRecentInput: boolean }[]) {
        if (!e.hadRecentInput) w.__layoutShift += e.value;
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
}

const layoutShift = (page: Page) => page.evaluate(() => (window as unknown as { __layoutShift: number }).__layoutShift);

/** Waits until the live image and the comparison have nothing left to compute. */
async function settled(page: Page): Promise<void> {
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  await page.waitForSelector('#live-status[data-state="idle"]', { timeout: 60_000 });
  await page.waitForSelector('#cmp-status:is([data-state="done"], [data-state="error"])', { timeout: 90_000 });
  expect(await page.textContent('#live-status')).not.toMatch(/^error/);
  expect(await page.getAttribute('#cmp-status', 'data-state'), (await page.textContent('#cmp-status')) ?? '').toBe('done');
}

/** Pixel statistics of a canvas: a checksum, the spread of its values, and R−G / G−B differences. */
function canvasStats(page: Page, selector: string) {
  return page.$eval(selector, (c) => {
    const canvas = c as HTMLCanvasElement;
    const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
    const d = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let sum = 0;
    let sumSq = 0;
    let hash = 0;
    let chroma = 0;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      for (let k = 0; k < 3; k++) {
        const v = d[i + k] as number;
        sum += v;
        sumSq += v * v;
        hash = (Math.imul(hash, 31) + v) | 0;
        n++;
      }
      chroma = Math.max(chroma, Math.abs((d[i] as number) - (d[i + 1] as number)), Math.abs((d[i + 1] as number) - (d[i + 2] as number)));
    }
    const mean = sum / n;
    return { hash, mean, std: Math.sqrt(Math.max(0, sumSq / n - mean * mean)), chroma, width: canvas.width, height: canvas.height };
  });
}

/** Changes a select and waits for the live image to be recomputed with it. */
async function pick(page: Page, select: string, value: string): Promise<void> {
  const runs = Number(await page.getAttribute('#live-status', 'data-runs'));
  await page.selectOption(select, value);
  await page.waitForFunction(
    (before) => {
      const s = document.getElementById('live-status') as HTMLElement;
      return Number(s.dataset.runs) > before && s.dataset.state === 'idle';
    },
    runs,
    { timeout: 60_000 },
  );
}

/** Screenshot of the whole page: the viewport is grown to the page's height first (fullPage can miss tiles). */
async function screenshot(page: Page, width: number, file: string): Promise<void> {
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width, height });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.waitForTimeout(200);
  await page.screenshot({ path: `${artifacts}/${file}` });
}

const text = async (page: Page, id: string) => ((await page.textContent(`#${id}`)) ?? '').trim();
const count = async (page: Page, id: string) => Number((await text(page, id)).replace(/,/g, ''));

/** Keras' parameter count of MobileNetV2 α 0.35 with its 1000-class top (any input size). */
const MOBILENETV2_035_PARAMS = 1_691_208;

/**
 * Runs the network panel at its smallest settings (α 0.35, 96×96) and checks what it
 * shows: the timings, the top 5 classes, the model's numbers, the per-op chart with
 * its timing method, the summary table; nothing moves while results arrive, and the
 * engine's GPU memory in use is back to its level afterwards. Returns the timing method.
 */
async function runNetwork(page: Page): Promise<string> {
  const inUse = () =>
    page.evaluate(() => (window as unknown as { sepconvDemo: { gpu: { memory(): { bytesInUse: number } } | null } }).sepconvDemo.gpu?.memory().bytesInUse ?? 0);
  await page.selectOption('#net-alpha', '0.35');
  await page.selectOption('#net-size', '96');
  expect(await text(page, 'net-input-shape')).toBe('[1, 96, 96, 3]');
  const held = await inUse();
  await page.locator('#net-run').scrollIntoViewIfNeeded();
  const shifted = await layoutShift(page);
  await page.click('#net-run');
  await page.waitForSelector('#net-status:is([data-state="done"], [data-state="error"])', { timeout: 120_000 });
  expect(await page.getAttribute('#net-status', 'data-state'), await text(page, 'net-status')).toBe('done');
  expect(await page.isEnabled('#net-run')).toBe(true);

  // End-to-end time (median, first run), top 5 classes in order of probability.
  expect(await text(page, 'net-time')).toMatch(/^\d+(\.\d+)? ms$/);
  expect(await text(page, 'net-first')).toMatch(/^\d+(\.\d+)? ms$/);
  const top = await page.$$eval('#net-top5 li', (lis) =>
    lis.map((li) => ({ index: Number((li as HTMLElement).dataset.index), p: Number(li.querySelector('.p')?.textContent?.replace('%', '')) })),
  );
  expect(top).toHaveLength(5);
  expect(new Set(top.map((t) => t.index)).size).toBe(5);
  for (const [i, t] of top.entries()) {
    expect(Number.isInteger(t.index) && t.index >= 0 && t.index < 1000, JSON.stringify(t)).toBe(true);
    expect(t.p).toBeGreaterThan(0);
    if (i > 0) expect(t.p).toBeLessThanOrEqual(top[i - 1]?.p as number);
  }
  expect(await text(page, 'net-caveat')).toMatch(/random weights/i);
  // The model's numbers: Keras' parameter count, FLOPs, the memory plan smaller than one buffer per layer.
  expect(await count(page, 'net-params')).toBe(MOBILENETV2_035_PARAMS);
  expect(await count(page, 'net-folded')).toBeLessThan(MOBILENETV2_035_PARAMS);
  expect(await text(page, 'net-ops')).toBe('in 55 ops');
  expect(await text(page, 'net-flops')).toMatch(/ M$/);
  expect(await text(page, 'net-buffers')).toMatch(/^in \d+ shared buffers$/);
  expect(await text(page, 'net-saved')).toMatch(/^\d+\.\d× more$/);
  // The per-op chart (55 ops) with its timing method, and the summary table.
  await page.waitForSelector('#net-chart-box[data-ready="true"]');
  const chart = await canvasStats(page, '#net-chart');
  expect(chart.width).toBeGreaterThan(100);
  expect(chart.std).toBeGreaterThan(1);
  const method = (await page.getAttribute('#net-method', 'data-method')) ?? '';
  expect(['timestamps', 'wall clock']).toContain(method);
  expect(await text(page, 'net-method')).toMatch(/timestamps|wall clock/);
  expect(await text(page, 'net-method-note')).toMatch(/55 ops sum to/);
  const rows = await page.$$eval('#net-summary tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent ?? '')));
  expect(rows.length).toBeGreaterThan(50);
  expect(rows[0]?.slice(1, 4)).toEqual(['Conv1', 'conv2d', '[48, 48, 16]']);
  expect(rows.some((r) => r[2] === 'depthwiseConv2d')).toBe(true);
  expect(await page.textContent('#net-summary tfoot')).toContain('1,691,208');
  expect(await page.textContent('#net-summary-text')).toContain('Total params: 1,691,208');
  // Reserved space: results did not move the page; the model and its tensors are disposed.
  expect((await layoutShift(page)) - shifted).toBeLessThan(0.01);
  expect(await inUse()).toBe(held);
  return method;
}

test('desktop 1280×800: calculator, live filters on the GPU, GPU/CPU check, benchmark, MobileNetV2, no console errors', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await observeLayoutShifts(context);
  const page = await context.newPage();
  const problems = watch(page);
  await page.goto(url);

  // Cost calculator: the seed's example on load.
  await page.waitForFunction(() => document.getElementById('std-flops')?.textContent !== '–');
  expect(await count(page, 'std-params')).toBe(864);
  expect(await count(page, 'sep-params')).toBe(123);
  expect(await count(page, 'dw-params')).toBe(27);
  expect(await count(page, 'pw-params')).toBe(96);
  expect(await text(page, 'params-ratio')).toBe('7.0× fewer');
  expect(await page.getAttribute('#std-flops', 'title')).toBe('86,704,128'); // 2·224·224·864

  // Everything computed on load; nothing moved while results arrived (CLS "good" is < 0.1).
  await settled(page);
  expect(await layoutShift(page)).toBeLessThan(0.02);

  // The calculator follows its inputs.
  await page.fill('#calc-out', '64');
  expect(await count(page, 'std-params')).toBe(1728); // 3·64·3·3
  expect(await count(page, 'sep-params')).toBe(219); // 27 + 192
  expect(await text(page, 'std-params-formula')).toContain('3·64·3·3');
  await page.fill('#calc-k', '5');
  expect(await count(page, 'std-params')).toBe(4800); // 3·64·5·5
  expect(await count(page, 'sep-params')).toBe(267); // 75 + 192
  await page.fill('#calc-m', '2');
  expect(await count(page, 'sep-params')).toBe(534); // 3·5·5·2 + 3·2·64
  await page.fill('#calc-out', '0');
  expect(await text(page, 'calc-error')).toMatch(/out channels/);
  await page.fill('#calc-out', '32');
  await page.fill('#calc-k', '3');
  await page.fill('#calc-m', '1');
  expect(await count(page, 'std-params')).toBe(864);
  expect(await count(page, 'sep-params')).toBe(123);

  // The live image runs on WebGPU.
  expect(await text(page, 'backend'), problems.join('\n')).toBe('webgpu');
  expect(await text(page, 'adapter')).not.toMatch(/^(–|none)/);
  const input = await canvasStats(page, '#canvas-input');
  expect(input.std).toBeGreaterThan(20); // the photo, not a blank canvas

  // A depthwise filter changes the output, which stays a real image.
  const before = await canvasStats(page, '#canvas-output');
  await pick(page, '#dw-preset', 'sobel-x');
  const after = await canvasStats(page, '#canvas-output');
  expect(after.hash).not.toBe(before.hash);
  expect(after.std).toBeGreaterThan(10);
  expect(await page.inputValue('#display-mode')).toBe('abs');
  const dw = await canvasStats(page, '#canvas-dw-0');
  expect(dw.std).toBeGreaterThan(10);
  // Typing into the kernel grid recomputes too, and the preset becomes 'custom'.
  const runs = Number(await page.getAttribute('#live-status', 'data-runs'));
  await page.fill('#dw-grid input[data-index="4"]', '3');
  await page.waitForFunction((r) => Number(document.getElementById('live-status')?.dataset.runs) > r && document.getElementById('live-status')?.dataset.state === 'idle', runs);
  expect(await page.inputValue('#dw-preset')).toBe('custom');
  expect((await canvasStats(page, '#canvas-output')).hash).not.toBe(after.hash);
  // A grayscale pointwise mix makes R = G = B at every pixel.
  await pick(page, '#dw-preset', 'gaussian');
  await pick(page, '#pw-preset', 'grayscale');
  const gray = await canvasStats(page, '#canvas-output');
  expect(gray.chroma).toBeLessThanOrEqual(1);
  expect(gray.std).toBeGreaterThan(10);

  // Recomputing does not leak: GPU memory held by tensors is the same after six more filter changes.
  const inUse = () =>
    page.evaluate(() => (window as unknown as { sepconvDemo: { gpu: { memory(): { bytesInUse: number } } } }).sepconvDemo.gpu.memory().bytesInUse);
  const held = await inUse();
  for (const preset of ['box', 'sharpen', 'outline', 'gaussian5', 'identity', 'gaussian']) {
    await pick(page, '#dw-preset', preset);
  }
  expect(await inUse()).toBe(held);

  // GPU and CPU agree on the current image; both report a time per run.
  const diff = Number(await page.getAttribute('#max-diff', 'data-value'));
  expect(Number.isFinite(diff)).toBe(true);
  expect(diff).toBeLessThan(TOLERANCE);
  expect(await text(page, 'diff-verdict')).toContain('agree');
  expect(await text(page, 'time-gpu')).toMatch(/^\d+(\.\d+)? ms$/);
  expect(await text(page, 'time-cpu')).toMatch(/^\d+(\.\d+)? ms$/);

  // Standard vs separable: 32 maps each, 864 vs 123 weights, 27 vs 3 independent maps.
  expect(await count(page, 'cmp-std-params')).toBe(864);
  expect(await count(page, 'cmp-sep-params')).toBe(123);
  expect(await text(page, 'cmp-std-time')).toMatch(/ms$/);
  expect(await text(page, 'cmp-sep-time')).toMatch(/ms$/);
  expect(await text(page, 'cmp-std-rank')).toBe('27 of 32');
  expect(await text(page, 'cmp-sep-rank')).toBe('3 of 32');
  expect((await canvasStats(page, '#cmp-sep')).std).toBeGreaterThan(10);

  // The CPU switch: the live image is recomputed on the CPU backend.
  await page.check('#backend-cpu');
  await page.waitForFunction(() => document.getElementById('live-status')?.textContent?.includes('the CPU'));
  await page.waitForSelector('#live-status[data-state="idle"]');
  expect(await text(page, 'backend')).toBe('cpu');
  expect(Number(await page.getAttribute('#max-diff', 'data-value'))).toBeLessThan(TOLERANCE);
  await page.check('#backend-gpu');
  await settled(page);
  await page.waitForFunction(() => document.getElementById('cmp-status')?.textContent?.includes('WebGPU'));
  expect(await text(page, 'backend')).toBe('webgpu');

  // The user's own file: any image, scaled down to fit 240×160 (a 1280×800 screenshot → 240×150).
  await page.setInputFiles('#source-file', { name: 'screenshot.png', mimeType: 'image/png', buffer: await page.screenshot() });
  await page.waitForFunction(() => document.getElementById('source-status')?.textContent?.startsWith('screenshot.png'));
  await settled(page);
  const own = await canvasStats(page, '#canvas-input');
  expect([own.width, own.height]).toEqual([240, 150]);
  expect((await canvasStats(page, '#canvas-output')).width).toBe(240);
  expect(Number(await page.getAttribute('#max-diff', 'data-value'))).toBeLessThan(TOLERANCE);
  await page.click('#source-default');
  await page.waitForFunction(() => document.getElementById('source-status')?.textContent?.startsWith('Chelsea'));
  await settled(page);

  // Benchmark panel on the smallest case: TF.js loads on demand, progress reaches the end, the chart is drawn.
  const tfjsBefore = await page.evaluate(() => performance.getEntriesByType('resource').some((e) => /tfjs/i.test(e.name)));
  expect(tfjsBefore).toBe(false);
  await page.$$eval('#bench-cases input', (inputs, id) => inputs.forEach((i) => ((i as HTMLInputElement).checked = (i as HTMLInputElement).value === id)), BENCH_CASE);
  await page.click('#bench-run');
  await page.waitForSelector('#bench-chart-box[data-ready="true"]', { timeout: 120_000 });
  expect(await page.$eval('#bench-progress', (p) => (p as HTMLProgressElement).value)).toBe(1);
  const chart = await canvasStats(page, '#bench-chart');
  expect(chart.width).toBeGreaterThan(100);
  expect(chart.std).toBeGreaterThan(1); // bars and axes drawn
  const rows = await page.$$eval('#bench-table tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent ?? '')));
  expect(rows.map((r) => r[1])).toEqual(['sepconv · WebGPU', 'TF.js · WebGPU', 'sepconv · CPU']);
  for (const r of rows) {
    expect(r[0]).toBe(BENCH_CASE);
    expect(r[2], r.join(' | ')).toMatch(/ms$/);
  }
  expect(await text(page, 'bench-status')).toMatch(/^Done/);
  const tfjsAfter = await page.evaluate(() => performance.getEntriesByType('resource').some((e) => /tfjs/i.test(e.name)));
  expect(tfjsAfter).toBe(true);

  // The network panel: MobileNetV2 on WebGPU, per-op times by GPU timestamps where the adapter has them.
  // Built at α 0.5 first, then rebuilt at α 0.35 by runNetwork: each run disposes its model and tensors.
  expect(await text(page, 'net-backend')).toBe('the GPU (WebGPU)');
  const beforeNetwork = await inUse();
  await page.selectOption('#net-alpha', '0.5');
  await page.selectOption('#net-size', '96');
  await page.click('#net-run');
  await page.waitForSelector('#net-status:is([data-state="done"], [data-state="error"])', { timeout: 120_000 });
  expect(await page.getAttribute('#net-status', 'data-state'), await text(page, 'net-status')).toBe('done');
  expect(await count(page, 'net-params')).toBe(1_987_224); // Keras: MobileNetV2 α 0.5
  expect(await inUse()).toBe(beforeNetwork);
  const method = await runNetwork(page);
  const timestamps = await page.evaluate(() =>
    Boolean((window as unknown as { sepconvDemo: { gpu: { device: GPUDevice } } }).sepconvDemo.gpu.device.features.has('timestamp-query')),
  );
  expect(method).toBe(timestamps ? 'timestamps' : 'wall clock');
  expect(await text(page, 'net-status')).toMatch(/on WebGPU/);

  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${artifacts}/demo-desktop-viewport.png` });
  await screenshot(page, 1280, 'demo-desktop.png');
  expect(problems).toEqual([]);
  await context.close();
});

test('phone width 390×844: everything fits, MobileNetV2 included, no horizontal scrolling', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await observeLayoutShifts(context);
  const page = await context.newPage();
  const problems = watch(page);
  await page.goto(url);
  await settled(page);
  expect(await layoutShift(page)).toBeLessThan(0.02);
  expect(await count(page, 'std-params')).toBe(864);
  expect(await count(page, 'sep-params')).toBe(123);
  await runNetwork(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  // No element sticks out of the viewport on the right (unless an ancestor inside the viewport clips or scrolls it).
  const wide = await page.evaluate(() => {
    const limit = window.innerWidth + 1;
    const clipped = (e: Element) => {
      for (let a = e.parentElement; a; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible' && a.getBoundingClientRect().right <= limit) return true;
      }
      return false;
    };
    return [...document.querySelectorAll('main *, header *, footer *')]
      .filter((e) => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && r.right > limit && !clipped(e);
      })
      .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}: ${(e.textContent ?? '').slice(0, 40)}`);
  });
  expect(wide).toEqual([]);
  expect((await canvasStats(page, '#canvas-output')).std).toBeGreaterThan(10);
  await screenshot(page, 390, 'demo-phone.png');
  expect(problems).toEqual([]);
  await context.close();
});

test('without WebGPU the page says so and runs everything on the CPU backend', async () => {
  const context: BrowserContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await observeLayoutShifts(context);
  await context.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
  });
  const page = await context.newPage();
  const problems = watch(page);
  await page.goto(url);
  await settled(page);
  expect(await page.isVisible('#webgpu-notice')).toBe(true);
  expect(await text(page, 'webgpu-notice')).toMatch(/WebGPU is not available.*CPU backend/);
  expect(await text(page, 'backend')).toBe('cpu');
  expect(await page.isDisabled('#backend-gpu')).toBe(true);
  expect(await text(page, 'max-diff')).toBe('n/a');
  expect((await canvasStats(page, '#canvas-output')).std).toBeGreaterThan(10);
  await pick(page, '#dw-preset', 'sobel-y');
  expect((await canvasStats(page, '#canvas-output')).std).toBeGreaterThan(10);
  expect(await text(page, 'cmp-sep-rank')).toBe('3 of 32');
  // The network panel runs on the CPU backend, timed by the wall clock.
  expect(await text(page, 'net-backend')).toBe('the CPU backend');
  expect(await runNetwork(page)).toBe('wall clock');
  expect(await text(page, 'net-status')).toMatch(/on the CPU backend/);
  // The benchmark still runs: sepconv's CPU backend only, TF.js WebGPU reported as unavailable.
  await page.$$eval('#bench-cases input', (inputs, id) => inputs.forEach((i) => ((i as HTMLInputElement).checked = (i as HTMLInputElement).value === id)), BENCH_CASE);
  await page.click('#bench-run');
  await page.waitForSelector('#bench-chart-box[data-ready="true"]', { timeout: 60_000 });
  const rows = await page.$$eval('#bench-table tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent ?? '')));
  expect(rows.map((r) => [r[1], r[2]])).toEqual([
    ['TF.js · WebGPU', 'no WebGPU in this browser'],
    ['sepconv · CPU', expect.stringMatching(/ms$/)],
  ]);
  expect(problems).toEqual([]);
  await context.close();
});

/** A TCP port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

test('npm start -- --port N serves the demo on port N', async () => {
  const port = await freePort();
  const child = spawn('npm', ['start', '--', '--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
    cwd: root,
    detached: true, // its own process group: npm, sh and vite are stopped together
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += String(d)));
  child.stderr?.on('data', (d) => (output += String(d)));
  try {
    const deadline = Date.now() + 60_000;
    let html = '';
    while (Date.now() < deadline) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`);
        if (res.ok) {
          html = await res.text();
          break;
        }
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(html, output).toContain('One filter per channel');
    const main = await fetch(`http://127.0.0.1:${port}/main.ts`);
    expect(main.ok).toBe(true);
    expect(await main.text()).toContain('createEngine');
    // The dev page runs (sources through the 'sepconv' alias, bench/ modules outside the demo root).
    const page = await browser.newPage();
    const problems = watch(page);
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => Number(document.getElementById('live-status')?.dataset.runs) >= 1, undefined, { timeout: 90_000 });
    expect(await count(page, 'sep-params')).toBe(123);
    expect(problems).toEqual([]);
    await page.close();
  } finally {
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  }
});
