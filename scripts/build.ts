/**
 * `npm run build`: the renderer (Vite), the desktop main process and preload, and the engine process entry
 * (esbuild), into dist/. npm packages stay external: they are resolved from node_modules at run time (and
 * packed by electron-builder, which rebuilds native ones for Electron).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import { build as vite } from 'vite';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(ROOT, 'dist');

/** Builds into `out` (dist/ by default; tests use a folder of their own inside the checkout, for node_modules). */
export async function buildAll(
  out = DIST,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<void> {
  log(`renderer → ${path.relative(ROOT, out)}/renderer`);
  await vite({
    configFile: path.join(ROOT, 'renderer', 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: path.join(out, 'renderer') },
  });
  const common = { bundle: true, sourcemap: true, logLevel: 'warning', target: 'node20' } as const;
  log('electron main → electron/main.cjs');
  await esbuild({
    ...common,
    entryPoints: [path.join(ROOT, 'electron', 'main', 'main.ts')],
    outfile: path.join(out, 'electron', 'main.cjs'),
    platform: 'node',
    format: 'cjs',
    external: ['electron'],
  });
  // A sandboxed preload may require only `electron`: everything else is bundled in.
  log('electron preload → electron/preload.cjs');
  await esbuild({
    ...common,
    entryPoints: [path.join(ROOT, 'electron', 'preload', 'preload.ts')],
    outfile: path.join(out, 'electron', 'preload.cjs'),
    platform: 'browser',
    format: 'cjs',
    external: ['electron'],
    target: 'chrome120',
  });
  log('GPU window preload → electron/gpu-preload.cjs');
  await esbuild({
    ...common,
    entryPoints: [path.join(ROOT, 'electron', 'preload', 'gpu-preload.ts')],
    outfile: path.join(out, 'electron', 'gpu-preload.cjs'),
    platform: 'browser',
    format: 'cjs',
    external: ['electron'],
    target: 'chrome120',
  });
  // The hidden window's page runs engine code (the compiled networks) on Chromium's WebGPU, served by app:// beside the renderer.
  log('GPU window page → renderer/gpu-window.html, renderer/gpu-window.js');
  await esbuild({
    ...common,
    entryPoints: [path.join(ROOT, 'engine', 'runtime', 'webgpu', 'gpu-window.ts')],
    outfile: path.join(out, 'renderer', 'gpu-window.js'),
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
  });
  fs.writeFileSync(
    path.join(out, 'renderer', 'gpu-window.html'),
    '<!doctype html>\n<meta charset="utf-8">\n<title>Modality Studio GPU</title>\n<script src="gpu-window.js"></script>\n',
  );
  log('engine process → engine/child-main.mjs');
  await esbuild({
    ...common,
    entryPoints: [path.join(ROOT, 'engine', 'process', 'child-main.ts')],
    outfile: path.join(out, 'engine', 'child-main.mjs'),
    platform: 'node',
    format: 'esm',
    packages: 'external',
  });
  log('dataset preparation worker → engine/prepare-worker.mjs');
  await esbuild({
    ...common,
    entryPoints: [path.join(ROOT, 'engine', 'data', 'prepare-worker.ts')],
    outfile: path.join(out, 'engine', 'prepare-worker.mjs'),
    platform: 'node',
    format: 'esm',
    packages: 'external',
  });
  log('dataset decode threads → engine/decode-worker.mjs');
  await esbuild({
    ...common,
    entryPoints: [path.join(ROOT, 'engine', 'data', 'decode-worker.ts')],
    outfile: path.join(out, 'engine', 'decode-worker.mjs'),
    platform: 'node',
    format: 'esm',
    packages: 'external',
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outIndex = process.argv.indexOf('--out');
  buildAll(outIndex > 0 ? path.resolve(process.argv[outIndex + 1] ?? DIST) : DIST).catch((error: Error) => {
    console.error(`Build failed: ${error.message}`);
    process.exitCode = 1;
  });
}
