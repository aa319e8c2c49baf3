import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav16 } from '../engine/data/formats/wav';
import type { RunSummary, StoredRun } from '../engine/protocol/store';
import { CLI_BIN, cliWith, lastJson, type CliResult } from './helpers/cli';
import { makeTempDir } from './helpers/dataset-folder';
import { startServe } from './helpers/serve';

/**
 * Full disks, Ctrl-C, output that quotes the user's data, divergence,
 * damaged databases, and where a run's files go. Every case ends with one line saying what and where,
 * within seconds, loses nothing, and leaves nothing outside its place.
 */
const root = makeTempDir('hostile-storage');
const home = path.join(root, 'home');
const env = { MODALITY_STUDIO_HOME: home, MODALITY_STUDIO_CACHE: path.join(root, 'cache') };
const cli = cliWith(env);
const small = path.join(root, 'small');
const ONE_EPOCH = ['--epochs', '1', '--teacher-epochs', '1', '--probe-epochs', '1', '--backend', 'wasm'];

/** A small tmpfs of `kb` kilobytes at `dir` (Linux, root: as CI runs); false where mounting is not allowed. */
function mountTmpfs(dir: string, kb: number): boolean {
  fs.mkdirSync(dir, { recursive: true });
  return spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kb}k`, 'tmpfs', dir]).status === 0;
}

/** Fills the disk at `dir` until `leftKb` kilobytes are free; returns the filler file (remove it to free the space). */
function fillDisk(dir: string, leftKb: number): string {
  const filler = path.join(dir, 'filler');
  const free = Number(
    spawnSync('df', ['--output=avail', '-k', dir], { encoding: 'utf8' }).stdout.trim().split('\n').at(-1),
  );
  fs.writeFileSync(filler, Buffer.alloc(Math.max(0, free - leftKb) * 1024));
  return filler;
}

const full = path.join(root, 'full');
const canMount = process.platform === 'linux' && process.getuid?.() === 0 && mountTmpfs(full, 2048);
/** Root can drop to `nobody` for a test that needs a file this user may not write (root writes any). */
const canDropRoot =
  process.platform === 'linux' &&
  process.getuid?.() === 0 &&
  spawnSync('setpriv', [
    '--reuid=65534',
    '--regid=65534',
    '--clear-groups',
    process.execPath,
    '-e',
    `require('fs').accessSync(${JSON.stringify(CLI_BIN)})`,
  ]).status === 0;

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
}, 60_000);
afterAll(() => {
  if (canMount) spawnSync('umount', [full]);
  fs.rmSync(root, { recursive: true, force: true });
});

const runsList = (db: string): RunSummary[] =>
  (JSON.parse(cli('runs', 'list', '--json', '--db', db).stdout) as { runs: RunSummary[] }).runs;
const oneLine = (result: CliResult) =>
  result.stderr
    .trim()
    .split('\n')
    .filter((line) => !/^(run |backend: |.* epoch \d+:|decision: |final model: )/.test(line));

describe.skipIf(!canMount)('a full disk (case 3; needs root to mount a 2 MB tmpfs)', () => {
  it('fails the run with one line naming the database, answers runs list meanwhile, and resumes once there is space', () => {
    const db = path.join(full, 'runs.sqlite');
    expect(cli('runs', 'list', '--db', db).code).toBe(0);
    const filler = fillDisk(full, 150);
    const run = cli('run', small, ...ONE_EPOCH, '--db', db);
    fs.rmSync(filler);
    expect(run.code).toBe(1);
    // Whichever of the run's writes met the full disk first (an epoch's row, a checkpoint beside the database)
    // is named, with the run to resume.
    expect(oneLine(run)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^The (run database ${db} cannot be written: the disk it is on is full \\(SQLITE_FULL\\)\\..* The run is [0-9a-f-]{36}\\.|checkpoint ${full}/runs/[0-9a-f-]{36}/checkpoints/\\S+ could not be written: the disk is full \\(ENOSPC\\)\\..* \\(runs resume [0-9a-f-]{36}\\)\\.)$`,
        ),
      ),
    ]);
    expect(run.stderr).not.toMatch(/SqliteError|at endRun|This is a bug/);
    const [stopped] = runsList(db);
    expect(stopped?.status).toMatch(/failed|interrupted/);
    const resumed = cli('runs', 'resume', stopped!.id, '--db', db);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(runsList(db)[0]?.status).toBe('completed');
  }, 120_000);

  it('keeps the web mode serving: the run fails, the next call is answered, its end is recorded once there is space', async () => {
    const db = path.join(full, 'web.sqlite');
    const app = await startServe(path.join(root, 'serve-home'), { MODALITY_STUDIO_DB: db });
    let filler: string | null = null;
    try {
      await app.call('runs:list', {});
      filler = fillDisk(full, 250);
      const { runId } = await app.call<{ runId: string }>('run:start', {
        dataset: small,
        config: { epochs: 1, teacherEpochs: 1, probeEpochs: 1, backend: 'wasm' },
      });
      for (let waited = 0; waited < 60_000; waited += 250) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        if (!(await app.call<{ runId: string | null }>('run:active', {})).runId) break;
      }
      // While the disk is full, the run list is still read.
      expect((await app.call<{ runs: RunSummary[] }>('runs:list', {})).runs.map((r) => r.id)).toContain(runId);
      fs.rmSync(filler);
      filler = null;
      const run = await app.call<StoredRun>('runs:show', { id: runId });
      expect(run.status).toBe('failed');
      expect(run.error).toMatch(/the disk (it is on )?is full/);
    } finally {
      if (filler) fs.rmSync(filler);
      await app.stop();
    }
  }, 120_000);

  it('names the model folder when it is on the full disk, and the run resumes into another', () => {
    const db = path.join(root, 'model-full.sqlite');
    const out = path.join(full, 'model');
    const filler = fillDisk(full, 20);
    const run = cli('run', small, ...ONE_EPOCH, '--db', db, '--out', out);
    fs.rmSync(filler);
    expect(run.code).toBe(1);
    const [stopped] = runsList(db);
    expect(oneLine(run)).toEqual([
      `The model could not be saved to ${out}: the disk is full (ENOSPC). Nothing is lost: the trained networks are in the run's checkpoints; free space (or choose another folder) and resume the run (runs resume ${stopped!.id}, with --out NEW_FOLDER for another folder) to save it.`,
    ]);
    expect(fs.readdirSync(full).filter((name) => name.includes('partial'))).toEqual([]);
    const resumed = cli('runs', 'resume', stopped!.id, '--db', db, '--out', path.join(root, 'model-elsewhere'));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(fs.existsSync(path.join(root, 'model-elsewhere', 'model-card.json'))).toBe(true);
  }, 120_000);
});

describe('Ctrl-C while the data is prepared (case 4)', () => {
  it('stops at once, exits 130 and records nothing', async () => {
    const clips = path.join(root, 'clips');
    fs.mkdirSync(path.join(clips, 'wav'), { recursive: true });
    const lines = ['id,label,clip,v.a'];
    for (let i = 0; i < 60; i += 1) {
      const samples = Float32Array.from(
        { length: 96_000 * 3 },
        (_, j) => 0.3 * Math.sin((2 * Math.PI * (200 + 20 * i) * j) / 96_000),
      );
      fs.writeFileSync(path.join(clips, 'wav', `${i}.wav`), encodeWav16(samples, 96_000));
      lines.push(`s${i},${i % 2 ? 'hi' : 'lo'},wav/${i}.wav,${i % 7}`);
    }
    fs.writeFileSync(path.join(clips, 'manifest.csv'), `${lines.join('\n')}\n`);
    const db = path.join(root, 'ctrl-c.sqlite');
    const child = spawn(process.execPath, [CLI_BIN, 'run', clips, ...ONE_EPOCH, '--db', db], {
      env: { ...process.env, ...env, MODALITY_STUDIO_CACHE: path.join(root, 'clips-cache') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const signalled = Date.now();
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(Date.now() - signalled).toBeLessThan(5000);
    expect(stderr).toContain('Stopped before the run started; nothing was recorded.');
    expect(runsList(db)).toEqual([]);
  }, 120_000);
});

describe('a diverging run (case 9)', () => {
  it('says at which epoch of which phase the loss stopped being finite, and what to lower', () => {
    // UMT's ×50 distillation overflows at this rate within its first epoch (late fusion's loss grows huge but stays finite).
    const run = cli(
      'run',
      small,
      ...ONE_EPOCH,
      '--lr',
      '10',
      '--optimizer',
      'sgd',
      '--method',
      'umt',
      '--db',
      path.join(root, 'diverge.sqlite'),
    );
    expect(run.code).toBe(2);
    expect(oneLine(run)).toEqual([
      expect.stringMatching(
        /^Training diverged: the (training|validation) loss became (NaN|-?Infinity) at epoch 1 of .+, at learning rate 10\. Lower the learning rate \(--lr; the default is 0\.001\) and run again\.$/,
      ),
    ]);
    expect(run.stderr).not.toContain('constraint');
  }, 60_000);
});

describe('damaged and read-only run databases (case 11)', () => {
  it('names a truncated database and how to recover, in the CLI and in web mode, and the server answers on', async () => {
    const db = path.join(root, 'truncated', 'runs.sqlite');
    expect(cli('run', small, ...ONE_EPOCH, '--db', db).code).toBe(0);
    fs.truncateSync(db, Math.floor(fs.statSync(db).size / 2));
    const listed = cli('runs', 'list', '--db', db);
    expect(listed.code).toBe(1);
    expect(listed.stderr.trim()).toMatch(
      new RegExp(
        `^The run database ${db} is damaged \\(SQLITE_CORRUPT: database disk image is malformed\\) and cannot be read\\. Move it aside`,
      ),
    );
    const app = await startServe(path.join(root, 'serve-damaged'), { MODALITY_STUDIO_DB: db });
    try {
      const answer = async (name: string) =>
        (
          await fetch(`${app.origin}/api/call/${name}`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${app.token}` },
            body: '{}',
          })
        ).json() as Promise<{ ok: boolean; error?: { code: string; message: string } }>;
      expect(await answer('runs:list')).toMatchObject({
        ok: false,
        error: { code: 'database', message: expect.stringContaining('is damaged') },
      });
      expect(await answer('datasets:list')).toMatchObject({ ok: true });
    } finally {
      await app.stop();
    }
  }, 120_000);

  it.skipIf(!canDropRoot)(
    'names a database that this user may read but not write, and leaves no folder behind',
    () => {
      const dir = path.join(root, 'readonly');
      const db = path.join(dir, 'runs.sqlite');
      expect(cli('runs', 'list', '--db', db).code).toBe(0);
      fs.chmodSync(db, 0o444);
      fs.chmodSync(dir, 0o777);
      fs.chmodSync(root, 0o755); // made by mkdtemp, 0700
      // As an unprivileged user (root writes read-only files anyway): the folder is writable, the database not.
      const asNobody = (...args: string[]) =>
        spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI_BIN, ...args], {
          encoding: 'utf8',
          env: {
            ...process.env,
            HOME: dir,
            MODALITY_STUDIO_HOME: path.join(dir, 'home'),
            MODALITY_STUDIO_CACHE: path.join(dir, 'cache'),
          },
        });
      expect(asNobody('runs', 'list', '--db', db).status).toBe(0);
      const run = asNobody('run', small, ...ONE_EPOCH, '--db', db);
      expect(run.status).toBe(1);
      expect(run.stderr.trim()).toMatch(
        new RegExp(
          `^The run database ${db} cannot be written \\(SQLITE_READONLY: attempt to write a readonly database\\): the file or its folder is read-only for this user\\.`,
        ),
      );
      expect(fs.existsSync(path.join(dir, 'runs'))).toBe(false);
    },
    60_000,
  );

  it('rebuilds a damaged cache instead of failing', () => {
    const cache = path.join(root, 'damaged-cache');
    const validate = () => cliWith({ ...env, MODALITY_STUDIO_CACHE: cache })('validate', small);
    expect(validate().code).toBe(0);
    const [key] = fs.readdirSync(path.join(cache, 'datasets'));
    const metaFile = path.join(cache, 'datasets', key!, 'meta.json');
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as { modalities: { shape: number[] }[] };
    meta.modalities[0]!.shape = [16_000_000];
    fs.writeFileSync(metaFile, JSON.stringify(meta));
    const again = validate();
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(metaFile, 'utf8')).modalities[0].shape).toEqual([16]);
  }, 60_000);
});

describe('where a run keeps its files (case 12)', () => {
  it('keeps checkpoints beside the database, resumes into the folder chosen at the start, and runs delete removes the checkpoints', async () => {
    const dir = path.join(root, 'own-place');
    const db = path.join(dir, 'runs.sqlite');
    const out = path.join(root, 'chosen-out');
    // A partial model folder left by a process killed mid-save (its pid is gone) is removed by the next save.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const stale = path.join(root, `.chosen-out.partial-${dead}-abc123`);
    fs.mkdirSync(stale);
    fs.writeFileSync(path.join(stale, 'weights.bin'), Buffer.alloc(1024));
    const child = spawn(
      process.execPath,
      [
        CLI_BIN,
        'run',
        small,
        '--epochs',
        '1',
        '--teacher-epochs',
        '4000',
        '--patience',
        '4000',
        '--probe-epochs',
        '1',
        '--backend',
        'wasm',
        '--db',
        db,
        '--out',
        out,
      ],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    for (let waited = 0; waited < 60_000 && (stderr.match(/ epoch \d+:/g) ?? []).length < 3; waited += 100)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const [running] = runsList(db);
    expect(cli('runs', 'cancel', running!.id, '--db', db).code).toBe(0);
    await exited;
    const checkpoints = path.join(dir, 'runs', running!.id, 'checkpoints');
    expect(fs.readdirSync(checkpoints).length).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(home, 'runs', running!.id))).toBe(false);
    // Resumed without --out: the model goes where the run was told to put it when it started.
    const finish = spawnSync(
      process.execPath,
      [
        '-e',
        `
      const db = require('better-sqlite3')(${JSON.stringify(db)});
      db.prepare("UPDATE runs SET config_json = json_set(config_json, '$.teacherEpochs', 1) WHERE id = ?").run(${JSON.stringify(running!.id)});`,
      ],
      { cwd: path.resolve(__dirname, '..') },
    );
    expect(finish.status, String(finish.stderr)).toBe(0);
    const resumed = cli('runs', 'resume', running!.id, '--db', db);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`Model saved to ${out}`);
    expect(fs.existsSync(path.join(out, 'model-card.json'))).toBe(true);
    expect(fs.existsSync(stale)).toBe(false);
    expect(cli('runs', 'delete', running!.id, '--db', db).code).toBe(0);
    expect(fs.existsSync(checkpoints)).toBe(false);
    expect(fs.existsSync(path.join(out, 'model-card.json'))).toBe(true);
  }, 180_000);

  it('says in run --help where checkpoints go', () => {
    expect(cli('run', '--help').stdout.replace(/\s+/g, ' ')).toContain(
      "each run's checkpoints (what runs resume continues from) go to runs/RUN_ID/checkpoints beside it, and runs delete removes them",
    );
  });
});

describe("output that quotes the user's data (case 8)", () => {
  it('quotes and defuses CSV fields, and keeps escape sequences and line breaks off the terminal', () => {
    const dir = path.join(root, 'odd-names');
    fs.mkdirSync(dir);
    const source = fs.readFileSync(path.join(small, 'manifest.csv'), 'utf8').trim().split('\n');
    const [header, ...rows] = source;
    // Modality a becomes "=cmd|' /C calc'!A0", modality b "x,y""z" (a quoted header with a comma and a quote).
    const renamed = header!
      .split(',')
      .map((c) =>
        c.startsWith('a.') ? `=cmd|' /C calc'!A0.${c.slice(2)}` : c.startsWith('b.') ? `"x,y""z.${c.slice(2)}"` : c,
      )
      .join(',');
    const labelled = rows.map((row) =>
      row.replace(
        /^(s\d+),class-(\d)/,
        (_, id: string, k: string) =>
          `${id},${k === '0' ? '"\u001b]0;TITLE\u0007zero"' : k === '1' ? '"one\nline"' : '\u001b[2Jtwo'}`,
      ),
    );
    fs.writeFileSync(path.join(dir, 'manifest.csv'), `${[renamed, ...labelled].join('\n')}\n`);
    const validated = cli('validate', dir);
    expect(validated.code, validated.stdout).toBe(0);
    expect(validated.stdout).not.toMatch(/\u001b/);
    expect(validated.stdout).toContain('\\u001b]0;TITLE\\u0007zero');
    const db = path.join(root, 'odd.sqlite');
    const out = path.join(root, 'odd-model');
    const run = cli('run', dir, ...ONE_EPOCH, '--db', db, '--out', out, '--json');
    expect(run.code, run.stderr).toBe(0);
    const { runId } = lastJson<{ runId: string }>(run.stdout);
    const csv = cli('runs', 'export', runId, '--csv', '--db', db).stdout.trim().split('\n');
    const fields = (line: string) => [...line.matchAll(/("([^"]|"")*"|[^,]*)(,|$)/g)].map((m) => m[1]!).slice(0, -1);
    expect(
      csv.every((line) => fields(line).length === 12),
      csv.join('\n'),
    ).toBe(true);
    expect(csv.some((line) => fields(line)[2] === "'=cmd|' /C calc'!A0")).toBe(true);
    expect(csv.some((line) => fields(line)[2] === '"x,y""z"')).toBe(true);
    const predicted = cli('predict', out, dir, '--backend', 'wasm');
    expect(predicted.stdout).not.toMatch(/\u001b/);
    expect(predicted.stdout.trim().split('\n')).toHaveLength(rows.length + 1);
    expect(predicted.stdout).toContain('(labelled one\\u000aline)');
  }, 120_000);
});
