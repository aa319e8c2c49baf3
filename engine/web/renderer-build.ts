import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where `npm run build` (and the web mode, when it must) puts the built renderer. */
export const RENDERER_DIST = path.join(ROOT, 'dist', 'renderer');
const SOURCES = [path.join(ROOT, 'renderer'), path.join(ROOT, 'engine', 'protocol')];

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && !entry.name.endsWith('.test.ts'))
      newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** True when the built renderer is missing or older than its sources (a checkout that was never built, or edited since). */
export function rendererIsStale(): boolean {
  const index = path.join(RENDERER_DIST, 'index.html');
  if (!fs.existsSync(index)) return true;
  if (!SOURCES.every((dir) => fs.existsSync(dir))) return false;
  return Math.max(...SOURCES.map(newestMtimeMs)) > fs.statSync(index).mtimeMs;
}

/**
 * Builds the renderer with Vite when it is stale, so that `serve` works straight from a fresh clone. An
 * install without dev dependencies has no Vite: then the built files must already be there.
 */
export async function ensureRendererBuilt(log: (line: string) => void): Promise<string> {
  if (!rendererIsStale()) return RENDERER_DIST;
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    throw new Error(
      `The user interface is not built (${RENDERER_DIST} is missing or out of date) and Vite is not installed to build it. Run \`npm install\` and then \`npm run build\`.`,
    );
  }
  log('Building the user interface (first start, or its sources changed)…');
  await vite.build({ configFile: path.join(ROOT, 'renderer', 'vite.config.ts'), logLevel: 'warn' });
  return RENDERER_DIST;
}
