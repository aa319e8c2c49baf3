import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Plugin } from 'vite';
import { CONTENT_SECURITY_POLICY } from '../engine/protocol/security';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The page's CSP meta tag, from the one policy all hosts share (the desktop window also sends it as a header). */
const contentSecurityPolicy: Plugin = {
  name: 'content-security-policy',
  // frame-ancestors only works as a header (the hosts send it); in a meta tag browsers ignore it with a warning.
  transformIndexHtml: (html) =>
    html.replace(
      '%CONTENT_SECURITY_POLICY%',
      CONTENT_SECURITY_POLICY.split('; ')
        .filter((d) => !d.startsWith('frame-ancestors'))
        .join('; '),
    ),
};

/** The renderer, built once for both hosts: Electron loads it from disk, the web mode serves it. */
export default defineConfig({
  root: here,
  // Relative asset URLs: the desktop app loads index.html from a file, the web mode from "/".
  base: './',
  plugins: [svelte(), contentSecurityPolicy],
  build: {
    outDir: path.join(here, '..', 'dist', 'renderer'),
    emptyOutDir: true,
    // Everything ships in the bundle: the app works offline, no CDN.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1024,
  },
});
