// Headless Chromium (WebGPU) runs a page built with Vite that imports the built
// package as 'sepconv'; GPU and CPU results must agree and the page must log no errors.
import { expect, test } from 'vitest';
import { fileURLToPath } from 'node:url';
import { servedPage } from '../support/served-page.js';
import { firstMismatch } from '../support/compare.js';

const served = servedPage(fileURLToPath(new URL('./vite.config.ts', import.meta.url)));

interface PageResult {
  threads: { crossOriginIsolated: boolean; threads: number[]; one: number[]; two: number[]; cpu: number[] };
  backend: string;
  adapter: { vendor: string; architecture: string; description: string } | null;
  gpu: number[];
  cpu: number[];
  magnitude: number[];
}

test('depthwise → pointwise in Chromium: WebGPU = CPU backend, no console errors; wasm threads in a cross-origin isolated page', async () => {
  const { page, problems } = await served.open();
  await page.waitForFunction(() => document.getElementById('status')?.textContent !== 'running', undefined, {
    timeout: 90_000,
  });
  const status = await page.textContent('#status');
  expect(status, problems.join('\n')).toBe('done');
  const r = (await page.evaluate(() => (window as unknown as { __sepconv: unknown }).__sepconv)) as PageResult;
  console.log(`Chromium WebGPU adapter: ${JSON.stringify(r.adapter)}`);
  expect(r.backend).toBe('webgpu');
  expect(r.gpu.length).toBe(1 * 10 * 9 * 10);
  expect(
    firstMismatch(Float32Array.from(r.gpu), Float32Array.from(r.cpu), Float32Array.from(r.magnitude)),
  ).toBeNull();
  expect(problems).toEqual([]);
  // The wasm backend's threads in a cross-origin isolated page: a Web Worker over shared memory
  // did every chunk, bit for bit what one thread computes, and within f32 rounding of the reference.
  const t = r.threads;
  expect(t.crossOriginIsolated).toBe(true);
  expect(t.threads).toEqual([1, 2]);
  expect(t.two.length).toBe(64 * 64 * 48);
  expect(t.two.every((v, i) => v === t.one[i]), 'two threads = one thread, bit for bit').toBe(true);
  const scale = t.cpu.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  expect(t.two.reduce((m, v, i) => Math.max(m, Math.abs(v - (t.cpu[i] as number))), 0) / scale).toBeLessThan(1e-5);
  await page.close();
});
