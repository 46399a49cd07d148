// Finding and launching a Chromium with WebGPU for the browser tests and the
// browser benchmark. Order: CHROMIUM_PATH, CHROME_PATH, the usual system paths
// (Debian's chromium first), then a browser installed by Playwright.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const SYSTEM_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/**
 * WebGPU on SwiftShader (software Vulkan) works on any machine, GPU or not; set
 * SEPCONV_REAL_GPU=1 to let Chromium use the real GPU instead. The network
 * flags keep Chromium from calling home on a machine with no network.
 */
export function chromiumArgs(): string[] {
  const common = [
    '--no-sandbox',
    '--enable-unsafe-webgpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ];
  if (process.env.SEPCONV_REAL_GPU === '1') return [...common, '--enable-features=Vulkan'];
  return [
    ...common,
    '--use-webgpu-adapter=swiftshader',
    '--enable-features=Vulkan',
    '--use-vulkan=swiftshader',
    '--enable-unsafe-swiftshader',
  ];
}

/** Path of a Chromium or Chrome executable; throws an Error saying what to install when none is found. */
export function findBrowser(): string {
  const tried: string[] = [];
  for (const name of ['CHROMIUM_PATH', 'CHROME_PATH']) {
    const p = process.env[name];
    if (p) {
      if (existsSync(p)) return p;
      tried.push(`${name}=${p} (missing)`);
    }
  }
  for (const p of SYSTEM_PATHS) {
    if (existsSync(p)) return p;
    tried.push(p);
  }
  try {
    const p = chromium.executablePath();
    if (p && existsSync(p)) return p;
    if (p) tried.push(`${p} (Playwright)`);
  } catch {
    // Playwright has no browser registry entry here.
  }
  throw new Error(
    'No Chromium or Chrome found for the browser tests. Install one, e.g. on Debian/Ubuntu ' +
      "'sudo apt-get install chromium', or set CHROMIUM_PATH to a Chromium/Chrome executable. Tried: " +
      tried.join(', '),
  );
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: findBrowser(), headless: true, args: chromiumArgs() });
}
