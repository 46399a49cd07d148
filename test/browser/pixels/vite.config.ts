import { defineConfig } from 'vite';
import { distPageConfig } from '../../support/dist-page.js';

// The fromPixels / zero-copy / worker page; 'sepconv' is the built package (dist/),
// in the page and in its worker.
export default defineConfig({ ...distPageConfig(import.meta.url), worker: { format: 'es' } });
