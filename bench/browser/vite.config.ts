import { defineConfig, type Plugin } from 'vite';
import { distPageConfig } from '../../test/support/dist-page.js';

/**
 * TF.js's threaded wasm build (tfjs-backend-wasm-threaded-simd.js, loaded on a cross-origin
 * isolated page: bench:browser --threads n > 1) starts its pthread workers on the text of its
 * Emscripten factory (`factory.toString()` in a Blob), so the factory must not refer to
 * anything outside itself. Emscripten declares `_scriptDir` just outside it, and the minifier
 * then drops the factory's `typeof _scriptDir` guard and renames the variable: every worker
 * dies with "ReferenceError: e is not defined" and the backend never starts. This moves the
 * declaration into the factory (same value in a browser: a module script has no
 * document.currentScript), so the factory's text stands alone. It fails the build if the file
 * no longer looks as expected (a new @tensorflow/tfjs-backend-wasm).
 */
function tfjsThreadedFactoryStandsAlone(): Plugin {
  const outer =
    /\n\s*var _scriptDir = typeof document !== 'undefined' && document\.currentScript \? document\.currentScript\.src : undefined;\n\s*if \(typeof __filename !== 'undefined'\) _scriptDir = _scriptDir \|\| __filename;\n/;
  const head = '\nfunction(WasmBackendModuleThreadedSimd) {\n';
  const inner = "var _scriptDir = typeof document !== 'undefined' && document.currentScript ? document.currentScript.src : undefined;\n";
  return {
    name: 'bench:tfjs-threaded-factory-stands-alone',
    transform(code, id) {
      if (!/[\\/]tfjs-backend-wasm[\\/]wasm-out[\\/]tfjs-backend-wasm-threaded-simd\.js(\?|$)/.test(id)) return null;
      if (!outer.test(code) || !code.includes(head)) {
        this.error(`${id}: not the Emscripten factory this plugin expects (_scriptDir declared just outside it); see bench/browser/vite.config.ts`);
      }
      return { code: code.replace(outer, '\n').replace(head, head + inner), map: null };
    },
  };
}

// The benchmark page measures the built package (dist/), as users get it.
export default defineConfig({
  ...distPageConfig(import.meta.url, '.', { chunkSizeWarningLimit: 8000 }),
  plugins: [tfjsThreadedFactoryStandsAlone()],
});
