import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The renderer, built once for both hosts: Electron loads it from disk, the web mode serves it. */
export default defineConfig({
  root: here,
  // Relative asset URLs: the desktop app loads index.html from a file, the web mode from "/".
  base: './',
  plugins: [svelte()],
  build: {
    outDir: path.join(here, '..', 'dist', 'renderer'),
    emptyOutDir: true,
    // Everything ships in the bundle: the app works offline, no CDN.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1024,
  },
});
