// Headless Chromium (WebGPU) runs a page built with Vite that imports the built
// package as 'sepconv'; GPU and CPU results must agree and the page must log no errors.
import type { PreviewServer } from 'vite';
import { build, preview } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../support/browser.js';
import { firstMismatch } from '../support/compare.js';

const configFile = fileURLToPath(new URL('./vite.config.ts', import.meta.url));
let server: PreviewServer;
let browser: Browser;

beforeAll(async () => {
  await build({ configFile });
  server = await preview({ configFile, preview: { port: 0, host: '127.0.0.1' } });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

interface PageResult {
  backend: string;
  adapter: { vendor: string; architecture: string; description: string } | null;
  gpu: number[];
  cpu: number[];
  magnitude: number[];
}

test('depthwise → pointwise in Chromium: WebGPU = CPU backend, no console errors', async () => {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  const url = server.resolvedUrls?.local[0];
  expect(url).toBeTruthy();
  await page.goto(url as string);
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
  await page.close();
});
