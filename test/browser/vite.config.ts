import { defineConfig } from 'vite';
import { distPageConfig } from '../support/dist-page.js';

// The page imports 'sepconv' as a user would; the name resolves to the built
// package (dist/), so this test covers the published bundle, not the sources.
export default defineConfig(distPageConfig(import.meta.url, './page'));
