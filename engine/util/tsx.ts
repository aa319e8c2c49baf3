import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

type ExportTarget = string | { import?: string | { default?: string } };

/**
 * The file URL of one of tsx's exports for `import` (`.`: the loader that `--import` takes; `./esm/api`: its
 * register API), found from this file rather than the working folder: a bare `--import tsx` is resolved
 * from the working folder, so a process started outside the checkout could not load it.
 */
export function tsxExportUrl(subpath: '.' | './esm/api'): string {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve('tsx/package.json');
  const { exports } = require(packageJson) as { exports: Record<string, ExportTarget> };
  const target = exports[subpath];
  const importTarget = typeof target === 'string' ? target : target?.import;
  const relative = typeof importTarget === 'string' ? importTarget : importTarget?.default;
  if (!relative)
    throw new Error(`tsx at ${path.dirname(packageJson)} has no ${subpath} export for import; reinstall it (npm ci).`);
  return pathToFileURL(path.join(path.dirname(packageJson), relative)).href;
}
