// The Vite config of a page that imports the built package (dist/) as 'sepconv', as
// users get it: the browser test page (test/browser/vite.config.ts) and the benchmark
// page (bench/browser/vite.config.ts).
import { fileURLToPath } from 'node:url';
import type { BuildEnvironmentOptions, UserConfig } from 'vite';

/**
 * `configUrl`: the calling config's import.meta.url; the page (index.html) is in
 * `page`, relative to it, and builds into `dist` next to the config.
 */
export function distPageConfig(configUrl: string, page = '.', build: BuildEnvironmentOptions = {}): UserConfig {
  return {
    root: fileURLToPath(new URL(page, configUrl)),
    logLevel: 'warn',
    resolve: {
      alias: { sepconv: fileURLToPath(new URL('../../dist/index.js', import.meta.url)) },
    },
    build: {
      outDir: fileURLToPath(new URL('./dist', configUrl)),
      emptyOutDir: true,
      target: 'es2022',
      ...build,
    },
  };
}
