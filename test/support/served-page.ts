// A page built with Vite and served by `vite preview`, and a Chromium to open it, for
// the browser tests of the calling file: made before its tests, closed after them.
import type { Browser, Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, beforeAll } from 'vitest';
import { launchBrowser } from './browser.js';

interface Served {
  readonly url: string;
  readonly browser: Browser;
  /** A new tab on the page; `problems` collects its console errors and uncaught exceptions. */
  open(): Promise<{ page: Page; problems: string[] }>;
}

/** Use `url`, `browser` and `open()` inside the tests, not when the file loads. */
export function servedPage(configFile: string): Served {
  const state = {
    async open() {
      const page = await state.browser.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      await page.goto(state.url);
      return { page, problems };
    },
  } as Served & { url: string; browser: Browser; server: PreviewServer };
  beforeAll(async () => {
    await build({ configFile });
    state.server = await preview({ configFile, preview: { port: 0, host: '127.0.0.1' } });
    state.url = state.server.resolvedUrls?.local[0] as string;
    state.browser = await launchBrowser();
  });
  afterAll(async () => {
    await state.browser?.close();
    await state.server?.close();
  });
  return state;
}
