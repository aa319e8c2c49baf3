import { execFileSync, fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempFolders } from './helpers/dataset-folder';

const ROOT = path.resolve(__dirname, '..');
// A build of its own, inside the checkout (so node_modules resolve) but apart from dist/, which the web mode serves.
const DIST = path.join(ROOT, 'test-output', 'build');
const folders = tempFolders();

beforeAll(() => {
  fs.rmSync(DIST, { recursive: true, force: true });
  execFileSync('npm', ['run', 'build', '--', '--out', DIST], { cwd: ROOT, stdio: 'pipe' });
}, 180_000);
afterAll(() => folders.removeAll());

describe('npm run build', () => {
  it("builds the renderer, the desktop main process and preloads, the GPU window's page, and the engine entry", () => {
    for (const file of [
      'renderer/index.html',
      'renderer/gpu-window.html',
      'renderer/gpu-window.js',
      'electron/main.cjs',
      'electron/preload.cjs',
      'electron/gpu-preload.cjs',
      'engine/child-main.mjs',
      'engine/prepare-worker.mjs',
      'engine/decode-worker.mjs',
    ]) {
      expect(fs.existsSync(path.join(DIST, file)), file).toBe(true);
    }
    const html = fs.readFileSync(path.join(DIST, 'renderer', 'index.html'), 'utf8');
    expect(html).toContain("script-src 'self'");
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });

  it('keeps main a relay (no SQLite, no tfjs), the preloads free of any module but electron, and the GPU page free of Node and tfjs', () => {
    const main = fs.readFileSync(path.join(DIST, 'electron', 'main.cjs'), 'utf8');
    expect(main).not.toMatch(/better-sqlite3|@tensorflow/);
    for (const name of ['preload.cjs', 'gpu-preload.cjs']) {
      const preload = fs.readFileSync(path.join(DIST, 'electron', name), 'utf8');
      const required = [...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
      expect(new Set(required), name).toEqual(new Set(['electron']));
    }
    const page = fs.readFileSync(path.join(DIST, 'renderer', 'gpu-window.js'), 'utf8');
    expect(page).not.toMatch(/require\(|node:|@tensorflow/);
    expect(page).toContain('modality-studio:gpu-port');
  });

  it('builds an engine entry that answers the protocol without tsx, preparing datasets in its bundled worker', async () => {
    const home = folders.make('built-engine');
    const child = fork(path.join(DIST, 'engine', 'child-main.mjs'), [], {
      env: {
        ...process.env,
        MODALITY_STUDIO_HOME: home,
        MODALITY_STUDIO_DB: path.join(home, 'runs.sqlite'),
        MODALITY_STUDIO_CACHE: path.join(home, 'cache'),
      },
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const answers: unknown[] = [];
    const done = new Promise<void>((resolve) => {
      child.on('message', (message: { kind: string }) => {
        if (message.kind === 'ready') child.send({ kind: 'request', id: 1, call: 'runs:list', params: {} });
        if (message.kind === 'response') {
          answers.push(message);
          // Then a dataset check, which runs in the bundled preparation worker.
          if (answers.length === 1)
            child.send({ kind: 'request', id: 2, call: 'dataset:validate', params: { dir: 'synthetic-paired' } });
          else resolve();
        }
      });
    });
    await done;
    child.disconnect();
    expect(answers[0]).toEqual({ kind: 'response', id: 1, result: { ok: true, value: { runs: [], total: 0 } } });
    expect(answers[1]).toMatchObject({
      kind: 'response',
      id: 2,
      result: { ok: true, value: { ok: true, name: 'synthetic-paired', errorCount: 0 } },
    });
  }, 60_000);
});
