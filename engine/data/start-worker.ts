import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Starts the worker thread whose entry is `engine/data/NAME.ts`. From the sources (tsx, vitest) it runs
 * through tsx's loader; from the bundle (scripts/build.ts), where this module is inlined into a file in
 * dist/engine/, it runs the bundled `NAME.mjs` beside it.
 */
export function startDataWorker(name: 'prepare-worker' | 'decode-worker', workerData: unknown): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL(`./${name}.mjs`, here), { workerData });
  const entry = new URL(`./${name}.ts`, here).href;
  const tsx = tsxLoaderUrl(here);
  const code = `import(${JSON.stringify(tsx)}).then((api) => { (api.register ?? api.default.register)(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, workerData });
}

/** tsx's ESM API (`tsx/esm/api`, import condition), found from this file rather than the working directory. */
function tsxLoaderUrl(from: string): string {
  const packageJson = createRequire(from).resolve('tsx/package.json');
  const { exports } = createRequire(from)(packageJson) as { exports: Record<string, { import?: { default?: string } | string }> };
  const target = exports['./esm/api']?.import;
  const relative = typeof target === 'string' ? target : target?.default;
  if (!relative) throw new Error(`tsx at ${path.dirname(packageJson)} has no ./esm/api export for import; reinstall it (npm ci).`);
  return pathToFileURL(path.join(path.dirname(packageJson), relative)).href;
}
