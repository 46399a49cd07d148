// The demo page (demo/, `npm start`, `npm run build:demo`) end to end in Chromium
// with WebGPU (SwiftShader unless SEPCONV_REAL_GPU=1): the cost calculator, a
// filter applied to the live image (drawn from the GPU buffers on WebGPU: its pixels
// compared with the CPU drawing's in every display mode; the webcam through
// engine.fromPixels(video), with its frames per second), the GPU/CPU check, the wasm
// switch (the live pixels as the CPU draws them, checked against the CPU), the benchmark panel on one
// small case, MobileNetV2 in the network panel at its smallest settings, BlazeFace in
// the face panel (photos, a file, the webcam: Chromium's fake camera, and the check
// against onnxruntime-web), models loaded from files in the "Your model" panel
// (ONNX, a layers model.json with shards, unsupported and broken files), phone
// width, the page without WebGPU (on wasm: every section, then the CPU's results compared
// with wasm's), without WebGPU and WebAssembly SIMD, and `npm start -- --port N`.
// Screenshots go to test-results/demo-desktop.png, demo-phone.png, and the two
// model panels alone: demo-faces-{desktop,phone}.png, demo-your-model-{desktop,phone}.png
// (BlazeFace loaded from its file) and demo-your-model-error-{desktop,phone}.png (UNSUPPORTED_OP).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { chromiumArgs, findBrowser } from '../support/browser.js';
import { node, onnxModel, value } from '../support/onnx-model.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const configFile = fileURLToPath(new URL('../../demo/vite.config.ts', import.meta.url));
const artifacts = fileURLToPath(new URL('../../test-results', import.meta.url));
const asset = (path: string) => fileURLToPath(new URL(`../../demo/assets/${path}`, import.meta.url));
const BLAZEFACE_FRONT_FILE = asset('models/blazeface/face_detection_front_128x128_barracuda.onnx');
const KERAS_DIR = 'models/keras-mobilenetv2-style';
const KERAS_FILES = ['model.json', 'group1-shard1of2.bin', 'group1-shard2of2.bin'].map((f) => asset(`${KERAS_DIR}/${f}`));
/**
 * The astronaut's face in demo/assets/astronaut.jpg (256×192; the face panel shows it at
 * that size), labelled by hand: see test/unit/blazeface-onnxruntime.test.ts.
 */
const ASTRONAUT_FACE = { x: 91, y: 40, width: 43, height: 48 };
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
  // Chromium's fake camera (a test pattern) and an automatic yes to the permission prompt: the face panel's webcam mode.
  browser = await chromium.launch({
    executablePath: findBrowser(),
    headless: true,
    // On SwiftShader, Chromium's compositor must run on ANGLE's SwiftShader too: without it, presenting a
    // WebGPU canvas (the live section's GPU drawing) loses the GPU process and every device with it.
    args: [
      ...chromiumArgs(),
      ...(process.env.SEPCONV_REAL_GPU === '1' ? [] : ['--use-angle=swiftshader']),
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
    ],
  });
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

/**
 * The demo in a new context: layout shifts summed, console errors and uncaught exceptions
 * collected. `noWebGpu` hides navigator.gpu, as a browser without WebGPU has it; `noSimd`
 * makes WebAssembly.validate refuse every module, so that sepconv's SIMD probe fails as in
 * a browser without WebAssembly SIMD.
 */
async function openDemo(options: BrowserContextOptions, noWebGpu = false, noSimd = false): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext(options);
  await observeLayoutShifts(context);
  if (noWebGpu) {
    await context.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });
    });
  }
  if (noSimd) {
    await context.addInitScript(() => {
      WebAssembly.validate = () => false;
    });
  }
  const page = await context.newPage();
  const problems = watch(page);
  await page.goto(url);
  return { context, page, problems };
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

/**
 * A PNG (base64) of the canvas `selector` as it is shown, at its own size for the time (no CSS
 * scaling, border or rounded corners): pixel for pixel what it holds (at device scale 1).
 */
async function canvasScreenshot(page: Page, selector: string): Promise<string> {
  const style = await page.addStyleTag({
    // Fixed at the top left, out of the page's flex and grid boxes, which would stretch it.
    content:
      `${selector} { position: fixed !important; left: 0 !important; top: 0 !important; z-index: 2147483647 !important; margin: 0 !important; ` +
      'width: auto !important; height: auto !important; aspect-ratio: auto !important; max-width: none !important; max-height: none !important; border: 0 !important; border-radius: 0 !important; }',
  });
  try {
    return (await page.locator(selector).screenshot()).toString('base64');
  } finally {
    await style.evaluate((e) => (e as Element).remove());
  }
}

/**
 * Pixel statistics of a canvas: a checksum, the spread of its values, and R−G / G−B differences.
 * Read through a copy on a 2D canvas: the live section's canvases may have a WebGPU context
 * (drawn by the GPU), which has no getImageData and must not be given a 2D one.
 */
async function canvasStats(page: Page, selector: string) {
  // A presented WebGPU canvas cannot be read back by the page (drawImage gives transparent
  // pixels once the frame is shown): its screenshot is read instead, decoded in the page.
  const gpu = (await page.getAttribute(selector, 'data-draw')) === 'gpu';
  const png = gpu ? await canvasScreenshot(page, selector) : null;
  return page.$eval(selector, async (c, png) => {
    const canvas = c as HTMLCanvasElement;
    const source = png === null ? canvas : await createImageBitmap(await (await fetch(`data:image/png;base64,${png}`)).blob());
    const copy = document.createElement('canvas');
    copy.width = source.width;
    copy.height = source.height;
    const ctx = copy.getContext('2d') as CanvasRenderingContext2D;
    ctx.drawImage(source, 0, 0);
    const d = ctx.getImageData(0, 0, copy.width, copy.height).data;
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
  }, png);
}

/** The live section's canvases: input, the 3 depthwise maps, output. */
const LIVE_CANVASES = ['canvas-input', 'canvas-dw-0', 'canvas-dw-1', 'canvas-dw-2', 'canvas-output'];

/**
 * Keeps the pixels of the live section's canvases in the page (window.__pixels[key]) and
 * returns which path drew each (`data-draw`) and the spread of each one's values. Read from
 * screenshots, the only way to see a presented WebGPU canvas, with the canvases shown at
 * their own size for the time (no scaling, no border), so that the GPU's and the CPU's
 * drawings are compared pixel for pixel.
 */
async function keepPixels(page: Page, key: string): Promise<{ draw: (string | undefined)[]; std: number[] }> {
  const shots: string[] = [];
  for (const id of LIVE_CANVASES) shots.push(await canvasScreenshot(page, `#${id}`));
  return page.evaluate(
    async ({ key, ids, shots }) => {
      const w = window as unknown as { __pixels?: Record<string, Record<string, { width: number; height: number; data: Uint8ClampedArray }>> };
      const kept: Record<string, { width: number; height: number; data: Uint8ClampedArray }> = {};
      const draw: (string | undefined)[] = [];
      const std: number[] = [];
      for (const [i, id] of ids.entries()) {
        const canvas = document.getElementById(id) as HTMLCanvasElement;
        const shot = await createImageBitmap(await (await fetch(`data:image/png;base64,${shots[i]}`)).blob());
        const copy = document.createElement('canvas');
        copy.width = shot.width;
        copy.height = shot.height;
        const ctx = copy.getContext('2d') as CanvasRenderingContext2D;
        ctx.drawImage(shot, 0, 0);
        const data = ctx.getImageData(0, 0, copy.width, copy.height).data;
        // The screenshot of a canvas at its own size: as many pixels as the canvas has.
        kept[id] = { width: shot.width === canvas.width && shot.height === canvas.height ? shot.width : -1, height: shot.height, data };
        draw.push(canvas.dataset.draw);
        let sum = 0;
        let sumSq = 0;
        for (let j = 0; j < data.length; j++) {
          if (j % 4 === 3) continue;
          sum += data[j] as number;
          sumSq += (data[j] as number) ** 2;
        }
        const n = (data.length / 4) * 3;
        std.push(Math.sqrt(Math.max(0, sumSq / n - (sum / n) ** 2)));
      }
      (w.__pixels ??= {})[key] = kept;
      return { draw, std };
    },
    { key, ids: LIVE_CANVASES, shots },
  );
}

/** Per live canvas: the largest |a − b| over the R, G, B and A values of two kept sets (Infinity when a size is not the canvas's or they differ). */
function pixelDiff(page: Page, a: string, b: string): Promise<Record<string, number>> {
  return page.evaluate(
    ({ a, b, ids }) => {
      const pixels = (window as unknown as { __pixels: Record<string, Record<string, { width: number; height: number; data: Uint8ClampedArray }>> }).__pixels;
      const out: Record<string, number> = {};
      for (const id of ids) {
        const x = pixels[a]?.[id];
        const y = pixels[b]?.[id];
        if (!x || !y || x.width < 0 || x.width !== y.width || x.height !== y.height) {
          out[id] = Infinity;
          continue;
        }
        let m = 0;
        for (let i = 0; i < x.data.length; i++) m = Math.max(m, Math.abs((x.data[i] as number) - (y.data[i] as number)));
        out[id] = m;
      }
      return out;
    },
    { a, b, ids: LIVE_CANVASES },
  );
}

/**
 * Counts, from now on, the page's calls of engine.fromPixels (per engine, and those given a
 * <video>) and of a 2D canvas's getImageData / putImageData (the CPU way to take and draw pixels).
 */
function countPixelCalls(page: Page): Promise<void> {
  return page.evaluate(() => {
    type Counts = { gpuVideo: number; wasmVideo: number; cpuVideo: number; contain: number; getImageData: number; putImageData: number };
    type Engines = { gpu: Record<string, unknown> | null; wasm: Record<string, unknown> | null; cpu: Record<string, unknown> };
    const w = window as unknown as { __calls: Counts; sepconvDemo: Engines };
    w.__calls = { gpuVideo: 0, wasmVideo: 0, cpuVideo: 0, contain: 0, getImageData: 0, putImageData: 0 };
    const { gpu, wasm, cpu } = w.sepconvDemo;
    for (const [engine, key] of [
      [gpu, 'gpuVideo'],
      [wasm, 'wasmVideo'],
      [cpu, 'cpuVideo'],
    ] as const) {
      if (!engine || (engine as { __counted?: boolean }).__counted) continue;
      const original = engine.fromPixels as (...args: unknown[]) => unknown;
      engine.fromPixels = function (this: unknown, ...args: unknown[]) {
        if (args[0] instanceof HTMLVideoElement) {
          w.__calls[key]++;
          if ((args[1] as { fit?: string } | undefined)?.fit === 'contain') w.__calls.contain++;
        }
        return original.apply(this, args);
      };
      (engine as { __counted?: boolean }).__counted = true;
    }
    const proto = CanvasRenderingContext2D.prototype as unknown as Record<string, unknown> & { __counted?: boolean };
    if (!proto.__counted) {
      for (const name of ['getImageData', 'putImageData'] as const) {
        const original = proto[name] as (...args: unknown[]) => unknown;
        proto[name] = function (this: unknown, ...args: unknown[]) {
          w.__calls[name]++;
          return original.apply(this, args);
        };
      }
      proto.__counted = true;
    }
  });
}

const pixelCalls = (page: Page) =>
  page.evaluate(() => ({
    ...(window as unknown as { __calls: { gpuVideo: number; wasmVideo: number; cpuVideo: number; contain: number; getImageData: number; putImageData: number } }).__calls,
  }));

/** The page's engines, as the demo names them (window.sepconvDemo). */
type EngineKey = 'gpu' | 'wasm' | 'cpu';

/**
 * Counts, from now on, the tensors each of the page's engines makes (engine.tensor and
 * engine.fromPixels: every section's inputs and weights start there): which engine really
 * ran a section, whatever its labels say.
 */
function countEngineUse(page: Page): Promise<void> {
  return page.evaluate(() => {
    const w = window as unknown as { __made: Record<string, number>; sepconvDemo: Record<'gpu' | 'wasm' | 'cpu', Record<string, unknown> | null> };
    w.__made = { gpu: 0, wasm: 0, cpu: 0 };
    for (const key of ['gpu', 'wasm', 'cpu'] as const) {
      const engine = w.sepconvDemo[key] as (Record<string, unknown> & { __made?: boolean }) | null;
      if (!engine || engine.__made) continue;
      for (const name of ['tensor', 'fromPixels'] as const) {
        const original = engine[name] as (...args: unknown[]) => unknown;
        engine[name] = function (this: unknown, ...args: unknown[]) {
          w.__made[key] = (w.__made[key] ?? 0) + 1;
          return original.apply(this, args);
        };
      }
      engine.__made = true;
    }
  });
}

const engineUse = (page: Page) => page.evaluate(() => ({ ...(window as unknown as { __made: Record<EngineKey, number> }).__made }));

/** `s` as a RegExp source that matches it literally ('WebAssembly (SIMD)' has parentheses). */
const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The page's words for a backend in its sentences ("… on WebGPU"). */
type BackendWords = 'WebGPU' | 'WebAssembly (SIMD)' | 'the CPU backend';

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

/**
 * Picks a backend on the switch and waits until the live image was recomputed on it (the
 * status names the backend of the engine that ran it: `on`) and the comparison too.
 */
async function switchBackend(page: Page, radio: 'backend-gpu' | 'backend-wasm' | 'backend-cpu', on: string): Promise<void> {
  await page.check(`#${radio}`);
  await page.waitForFunction(
    (on) => {
      const s = document.getElementById('live-status') as HTMLElement;
      return Boolean(s.textContent?.includes(` on ${on}, drawn by `)) && s.dataset.state === 'idle';
    },
    on,
    { timeout: 60_000 },
  );
  await settled(page);
}

/** The network panel's top 5: class index and probability as shown (percent, 1 or 2 decimals). */
const netTop5 = (page: Page) =>
  page.$$eval('#net-top5 li', (lis) =>
    lis.map((li) => ({ index: Number((li as HTMLElement).dataset.index), p: Number(li.querySelector('.p')?.textContent?.replace('%', '')) })),
  );

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

const gpuInUse = (page: Page) =>
  page.evaluate(() => (window as unknown as { sepconvDemo: { gpu: { memory(): { bytesInUse: number } } | null } }).sepconvDemo.gpu?.memory().bytesInUse ?? 0);

/** How model.profile() times ops on the page's GPU engine: GPU timestamps where the adapter has them. */
const gpuTiming = async (page: Page) =>
  (await page.evaluate(() => Boolean((window as unknown as { sepconvDemo: { gpu: { device: GPUDevice } } }).sepconvDemo.gpu.device.features.has('timestamp-query'))))
    ? 'timestamps'
    : 'wall clock';

/** Intersection over union of two boxes. */
function iou(a: { x: number; y: number; width: number; height: number }, b: typeof a): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / (a.width * a.height + b.width * b.height - w * h);
}

/** Presses Find faces (or waits for the rerun a source change started) and returns the faces the panel lists. */
async function findFaces(page: Page, press = true): Promise<{ box: { x: number; y: number; width: number; height: number }; score: number }[]> {
  if (press) await page.click('#face-run');
  await page.waitForSelector('#face-status:is([data-state="done"], [data-state="error"])', { timeout: 120_000 });
  expect(await page.getAttribute('#face-status', 'data-state'), await text(page, 'face-status')).toBe('done');
  expect(await text(page, 'face-time')).toMatch(/^\d+(\.\d+)? ms$/);
  expect(await text(page, 'face-first')).toMatch(/^\d+(\.\d+)? ms$/);
  const found = await page.$$eval('#face-list li[data-box]', (lis) =>
    lis.map((li) => {
      const [x, y, width, height] = ((li as HTMLElement).dataset.box ?? '').split(',').map(Number) as [number, number, number, number];
      return { box: { x, y, width, height }, score: Number((li as HTMLElement).dataset.score) };
    }),
  );
  expect(Number(await page.getAttribute('#face-count', 'data-count'))).toBe(found.length);
  expect(await page.getAttribute('#face-canvas', 'data-faces')).toBe(String(found.length));
  return found;
}

/** Runs the current frame through onnxruntime-web and checks that the outputs agree and the faces are the same. */
async function checkWithOrt(page: Page): Promise<void> {
  await page.click('#face-check');
  await page.waitForSelector('#face-check-status:is([data-state="done"], [data-state="error"])', { timeout: 120_000 });
  expect(await page.getAttribute('#face-check-status', 'data-state'), await text(page, 'face-check-status')).toBe('done');
  const diff = Number(await page.getAttribute('#face-ort-diff', 'data-value'));
  // The panel's verdict is the tolerance, 1e-4 + 1e-3·|ort| per value; scores are logits of up to ~±100.
  expect(await page.getAttribute('#face-ort-diff', 'data-agree'), `max diff ${diff}`).toBe('true');
  expect(diff).toBeLessThan(1e-2);
  expect(await text(page, 'face-ort-verdict')).toBe('within 1e-4 + 1e-3·|ort|');
  expect(await page.getAttribute('#face-ort-match', 'data-match'), await text(page, 'face-ort-match')).toBe('true');
  expect(await text(page, 'face-ort-time')).toMatch(/ms$/);
}

/** The face panel on its photos: one face on the astronaut (where it is), none on the cat, and onnxruntime-web agreeing. */
async function runFaces(page: Page, backend: BackendWords): Promise<void> {
  await page.locator('#faces').scrollIntoViewIfNeeded();
  expect(await text(page, 'face-count')).toBe('–');
  const astronaut = await findFaces(page);
  expect(astronaut).toHaveLength(1);
  expect(iou(astronaut[0]!.box, ASTRONAUT_FACE)).toBeGreaterThanOrEqual(0.5);
  expect(await text(page, 'face-time-rel')).toBe(`on ${backend}`);
  expect(await text(page, 'face-status')).toMatch(new RegExp(`^Done: 1 face on the astronaut with BlazeFace front on ${literal(backend)}`));
  // The box and keypoints are drawn: the canvas differs from the photo alone (drawn again without them).
  expect((await canvasStats(page, '#face-canvas')).std).toBeGreaterThan(20);
  // onnxruntime-web is downloaded on the first check only.
  const ortLoaded = () => page.evaluate(() => performance.getEntriesByType('resource').some((e) => /ort[.-]wasm/.test(e.name)));
  expect(await ortLoaded()).toBe(false);
  await checkWithOrt(page);
  expect(await ortLoaded()).toBe(true);
  expect(await text(page, 'face-ort-match')).toMatch(/^same 1 face, IoU ≥ (0\.9\d\d|1\.000)$/);
  // The page's image (the cat): no face, and onnxruntime-web finds none either.
  await page.click('#face-source-page');
  await page.waitForFunction(() => document.getElementById('face-status')?.textContent?.includes("the page's image") && document.getElementById('face-status')?.dataset.state === 'done', undefined, { timeout: 120_000 });
  expect(await findFaces(page, false)).toHaveLength(0);
  expect(await text(page, 'face-count')).toBe('no face');
  await checkWithOrt(page);
  expect(await text(page, 'face-ort-match')).toBe('both: no face');
}

/** Loads files into the "Your model" panel (file input, or an example button) and waits for the result. */
async function loadModel(page: Page, files: Parameters<Page['setInputFiles']>[1] | { example: string }, state: 'done' | 'error' = 'done'): Promise<void> {
  // Both start the panel's work synchronously (its status turns 'busy' before they return).
  if (typeof files === 'object' && 'example' in files) await page.click(files.example);
  else await page.setInputFiles('#user-file', files);
  await page.waitForSelector('#user-status:is([data-state="done"], [data-state="error"])', { timeout: 120_000 });
  expect(await page.getAttribute('#user-status', 'data-state'), `${await text(page, 'user-status')} ${await text(page, 'user-error-text')}`).toBe(state);
}

/** What the "Your model" panel shows after a run. */
async function modelResult(page: Page) {
  return {
    name: await text(page, 'user-name'),
    format: await text(page, 'user-format'),
    inputs: await text(page, 'user-inputs'),
    outputs: await text(page, 'user-outputs'),
    params: await count(page, 'user-params'),
    flops: await page.getAttribute('#user-flops', 'title'),
    time: await text(page, 'user-time'),
    first: await text(page, 'user-first'),
    method: await page.getAttribute('#user-method', 'data-method'),
    ops: await page.$$eval('#user-ops tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent ?? ''))),
    tops: await page.$$eval('#user-top .user-output', (divs) =>
      divs.map((d) => ({ head: d.querySelector('h4')?.textContent ?? '', values: [...d.querySelectorAll('li .p')].map((p) => p.textContent ?? '') })),
    ),
    summary: (await page.textContent('#user-summary')) ?? '',
  };
}

/** Params of the BlazeFace front ONNX file (as its summary counts them) and of the Keras example (as Keras counts them). */
const BLAZEFACE_FRONT_PARAMS = 100_412;
const KERAS_EXAMPLE_PARAMS = 3_385;

/** An ONNX model with an op sepconv does not run (Erf), made here with the tests' ONNX builder. */
const unsupportedOnnx = () =>
  Buffer.from(onnxModel({ inputs: [value('x', [1, 4])], outputs: [value('y', [1, 4])], nodes: [node('Erf', ['x'], ['y'], {}, 'the_erf')] }));

/**
 * The "Your model" panel: the BlazeFace ONNX file and the Keras example (model.json and
 * its two shards) through the file input, their summaries, times and top outputs; then the
 * errors: a missing shard, an unsupported op, a truncated file. The page holds no model
 * memory afterwards.
 */
async function runYourModel(page: Page, backend: BackendWords, method: string, shots?: 'desktop' | 'phone'): Promise<void> {
  await page.locator('#your-model').scrollIntoViewIfNeeded();
  const held = await gpuInUse(page);
  await loadModel(page, BLAZEFACE_FRONT_FILE);
  const face = await modelResult(page);
  expect(face.name).toBe('face_detection_front_128x128_barracuda.onnx');
  expect(await text(page, 'user-status')).toMatch(new RegExp(`^Done: face_detection_front_128x128_barracuda\\.onnx on ${literal(backend)}; loaded in .*, \\d+ runs and a profile\\.$`));
  expect(face.format).toBe('ONNX');
  expect(face.inputs).toBe('input:0 [1, 128, 128, 3] NHWC');
  expect(face.outputs.split('\n')).toEqual(['Identity:0 [1, 512, 1]', 'Identity_1:0 [1, 384, 1]', 'Identity_2:0 [1, 512, 16]', 'Identity_3:0 [1, 384, 16]']);
  expect(face.params).toBe(BLAZEFACE_FRONT_PARAMS);
  expect(Number(face.flops?.replace(/,/g, ''))).toBeGreaterThan(30e6);
  expect(face.time).toMatch(/^\d+(\.\d+)? ms$/);
  expect(face.first).toMatch(/^\d+(\.\d+)? ms$/);
  expect(face.method).toBe(method);
  expect(face.ops.length).toBeGreaterThan(40);
  expect(face.ops.every((r) => /^\d+(\.\d+)? ms$/.test(r[3] ?? ''))).toBe(true);
  expect(face.ops.map((r) => r[2])).toContain('depthwise');
  expect(face.tops.map((t) => t.head)).toEqual(['Identity:0 [1, 512, 1]', 'Identity_1:0 [1, 384, 1]', 'Identity_2:0 [1, 512, 16]', 'Identity_3:0 [1, 384, 16]']);
  expect(face.tops.every((t) => t.values.length === 5)).toBe(true);
  expect(face.summary).toMatch(/Total params: 100,412/);
  expect((await canvasStats(page, '#user-input')).width).toBe(128);
  if (shots) await page.locator('#your-model').screenshot({ path: `${artifacts}/demo-your-model-${shots}.png` });

  // The layers model: model.json and its two shards picked together.
  await loadModel(page, KERAS_FILES);
  const keras = await modelResult(page);
  expect(keras.name).toBe('model.json');
  expect(keras.format).toBe('TF.js layers, 2 shards');
  expect(keras.inputs).toBe('input_1 [?, 96, 96, 3] NHWC'); // any batch
  expect(keras.outputs).toBe('predictions [?, 5]');
  // model.params() of a loaded layers model counts the graph's weights: batch norm as scale and shift (2 per
  // channel, after translation), where Keras counts 4 (3,385 for this model, see demo/scripts/make-keras-example.ts).
  expect(keras.params).toBeGreaterThan(3000);
  expect(keras.params).toBeLessThanOrEqual(KERAS_EXAMPLE_PARAMS);
  expect(keras.summary).toContain(`Total params: ${keras.params.toLocaleString('en-US')}`);
  expect(keras.ops.length).toBeGreaterThan(5);
  expect(keras.tops).toHaveLength(1);
  // A softmax: five probabilities, largest first, summing to 100%.
  const p = keras.tops[0]!.values.map((v) => Number(v.replace('%', '')));
  expect(p).toHaveLength(5);
  expect(p.reduce((a, b) => a + b, 0)).toBeGreaterThan(99);
  expect(p.reduce((a, b) => a + b, 0)).toBeLessThan(101);
  for (let i = 1; i < 5; i++) expect(p[i]).toBeLessThanOrEqual(p[i - 1] as number);
  // The same model from its example button (fetched shards) gives the same numbers.
  await loadModel(page, { example: '#user-example-keras' });
  expect((await modelResult(page)).tops).toEqual(keras.tops);

  // Errors, as the loader words them.
  await loadModel(page, KERAS_FILES.slice(0, 2), 'error');
  expect(await text(page, 'user-error-text')).toBe("model.json needs the weight shard 'group1-shard2of2.bin': drop it together with model.json.");
  expect(await text(page, 'user-name')).toBe('–');
  await loadModel(page, { name: 'erf.onnx', mimeType: 'application/octet-stream', buffer: unsupportedOnnx() }, 'error');
  expect(await page.getAttribute('#user-error', 'data-code')).toBe('UNSUPPORTED_OP');
  expect(await text(page, 'user-error-code')).toBe('UNSUPPORTED_OP');
  const unsupported = await text(page, 'user-error-text');
  expect(unsupported).toMatch(/^sepconv\.loadOnnx: .*the_erf.*Erf.*sepconv runs the ONNX ops /);
  expect(unsupported).toMatch(/\bConv\b.*\bMaxPool\b/);
  if (shots) await page.locator('#your-model').screenshot({ path: `${artifacts}/demo-your-model-error-${shots}.png` });
  const truncated = readFileSync(BLAZEFACE_FRONT_FILE).subarray(0, 100_000);
  await loadModel(page, { name: 'truncated.onnx', mimeType: 'application/octet-stream', buffer: truncated }, 'error');
  expect(await page.getAttribute('#user-error', 'data-code')).toBe('BAD_MODEL');
  expect(await text(page, 'user-error-text')).toMatch(/^sepconv\.loadOnnx: /);
  // Each run disposed its model: GPU memory held by tensors is back where it was.
  expect(await gpuInUse(page)).toBe(held);
}

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
  const { context, page, problems } = await openDemo({ viewport: { width: 1280, height: 800 } });

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

  // The live image runs on WebGPU; wasm is offered too, and has not run yet.
  expect(await text(page, 'backend'), problems.join('\n')).toBe('webgpu');
  expect(await page.isEnabled('#backend-wasm')).toBe(true);
  expect(await page.isHidden('#backend-why')).toBe(true);
  expect(await text(page, 'time-wasm')).toBe('not run yet');
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

  // On WebGPU the live section draws its five canvases from the tensors' GPU buffers (a WebGPU
  // context each, no read-back), in every display mode. A signed filter and a channel swap:
  // 'clip', 'abs', 'signed' and 'stretch' all matter, and a mixed-up channel order would show.
  expect(await page.getAttribute('#live-status', 'data-draw')).toBe('gpu');
  await pick(page, '#dw-preset', 'outline');
  await pick(page, '#pw-preset', 'swap');
  const modes = ['clip', 'abs', 'signed', 'stretch'];
  const showIn = async (mode: string) => {
    if ((await page.inputValue('#display-mode')) !== mode) await pick(page, '#display-mode', mode);
  };
  for (const mode of modes) {
    await showIn(mode);
    const kept = await keepPixels(page, `gpu-${mode}`);
    expect(kept.draw, mode).toEqual(LIVE_CANVASES.map(() => 'gpu'));
    expect(kept.std[0], mode).toBeGreaterThan(20); // the photo
    for (const std of kept.std) expect(std, mode).toBeGreaterThan(1); // drawn, not blank
  }

  // The CPU switch: the live image is recomputed on the CPU backend, and drawn by the CPU path
  // (read back, putImageData) on 2D canvases.
  await page.check('#backend-cpu');
  await page.waitForFunction(() => document.getElementById('live-status')?.textContent?.includes('the CPU'));
  await page.waitForSelector('#live-status[data-state="idle"]');
  expect(await text(page, 'backend')).toBe('cpu');
  // On the reference, the check runs the fastest other backend: WebGPU.
  expect(await text(page, 'diff-label')).toBe('max |GPU − CPU|');
  expect(Number(await page.getAttribute('#max-diff', 'data-value'))).toBeLessThan(TOLERANCE);
  expect(await page.getAttribute('#live-status', 'data-draw')).toBe('cpu');
  for (const mode of modes) {
    await showIn(mode);
    const kept = await keepPixels(page, `cpu-${mode}`);
    expect(kept.draw, mode).toEqual(LIVE_CANVASES.map(() => 'cpu'));
  }
  // The GPU drew the pixels the CPU path draws: the same mapping, the same channel order, the
  // same size; values 0…255 within 2 (GPU and CPU outputs differ by ≤ 1e-4, then rounding).
  for (const mode of modes) {
    const diff = await pixelDiff(page, `gpu-${mode}`, `cpu-${mode}`);
    for (const id of LIVE_CANVASES) expect(diff[id], `${mode}: #${id}`).toBeLessThanOrEqual(2);
  }
  // A wrong drawing is caught: the 'signed' and 'abs' pictures of this filter differ by far more.
  expect((await pixelDiff(page, 'gpu-signed', 'cpu-abs'))['canvas-output']).toBeGreaterThan(50);

  // The wasm switch: the live image and the comparison are recomputed on the WebAssembly engine
  // (it makes the tensors: not the CPU's engine under wasm's name), checked against the CPU
  // reference, and drawn by the CPU path (wasm has no GPU buffers): the pixels the CPU drew.
  await countEngineUse(page);
  await switchBackend(page, 'backend-wasm', 'WebAssembly (SIMD)');
  expect(await text(page, 'backend')).toBe('wasm');
  expect(await page.getAttribute('#backend-pill', 'data-backend')).toBe('wasm');
  for (const id of ['live-backend', 'compare-backend', 'net-backend', 'face-backend', 'user-backend']) expect(await text(page, id), id).toBe('WebAssembly (SIMD)');
  expect(await text(page, 'cmp-status')).toMatch(/ on WebAssembly \(SIMD\)\.$/);
  expect(await text(page, 'cmp-std-rank')).toBe('27 of 32');
  expect(await text(page, 'cmp-sep-rank')).toBe('3 of 32');
  const wasmMade = await engineUse(page);
  expect(wasmMade.wasm).toBeGreaterThan(0);
  expect(wasmMade.gpu).toBe(0);
  expect(await text(page, 'diff-label')).toBe('max |wasm − CPU|');
  expect(Number(await page.getAttribute('#max-diff', 'data-value'))).toBeLessThan(TOLERANCE);
  expect(await text(page, 'diff-verdict')).toContain('agree');
  expect(await text(page, 'time-wasm')).toMatch(/^\d+(\.\d+)? ms$/);
  expect(await page.getAttribute('#live-status', 'data-draw')).toBe('cpu');
  for (const mode of modes) {
    await showIn(mode);
    const kept = await keepPixels(page, `wasm-${mode}`);
    expect(kept.draw, mode).toEqual(LIVE_CANVASES.map(() => 'cpu'));
  }
  // The same pictures as the CPU reference's, within 2 of 0…255 as GPU and CPU above.
  for (const mode of modes) {
    const diff = await pixelDiff(page, `wasm-${mode}`, `cpu-${mode}`);
    for (const id of LIVE_CANVASES) expect(diff[id], `wasm, ${mode}: #${id}`).toBeLessThanOrEqual(2);
  }
  await page.check('#backend-gpu');
  await settled(page);
  await page.waitForFunction(() => document.getElementById('cmp-status')?.textContent?.includes('WebGPU'));
  expect(await text(page, 'backend')).toBe('webgpu');
  expect(await page.getAttribute('#canvas-output', 'data-draw')).toBe('gpu');

  // The webcam in the live section (Chromium's fake camera): every frame goes through
  // gpu.fromPixels(video) and is drawn by the GPU, with no getImageData or putImageData on the
  // way; the status shows the frames per second; the check waits for the frame it stops on.
  await countPixelCalls(page);
  const runsBeforeWebcam = Number(await page.getAttribute('#live-status', 'data-runs'));
  await page.click('#source-webcam');
  await page.waitForFunction(
    (runs) => {
      const s = document.getElementById('live-status') as HTMLElement;
      return s.dataset.input === 'fromPixels' && Number(s.dataset.runs) >= runs + 5 && Number(s.dataset.fps) > 0;
    },
    runsBeforeWebcam,
    { timeout: 120_000 },
  );
  const webcamCalls = await pixelCalls(page);
  expect(webcamCalls.gpuVideo).toBeGreaterThanOrEqual(5);
  expect(webcamCalls.cpuVideo).toBe(0);
  expect(webcamCalls.getImageData).toBe(0);
  expect(webcamCalls.putImageData).toBe(0);
  expect(await text(page, 'live-status')).toMatch(/^webcam \d+×\d+ \(fromPixels\), .* on WebGPU, drawn by the GPU: .* per frame, \d+\.\d frames per second$/);
  expect(await page.getAttribute('#canvas-output', 'data-draw')).toBe('gpu');
  expect(await text(page, 'diff-verdict')).toBe('on stop');
  const frame = await canvasStats(page, '#canvas-input');
  expect(frame.std).toBeGreaterThan(2); // the fake camera's picture, not a blank canvas
  await page.click('#source-webcam');
  await page.waitForFunction(() => document.getElementById('source-status')?.textContent?.startsWith('webcam snapshot'), undefined, { timeout: 60_000 });
  await settled(page);
  expect(await page.getAttribute('#live-status', 'data-input')).toBe('image');
  expect(await text(page, 'source-status')).toBe(`webcam snapshot, ${frame.width}×${frame.height}`);
  expect(Number(await page.getAttribute('#max-diff', 'data-value'))).toBeLessThan(TOLERANCE);
  expect(await text(page, 'diff-verdict')).toContain('agree');

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

test('desktop 1280×800: Find faces (photos, a file, the webcam, onnxruntime-web) and Your model (ONNX, layers, errors)', async () => {
  const { context, page, problems } = await openDemo({ viewport: { width: 1280, height: 800 } });
  await settled(page);
  expect(await text(page, 'face-backend')).toBe('the GPU (WebGPU)');
  expect(await text(page, 'user-backend')).toBe('the GPU (WebGPU)');

  // Nothing moves while the face panel's results arrive.
  await page.locator('#faces').scrollIntoViewIfNeeded();
  const shifted = await layoutShift(page);
  await runFaces(page, 'WebGPU');
  expect((await layoutShift(page)) - shifted).toBeLessThan(0.01);

  // The user's photo, through the panel's file input: the astronaut again, one face.
  await page.setInputFiles('#face-file', asset('astronaut.jpg'));
  await page.waitForFunction(() => document.getElementById('face-status')?.textContent?.includes('astronaut.jpg') && document.getElementById('face-status')?.dataset.state === 'done', undefined, { timeout: 120_000 });
  const own = await findFaces(page, false);
  expect(own).toHaveLength(1);
  expect(iou(own[0]!.box, ASTRONAUT_FACE)).toBeGreaterThanOrEqual(0.5);
  // The back model (256×256) finds it too.
  await page.selectOption('#face-model', 'back');
  await page.waitForFunction(() => document.getElementById('face-status')?.textContent?.includes('BlazeFace back') && document.getElementById('face-status')?.dataset.state === 'done', undefined, { timeout: 120_000 });
  const back = await findFaces(page, false);
  expect(back).toHaveLength(1);
  expect(iou(back[0]!.box, ASTRONAUT_FACE)).toBeGreaterThanOrEqual(0.5);
  await checkWithOrt(page);
  await page.selectOption('#face-model', 'front');
  await page.waitForFunction(() => document.getElementById('face-status')?.textContent?.includes('BlazeFace front') && document.getElementById('face-status')?.dataset.state === 'done', undefined, { timeout: 120_000 });
  await checkWithOrt(page);
  await page.locator('#faces').screenshot({ path: `${artifacts}/demo-faces-desktop.png` });

  // The webcam (Chromium's fake camera): frames keep coming, with their rate, until it is stopped.
  // Each one goes to the model through gpu.fromPixels(video, { fit: 'contain', … }): no getImageData.
  await countPixelCalls(page);
  await page.click('#face-webcam');
  await page.waitForFunction(() => Number(document.getElementById('face-fps')?.dataset.frames) >= 5, undefined, { timeout: 120_000 });
  const faceCalls = await pixelCalls(page);
  expect(faceCalls.gpuVideo).toBeGreaterThanOrEqual(5);
  expect(faceCalls.contain).toBe(faceCalls.gpuVideo);
  expect(faceCalls.getImageData).toBe(0);
  expect(await text(page, 'face-time-note')).toMatch(/^Per frame: fromPixels on the <video> \(letterboxed into the input by the GPU\)/);
  expect(await page.getAttribute('#face-status', 'data-state')).toBe('live');
  expect(await text(page, 'face-webcam')).toBe('Stop webcam');
  expect(Number(await text(page, 'face-fps'))).toBeGreaterThan(0);
  expect(await text(page, 'face-time')).toMatch(/ms$/);
  await page.click('#face-webcam');
  await page.waitForSelector('#face-status[data-state="done"]');
  expect(await text(page, 'face-status')).toMatch(/^Webcam stopped after \d+ frames/);
  expect(await text(page, 'face-webcam')).toBe('Webcam');
  const frames = Number(await page.getAttribute('#face-fps', 'data-frames'));
  await page.waitForTimeout(500);
  expect(Number(await page.getAttribute('#face-fps', 'data-frames'))).toBe(frames);
  // The last frame can still be checked.
  await checkWithOrt(page);
  expect(await text(page, 'face-check-status')).toMatch(/^Checked webcam frame \d+/);

  await runYourModel(page, 'WebGPU', await gpuTiming(page), 'desktop');
  expect(problems).toEqual([]);
  await context.close();
});

test('phone width 390×844: everything fits, MobileNetV2, faces and your model included, no horizontal scrolling', async () => {
  const { context, page, problems } = await openDemo({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await settled(page);
  expect(await layoutShift(page)).toBeLessThan(0.02);
  expect(await count(page, 'std-params')).toBe(864);
  expect(await count(page, 'sep-params')).toBe(123);
  await runNetwork(page);
  // The face panel and Your model, with their results in: they fit too.
  await runFaces(page, 'WebGPU');
  await page.locator('#faces').screenshot({ path: `${artifacts}/demo-faces-phone.png` });
  await runYourModel(page, 'WebGPU', await gpuTiming(page), 'phone');
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

test('without WebGPU the page says so and runs everything on wasm, which the CPU backend agrees with', async () => {
  const { context, page, problems } = await openDemo({ viewport: { width: 1280, height: 800 } }, true);
  await settled(page);
  expect(await page.isVisible('#webgpu-notice')).toBe(true);
  expect(await text(page, 'webgpu-notice')).toMatch(/WebGPU is not available.*WebAssembly \(SIMD\) backend/);
  // The fastest backend left is the default: wasm, not the CPU reference, which checks it.
  expect(await text(page, 'backend')).toBe('wasm');
  expect(await page.getAttribute('#backend-pill', 'data-backend')).toBe('wasm');
  expect(await page.isChecked('#backend-wasm')).toBe(true);
  expect(await page.isDisabled('#backend-gpu')).toBe(true);
  expect(await page.isEnabled('#backend-wasm')).toBe(true);
  expect(await text(page, 'time-gpu')).toBe('no WebGPU');
  expect(await text(page, 'diff-label')).toBe('max |wasm − CPU|');
  expect(Number(await page.getAttribute('#max-diff', 'data-value'))).toBeLessThan(TOLERANCE);
  expect(await text(page, 'diff-verdict')).toContain('agree');
  expect((await canvasStats(page, '#canvas-output')).std).toBeGreaterThan(10);
  expect(await page.getAttribute('#live-status', 'data-draw')).toBe('cpu');
  expect(await page.getAttribute('#canvas-output', 'data-draw')).toBe('cpu');
  expect(await text(page, 'live-status')).toMatch(/ on WebAssembly \(SIMD\), drawn by the CPU: /);
  await pick(page, '#dw-preset', 'sobel-y');
  expect((await canvasStats(page, '#canvas-output')).std).toBeGreaterThan(10);
  expect(Number(await page.getAttribute('#max-diff', 'data-value'))).toBeLessThan(TOLERANCE);
  await keepPixels(page, 'wasm-sobel-y');
  expect(await text(page, 'cmp-sep-rank')).toBe('3 of 32');
  expect(await text(page, 'cmp-status')).toMatch(/ on WebAssembly \(SIMD\)\.$/);
  // The network panel on wasm, timed by the wall clock: the wasm engine makes its tensors, the CPU's none.
  expect(await text(page, 'net-backend')).toBe('WebAssembly (SIMD)');
  await countEngineUse(page);
  expect(await runNetwork(page)).toBe('wall clock');
  expect(await text(page, 'net-status')).toMatch(/on WebAssembly \(SIMD\)/);
  expect(await text(page, 'net-first-rel')).toBe('first call');
  const netMade = await engineUse(page);
  expect(netMade.wasm).toBeGreaterThan(0);
  expect(netMade.cpu).toBe(0);
  const wasmTop = await netTop5(page);
  // The face panel (checked against onnxruntime-web's wasm build, which needs no GPU) and Your model run on wasm too.
  expect(await text(page, 'face-backend')).toBe('WebAssembly (SIMD)');
  await runFaces(page, 'WebAssembly (SIMD)');
  await runYourModel(page, 'WebAssembly (SIMD)', 'wall clock');

  // The CPU switch: the reference gives what wasm gave. The live pictures, pixel for pixel within 2 of 0…255
  // (the check, now the other way round, runs wasm); MobileNetV2's top 5 classes, in the same order, with the
  // same probabilities as shown (within 0.01 points: the rounding of the last digit).
  await switchBackend(page, 'backend-cpu', 'the CPU');
  expect(await text(page, 'backend')).toBe('cpu');
  expect(await page.getAttribute('#backend-pill', 'data-backend')).toBe('cpu');
  expect(await text(page, 'diff-label')).toBe('max |wasm − CPU|');
  expect(Number(await page.getAttribute('#max-diff', 'data-value'))).toBeLessThan(TOLERANCE);
  expect(await text(page, 'time-wasm')).toMatch(/^\d+(\.\d+)? ms$/);
  expect(await text(page, 'time-cpu')).toMatch(/^\d+(\.\d+)? ms$/);
  // And what ran as wasm is the library's wasm backend, not the reference under its name (no timing here:
  // speed is the benchmarks' business, not a test's).
  expect(await page.evaluate(() => (window as unknown as { sepconvDemo: { wasm: { backend: string } | null } }).sepconvDemo.wasm?.backend)).toBe('wasm');
  expect(await text(page, 'cmp-status')).toMatch(/ on the CPU\.$/);
  expect(await text(page, 'cmp-sep-rank')).toBe('3 of 32');
  const cpuLive = await keepPixels(page, 'cpu-sobel-y');
  expect(cpuLive.draw).toEqual(LIVE_CANVASES.map(() => 'cpu'));
  const liveDiff = await pixelDiff(page, 'wasm-sobel-y', 'cpu-sobel-y');
  for (const id of LIVE_CANVASES) expect(liveDiff[id], `#${id}`).toBeLessThanOrEqual(2);
  // The face panel detects again, on the CPU backend: still no face on the cat.
  await page.waitForFunction(() => document.getElementById('face-status')?.textContent?.endsWith('on the CPU backend.') && document.getElementById('face-status')?.dataset.state === 'done', undefined, { timeout: 120_000 });
  expect(await text(page, 'face-count')).toBe('no face');
  expect(await text(page, 'net-backend')).toBe('the CPU backend');
  await countEngineUse(page);
  expect(await runNetwork(page)).toBe('wall clock');
  expect(await text(page, 'net-status')).toMatch(/on the CPU backend/);
  const cpuMade = await engineUse(page);
  expect(cpuMade.cpu).toBeGreaterThan(0);
  expect(cpuMade.wasm).toBe(0);
  const cpuTop = await netTop5(page);
  expect(cpuTop.map((t) => t.index)).toEqual(wasmTop.map((t) => t.index));
  for (const [i, t] of cpuTop.entries()) expect(Math.abs(t.p - (wasmTop[i]?.p as number)), `class ${t.index}`).toBeLessThanOrEqual(0.01);

  // The benchmark still runs: sepconv's CPU backend only, TF.js WebGPU reported as unavailable.
  await page.$$eval('#bench-cases input', (inputs, id) => inputs.forEach((i) => ((i as HTMLInputElement).checked = (i as HTMLInputElement).value === id)), BENCH_CASE);
  await page.click('#bench-run');
  await page.waitForSelector('#bench-chart-box[data-ready="true"]', { timeout: 60_000 });
  const rows = await page.$$eval('#bench-table tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent ?? '')));
  expect(rows.map((r) => [r[1], r[2]])).toEqual([
    ['TF.js · WebGPU', 'no WebGPU in this browser'],
    ['sepconv · CPU', expect.stringMatching(/ms$/)],
  ]);
  // The live webcam on the CPU backend: frames through cpu.fromPixels(video), drawn by the CPU; then,
  // while it streams, on wasm: frames through wasm.fromPixels(video), drawn by the CPU too.
  await countPixelCalls(page);
  const runsBeforeWebcam = Number(await page.getAttribute('#live-status', 'data-runs'));
  await page.click('#source-webcam');
  await page.waitForFunction(
    (runs) => {
      const s = document.getElementById('live-status') as HTMLElement;
      return s.dataset.input === 'fromPixels' && Number(s.dataset.runs) >= runs + 3 && Number(s.dataset.fps) > 0;
    },
    runsBeforeWebcam,
    { timeout: 120_000 },
  );
  expect((await pixelCalls(page)).cpuVideo).toBeGreaterThanOrEqual(3);
  expect(await text(page, 'live-status')).toMatch(/^webcam \d+×\d+ \(fromPixels\), .* on the CPU, drawn by the CPU: .* frames per second$/);
  expect(await page.getAttribute('#canvas-output', 'data-draw')).toBe('cpu');
  // Switched in the page, so that the count is taken at the switch: every run started after it is on wasm.
  const cpuFrames = await page.evaluate(() => {
    const n = (window as unknown as { __calls: { cpuVideo: number } }).__calls.cpuVideo;
    (document.getElementById('backend-wasm') as HTMLInputElement).click();
    return n;
  });
  await page.waitForFunction(
    (before) => {
      const s = document.getElementById('live-status') as HTMLElement;
      const w = window as unknown as { __calls: { wasmVideo: number } };
      return w.__calls.wasmVideo >= 3 && Number(s.dataset.runs) >= before + 3 && Boolean(s.textContent?.includes('on WebAssembly (SIMD), drawn by the CPU'));
    },
    Number(await page.getAttribute('#live-status', 'data-runs')),
    { timeout: 120_000 },
  );
  expect(await text(page, 'live-status')).toMatch(/^webcam \d+×\d+ \(fromPixels\), .* on WebAssembly \(SIMD\), drawn by the CPU: .* frames per second$/);
  expect((await pixelCalls(page)).cpuVideo).toBe(cpuFrames);
  expect(await text(page, 'diff-verdict')).toBe('on stop');
  await page.click('#source-webcam');
  await page.waitForFunction(() => document.getElementById('source-status')?.textContent?.startsWith('webcam snapshot'), undefined, { timeout: 60_000 });
  await settled(page);
  expect(await page.getAttribute('#live-status', 'data-input')).toBe('image');
  // The frame it stopped on, checked: wasm against the CPU reference.
  expect(Number(await page.getAttribute('#max-diff', 'data-value'))).toBeLessThan(TOLERANCE);
  expect(await text(page, 'diff-verdict')).toContain('agree');
  expect(problems).toEqual([]);
  await context.close();
});

test('without WebGPU and WebAssembly SIMD the page runs on the CPU backend and says why', async () => {
  const { context, page, problems } = await openDemo({ viewport: { width: 1280, height: 800 } }, true, true);
  await settled(page);
  expect(await text(page, 'webgpu-notice')).toMatch(/WebGPU is not available.*CPU backend/);
  expect(await text(page, 'backend')).toBe('cpu');
  expect(await page.isChecked('#backend-cpu')).toBe(true);
  expect(await page.isDisabled('#backend-gpu')).toBe(true);
  expect(await page.isDisabled('#backend-wasm')).toBe(true);
  expect(await page.isVisible('#backend-why')).toBe(true);
  expect(await text(page, 'backend-why')).toBe('WebAssembly (SIMD) is not available: this browser has no WebAssembly SIMD.');
  expect(await page.getAttribute('label:has(#backend-wasm)', 'title')).toBe('this browser has no WebAssembly SIMD');
  expect(await text(page, 'time-wasm')).toBe('no wasm SIMD');
  // Nothing to check the reference against.
  expect(await text(page, 'max-diff')).toBe('n/a');
  expect(await text(page, 'diff-verdict')).toBe('needs WebGPU or wasm');
  expect(await text(page, 'live-status')).toMatch(/ on the CPU, drawn by the CPU: /);
  expect((await canvasStats(page, '#canvas-output')).std).toBeGreaterThan(10);
  expect(await text(page, 'cmp-sep-rank')).toBe('3 of 32');
  expect(await text(page, 'net-backend')).toBe('the CPU backend');
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
