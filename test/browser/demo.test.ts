// The demo page (`npm start`) runs its separable convolution on WebGPU in
// Chromium and agrees with the CPU backend.
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchBrowser } from '../support/browser.js';

const configFile = fileURLToPath(new URL('../../demo/vite.config.ts', import.meta.url));
let server: PreviewServer;
let browser: Browser;

beforeAll(async () => {
  await build({ configFile, logLevel: 'warn' });
  server = await preview({ configFile, preview: { port: 0, host: '127.0.0.1' } });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test('demo page: WebGPU result, max difference to the CPU below 1e-4, no console errors', async () => {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(server.resolvedUrls?.local[0] as string);
  await page.waitForFunction(() => /^(done|error)/.test(document.getElementById('status')?.textContent ?? ''), undefined, {
    timeout: 90_000,
  });
  expect(await page.textContent('#status'), problems.join('\n')).toBe('done');
  expect(await page.textContent('#backend')).toBe('webgpu');
  // Pixel values are O(1); 1e-4 is far above f32 rounding of a 9-tap + 3-tap chain.
  expect(Number(await page.textContent('#max-diff'))).toBeLessThan(1e-4);
  expect(problems).toEqual([]);
  await page.close();
});
