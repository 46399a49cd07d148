import { defineConfig } from 'vite';
import { distPageConfig } from '../support/dist-page.js';

// The page imports 'sepconv' as a user would; the name resolves to the built
// package (dist/), so this test covers the published bundle, not the sources.
// Served cross-origin isolated (COOP/COEP), as a page must be for the wasm backend's threads
// (shared memory): the page checks that they run.
const base = distPageConfig(import.meta.url, './page');
const isolated = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
export default defineConfig({ ...base, preview: { headers: isolated } });
