import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunExport } from '../engine/protocol/store';
import { CLI_BIN, cliWith, type CliResult } from './helpers/cli';
import { makeTempDir } from './helpers/dataset-folder';
import { startServe } from './helpers/serve';

/**
 * Run exports and model folders edited by a careless user or an attacker.
 * One real run (300 rows of synthetic-mixed, one epoch each) gives the export and the model folder that every
 * case edits. Each case must end within seconds with one clear line, and write nothing outside its place.
 */
const root = makeTempDir('hostile-models');
const home = path.join(root, 'home');
const env = { MODALITY_STUDIO_HOME: home, MODALITY_STUDIO_CACHE: path.join(root, 'cache') };
const cli = cliWith(env);
const small = path.join(root, 'small');
const modelDir = path.join(root, 'm');
let exported: RunExport;

/** Runs the CLI with a time limit: a hang is a failure, not a stuck test. */
function cliWithin(seconds: number, ...args: string[]): CliResult & { timedOut: boolean } {
  const result = spawnSync(process.execPath, [CLI_BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: seconds * 1000,
    killSignal: 'SIGKILL',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, timedOut: result.signal === 'SIGKILL' };
}

/** A copy of the saved model folder to edit. */
function modelCopy(name: string): string {
  const dir = path.join(root, 'models', name);
  fs.cpSync(modelDir, dir, { recursive: true });
  return dir;
}

function editJson(file: string, edit: (value: Record<string, unknown>) => void): void {
  const value = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(value);
  fs.writeFileSync(file, JSON.stringify(value));
}

function importEdited(
  name: string,
  edit: (data: RunExport & Record<string, unknown>) => void,
  db = path.join(root, `${name}.sqlite`),
): CliResult & { timedOut: boolean } {
  const data = structuredClone(exported) as RunExport & Record<string, unknown>;
  edit(data);
  const file = path.join(root, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(data));
  return cliWithin(20, 'runs', 'import', file, '--db', db);
}

/** The run folders beside the databases (and in the data folder): an import that fails must leave none behind. */
const runFolders = () =>
  [home, root]
    .flatMap((dir) => (fs.existsSync(path.join(dir, 'runs')) ? fs.readdirSync(path.join(dir, 'runs')) : []))
    .sort();

beforeAll(() => {
  expect(cli('sample', 'synthetic-mixed', path.join(root, 'ds')).code).toBe(0);
  fs.mkdirSync(small);
  fs.copyFileSync(path.join(root, 'ds', 'dataset.json'), path.join(small, 'dataset.json'));
  fs.writeFileSync(
    path.join(small, 'manifest.csv'),
    `${fs
      .readFileSync(path.join(root, 'ds', 'manifest.csv'), 'utf8')
      .split('\n')
      .slice(0, 301)
      .join('\n')}\n`,
  );
  const db = path.join(root, 'source.sqlite');
  const run = cli(
    'run',
    small,
    '--epochs',
    '1',
    '--teacher-epochs',
    '1',
    '--probe-epochs',
    '1',
    '--backend',
    'wasm',
    '--out',
    modelDir,
    '--db',
    db,
    '--json',
  );
  expect(run.code, run.stderr).toBe(0);
  const id = (JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as { runId: string }).runId;
  exported = JSON.parse(cli('runs', 'export', id, '--db', db).stdout) as RunExport;
}, 120_000);
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('runs import checks the whole export before it writes anything (cases 1 and 10)', () => {
  it('refuses an id that would name a folder outside the data folder, and writes nothing', () => {
    const before = runFolders();
    const result = importEdited('escape', (data) => {
      data.run.id = '../../escaped';
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/run\.id is not a run id .*"\.\.\/\.\.\/escaped"/);
    expect(fs.existsSync(path.join(root, 'escaped'))).toBe(false);
    expect(fs.existsSync(path.join(home, 'escaped'))).toBe(false);
    expect(fs.existsSync(path.join(path.dirname(root), 'escaped'))).toBe(false);
    expect(runFolders()).toEqual(before);
  });

  it.each([
    [
      'phases is not a list',
      (d: RunExport) => {
        (d.run as unknown as Record<string, unknown>).phases = 'x';
      },
      /run\.phases Expected array, received string/,
    ],
    [
      'seeds is null',
      (d: RunExport) => {
        (d.run as unknown as Record<string, unknown>).seeds = null;
      },
      /run\.seeds Expected array, received null/,
    ],
    [
      'an unknown status',
      (d: RunExport) => {
        (d.run as unknown as Record<string, unknown>).status = 'bogus';
      },
      /run\.status Invalid enum value.*"bogus"/,
    ],
    [
      'a tag that is not text',
      (d: RunExport) => {
        (d.run as unknown as Record<string, unknown>).tags = [{}];
      },
      /run\.tags\.0 Expected string, received object/,
    ],
    [
      'a numeric id',
      (d: RunExport) => {
        (d.run as unknown as Record<string, unknown>).id = 12345;
      },
      /run\.id Expected string, received number/,
    ],
    [
      'SQL as the final accuracy',
      (d: RunExport) => {
        (d.run as unknown as Record<string, unknown>).final = 'DROP TABLE runs';
      },
      /run\.final Expected number, received string/,
    ],
    [
      'a run with only an id',
      (d: RunExport) => {
        (d as unknown as Record<string, unknown>).run = { id: 'abc' };
      },
      /run\.status Required/,
    ],
    [
      'an unknown setting in its config',
      (d: RunExport) => {
        (d.run.config as unknown as Record<string, unknown>).bogus = 1;
      },
      /run\.config is not a valid run config \("bogus" is not a setting/,
    ],
  ])('refuses %s with the field named, and leaves no model copy behind', (name, edit, message) => {
    const before = runFolders();
    const result = importEdited(`bad-${name.replace(/\W+/g, '-')}`, edit);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/constraint|Cannot read|This is a bug/);
    expect(runFolders()).toEqual(before);
  });

  it('refuses a config nested 200,000 deep without overflowing the stack', () => {
    const file = path.join(root, 'deep.json');
    const text = JSON.stringify(exported).replace(
      '"config":{',
      `"config":{"deep":${'{"a":'.repeat(200_000)}1${'}'.repeat(200_000)},`,
    );
    fs.writeFileSync(file, text);
    const result = cliWithin(20, 'runs', 'import', file, '--db', path.join(root, 'deep.sqlite'));
    expect(result.timedOut).toBe(false);
    expect(result.stderr).toMatch(/nests more than \d+ levels deep/);
    expect(result.stderr).not.toContain('Maximum call stack');
  });

  it('still imports the run as exported, with its model copied into the data folder', () => {
    const result = importEdited('good', () => undefined);
    expect(result.code, result.stderr).toBe(0);
    // Into the run's own folder beside the database it was imported into.
    expect(result.stdout).toContain(`Its model was copied to ${path.join(root, 'runs', exported.run.id, 'model')}`);
  });
});

describe('a model folder is read as plain files inside it, checked against its card (cases 2 and 6)', () => {
  const predict = (dir: string) => cliWithin(20, 'predict', dir, small, '--backend', 'wasm');

  it('refuses a FIFO as model-card.json at once instead of waiting on it, in predict and in an import', () => {
    const dir = modelCopy('fifo');
    fs.rmSync(path.join(dir, 'model-card.json'));
    expect(spawnSync('mkfifo', [path.join(dir, 'model-card.json')]).status).toBe(0);
    const result = predict(dir);
    expect(result.timedOut).toBe(false);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('model-card.json is a FIFO (named pipe), not a plain file');
    const imported = importEdited('fifo-import', (data) => {
      data.run.artifacts = [{ kind: 'model', path: dir, phase: '', epoch: null, createdAt: data.run.createdAt }];
    });
    expect(imported.timedOut).toBe(false);
    expect(imported.stderr).toContain('is a FIFO (named pipe), not a plain file');
  });

  it('refuses weights.bin linked to /dev/zero, and a linked network folder', () => {
    const zero = modelCopy('zero');
    fs.rmSync(path.join(zero, 'late-fusion', 'network', 'weights.bin'));
    fs.symlinkSync('/dev/zero', path.join(zero, 'late-fusion', 'network', 'weights.bin'));
    const linkedWeights = predict(path.join(zero, 'late-fusion'));
    expect(linkedWeights.timedOut).toBe(false);
    expect(linkedWeights.stderr).toContain('weights.bin is a link, not a plain file');
    const linked = modelCopy('linked');
    fs.rmSync(path.join(linked, 'late-fusion', 'network'), { recursive: true });
    fs.symlinkSync(path.join(modelDir, 'late-fusion', 'network'), path.join(linked, 'late-fusion', 'network'));
    expect(predict(path.join(linked, 'late-fusion')).stderr).toContain('leads out of the model folder');
  });

  it('refuses a network path that leaves the model folder', () => {
    const dir = modelCopy('traversal');
    editJson(path.join(dir, 'model-card.json'), (card) => {
      card.networks = [{ path: `../../../${path.basename(root)}/m/late-fusion/network`, modalities: ['a', 'b'] }];
    });
    const result = predict(dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/networks\.0\.path .* is ".*", which is not a path inside the model folder/);
  });

  it.each([
    [
      '2 classes for a 3-class network',
      (card: Record<string, unknown>) => {
        card.classes = ['class-0', 'class-1'];
      },
      /it predicts 3 classes, but the card names 2/,
    ],
    [
      '5 classes for a 3-class network',
      (card: Record<string, unknown>) => {
        card.classes = ['v', 'w', 'x', 'y', 'z'];
      },
      /it predicts 3 classes, but the card names 5/,
    ],
    [
      'no normalization',
      (card: Record<string, unknown>) => {
        (card.modalities as Record<string, unknown>[]).forEach((m) => {
          delete m.normalization;
        });
      },
      /modalities\.0\.normalization Required/,
    ],
    [
      'a short normalization',
      (card: Record<string, unknown>) => {
        const n = (card.modalities as { normalization: { mean: number[] } }[])[0]!.normalization;
        n.mean = n.mean.slice(0, 3);
      },
      /needs a normalization of 16 means and standard deviations; it has 3 and 16/,
    ],
    [
      'an unknown modality',
      (card: Record<string, unknown>) => {
        card.networks = [{ path: 'network', modalities: ['a', 'c'] }];
      },
      /networks\.0 reads modality "c", which the card does not describe/,
    ],
  ])('refuses a card with %s', (name, edit, message) => {
    const dir = modelCopy(`card-${name.replace(/\W+/g, '-')}`);
    editJson(path.join(dir, 'late-fusion', 'model-card.json'), edit);
    const result = predict(path.join(dir, 'late-fusion'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toMatch(/Cannot read properties|-Infinity/);
  });

  it('names a truncated weights.bin', () => {
    const dir = modelCopy('truncated');
    const weights = path.join(dir, 'late-fusion', 'network', 'weights.bin');
    fs.truncateSync(weights, 100);
    const result = predict(path.join(dir, 'late-fusion'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${weights} holds 100 bytes, but its model.json describes weights of`);
  });

  it('still predicts with the folder as saved', () => {
    const result = predict(modelDir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(301);
  });

  it('keeps the web mode answering: a FIFO model card and a bare import fail fast, and the next call is answered', async () => {
    const dir = modelCopy('fifo-web');
    fs.rmSync(path.join(dir, 'model-card.json'));
    expect(spawnSync('mkfifo', [path.join(dir, 'model-card.json')]).status).toBe(0);
    const app = await startServe(path.join(root, 'serve-home'));
    try {
      const call = async (name: string, params: unknown) =>
        (
          await fetch(`${app.origin}/api/call/${name}`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${app.token}` },
            body: JSON.stringify(params),
          })
        ).json() as Promise<{ ok: boolean; error?: { code: string; message: string } }>;
      const started = Date.now();
      expect(await call('model:predict', { modelDir: dir, dir: small })).toMatchObject({
        ok: false,
        error: { code: 'model-files', message: expect.stringContaining('is a FIFO (named pipe), not a plain file') },
      });
      expect(
        await call('runs:import', { data: { format: 'modality-studio-run', version: 2, run: { id: 'abc' } } }),
      ).toMatchObject({
        ok: false,
        error: { code: 'config', message: expect.stringContaining('run.status Required') },
      });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(await call('datasets:list', {})).toMatchObject({ ok: true });
    } finally {
      await app.stop();
    }
  }, 60_000);
});
