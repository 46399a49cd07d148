// In Chromium (WebGPU on SwiftShader unless SEPCONV_REAL_GPU=1), a page importing the
// built package: engine.fromPixels from every source type headless Chromium makes
// (ImageData, canvas, ImageBitmap, OffscreenCanvas, image element, VideoFrame from a
// canvas, <video> playing a canvas's capture stream), WebGPU against the CPU backend and against the canvas's own bytes; the
// zero-copy round trip with the page's own compute passes; and a dedicated worker
// running a model on an OffscreenCanvas it draws on.
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { servedPage } from '../support/served-page.js';

const served = servedPage(fileURLToPath(new URL('./pixels/vite.config.ts', import.meta.url)));

interface PageResult {
  backend: string;
  sources: { source: string; shape: number[]; gpuVsCpu: number; vsBytes: number }[];
  zeroCopy: { diff: number; count: number };
  worker: { backend: string; diff: number; drawnLevels: number; drawnMatches: boolean };
}

test('fromPixels from every source, the zero-copy round trip and a worker, in Chromium', async () => {
  const { page, problems } = await served.open();
  await page.waitForFunction(() => document.getElementById('status')?.textContent !== 'loading', undefined, { timeout: 120_000 });
  expect(await page.textContent('#status'), problems.join('\n')).toBe('done');
  const r = (await page.evaluate(() => (window as unknown as { __pixels: unknown }).__pixels)) as PageResult;
  expect(r.backend).toBe('webgpu');

  const kinds = ['ImageData', 'HTMLCanvasElement', 'ImageBitmap', 'OffscreenCanvas', 'HTMLImageElement', 'VideoFrame', 'HTMLVideoElement'];
  expect(new Set(r.sources.map((s) => s.source.split(' ')[0]))).toEqual(new Set(kinds));
  for (const s of r.sources) {
    // Same f32 steps on both backends; the GPU may fuse multiply-adds: a few ulps of 0–255
    // values, ×1/(255·0.225) at most after the ImageNet normalisation (see test/gpu/pixels.test.ts).
    expect(s.gpuVsCpu, s.source).toBeLessThan(1e-4);
    // Every source holds the canvas's pixels exactly (the image element is a PNG of it;
    // the VideoFrame and the video's frames are made from the canvas): no colour conversion on the way.
    expect(s.vsBytes, s.source).toBeLessThan(1e-6);
  }
  expect(r.sources.find((s) => s.source.startsWith('ImageBitmap {"size":[16,24]'))?.shape).toEqual([1, 16, 24, 3]);
  expect(r.sources.find((s) => s.source.startsWith('VideoFrame {"size":[50,31]'))?.shape).toEqual([1, 4, 50, 31]);

  // Sums of ≤ 27 + 3 products of values ≤ 1: f32 rounding far below 1e-5.
  expect(r.zeroCopy.count).toBe(8 * 8 * 2);
  expect(r.zeroCopy.diff).toBeLessThan(1e-5);

  expect(r.worker.backend).toBe('webgpu');
  expect(r.worker.diff).toBeLessThan(1e-5);
  // What the worker drew on the transferred canvas is its result, with more than a few grey levels.
  expect(r.worker.drawnMatches).toBe(true);
  expect(r.worker.drawnLevels).toBeGreaterThan(10);
  expect(problems).toEqual([]);
  await page.close();
});
