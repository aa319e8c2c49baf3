import { Worker } from 'node:worker_threads';
import { tsxExportUrl } from '../util/tsx';

/**
 * Starts the worker thread whose entry is `engine/data/NAME.ts`. From the sources (tsx, vitest) it runs
 * through tsx's loader; from the bundle (scripts/build.ts), where this module is inlined into a file in
 * dist/engine/, it runs the bundled `NAME.mjs` beside it.
 */
export function startDataWorker(name: 'prepare-worker' | 'decode-worker', workerData: unknown): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL(`./${name}.mjs`, here), { workerData });
  const entry = new URL(`./${name}.ts`, here).href;
  const tsx = tsxExportUrl('./esm/api');
  const code = `import(${JSON.stringify(tsx)}).then((api) => { (api.register ?? api.default.register)(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, workerData });
}
