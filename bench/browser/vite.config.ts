import { defineConfig } from 'vite';
import { distPageConfig } from '../../test/support/dist-page.js';

// The benchmark page measures the built package (dist/), as users get it.
export default defineConfig(distPageConfig(import.meta.url, '.', { chunkSizeWarningLimit: 8000 }));
