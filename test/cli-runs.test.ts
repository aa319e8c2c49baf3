import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunSummary, StoredRun } from '../engine/protocol/store';
import { CLI_BIN, cliWith, lastJson } from './helpers/cli';
import { makeTempDir } from './helpers/dataset-folder';

const cacheDir = makeTempDir('runs-cache');
const home = makeTempDir('runs-home');
afterAll(() => [cacheDir, home].forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
const env = { ...process.env, MODALITY_STUDIO_CACHE: cacheDir, MODALITY_STUDIO_HOME: home };

const cli = cliWith(env);

function runsList(db: string): RunSummary[] {
  return (JSON.parse(cli('runs', 'list', '--json', '--db', db).stdout) as { runs: RunSummary[] }).runs;
}

/** True while `pid` exists and is not a zombie (Linux: the state field of /proc/PID/stat). */
function processRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

/** Starts a long run in the background and resolves once it has recorded `epochs` epochs. */
async function startLongRun(db: string, epochs: number, args = ['--teacher-epochs', '200', '--patience', '200']) {
  // Its own process group, so that a test can kill the CLI and its engine process together (a power loss).
  const child = spawn(process.execPath, [CLI_BIN, 'run', 'synthetic-mixed', '--db', db, '--backend', 'wasm', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (let waited = 0; waited < 120_000; waited += 200) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    if ((stderr.match(/ epoch \d+:/g) ?? []).length >= epochs) break;
  }
  return { child, exited, stderr: () => stderr };
}

describe('runs in the store, through the CLI', () => {
  it('cancels a running run at a batch boundary and keeps it, marked cancelled', async () => {
    const db = path.join(home, 'cancel.sqlite');
    const { exited } = await startLongRun(db, 2);
    const [running] = runsList(db);
    expect(running?.status).toBe('running');
    // The CLI goes through the engine's calls, so its rules are the app's: a running run cannot be deleted.
    const deleting = cli('runs', 'delete', running!.id, '--db', db);
    expect(deleting.code).toBe(1);
    expect(deleting.stderr).toContain('is running; cancel it before deleting it');
    const cancel = cli('runs', 'cancel', running!.id.slice(0, 8), '--db', db);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toContain('is cancelled');
    expect(await exited).toBe(1);
    const run = JSON.parse(cli('runs', 'show', running!.id, '--json', '--db', db).stdout) as StoredRun;
    expect(run.status).toBe('cancelled');
    expect(run.phases[0]!.epochs.length).toBeGreaterThanOrEqual(2);
    expect(cli('runs', 'cancel', running!.id, '--db', db).stderr).toContain('only a running run can be cancelled');
  }, 180_000);

  it('keeps a run killed with SIGKILL mid-epoch, intact and interrupted, and resume finishes it with the numbers of an unbroken run', async () => {
    const db = path.join(home, 'kill.sqlite');
    const args = [
      '--teacher-epochs',
      '6',
      '--epochs',
      '3',
      '--probe-epochs',
      '3',
      '--patience',
      '10',
      '--seed',
      '4',
      '--method',
      'umt',
    ];
    const { child, exited } = await startLongRun(db, 3, args);
    const reader = new Database(db, { readonly: true });
    const { pid: enginePid } = reader.prepare("SELECT pid FROM runs WHERE status = 'running'").get() as { pid: number };
    reader.close();
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
    // The engine process dies with the CLI (it may linger as a zombie until reaped, which still answers
    // kill(pid, 0)); once it is no longer running, opening the store marks the run, without waiting longer.
    for (let waited = 0; processRunning(enginePid) && waited < 10_000; waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const [run] = runsList(db);
    expect(run?.status).toBe('interrupted');
    const shown = JSON.parse(cli('runs', 'show', run!.id, '--json', '--db', db).stdout) as StoredRun;
    expect(shown.phases[0]!.epochs.length).toBeGreaterThanOrEqual(3);
    expect(shown.error).toContain('runs resume');
    const check = new Database(db, { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();

    const resumed = cli('runs', 'resume', run!.id.slice(0, 8), '--db', db, '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('Resuming run');
    const finished = JSON.parse(cli('runs', 'show', run!.id, '--json', '--db', db).stdout) as StoredRun;
    expect(finished.status).toBe('completed');
    expect(finished.phases.find((p) => p.name === 'teacher' && p.modality === 'a')!.epochs.map((e) => e.epoch)).toEqual(
      [1, 2, 3, 4, 5, 6],
    );

    const unbroken = cli(
      'run',
      'synthetic-mixed',
      '--db',
      path.join(home, 'unbroken.sqlite'),
      '--backend',
      'wasm',
      '--json',
      ...args,
    );
    expect(unbroken.code, unbroken.stderr).toBe(0);
    const expected = lastJson<{ test: unknown; decision: unknown; laziness: unknown }>(unbroken.stdout);
    const actual = lastJson<typeof expected>(resumed.stdout);
    expect(actual.test).toEqual(expected.test);
    expect(actual.decision).toEqual(expected.decision);
    expect(actual.laziness).toEqual(expected.laziness);
    expect(cli('runs', 'resume', run!.id, '--db', db).stderr).toContain(
      'only an interrupted, cancelled or failed run can be resumed',
    );
  }, 240_000);

  it('records a completed run that list, show, tag, export, import and delete all see', () => {
    const db = path.join(home, 'complete.sqlite');
    const run = cli(
      'run',
      'synthetic-unimodal',
      '--db',
      db,
      '--backend',
      'wasm',
      '--epochs',
      '2',
      '--teacher-epochs',
      '2',
      '--probe-epochs',
      '2',
      '--json',
    );
    expect(run.code, run.stderr).toBe(0);
    const { runId, final } = lastJson<{ runId: string; final: { method: string } }>(run.stdout);
    expect(runsList(db)).toMatchObject([
      { id: runId, dataset: 'synthetic-unimodal', status: 'completed', method: final.method },
    ]);
    expect(cli('runs', 'tag', runId, 'baseline', '--db', db).code).toBe(0);
    expect(cli('runs', 'note', runId, 'first try with the defaults', '--db', db).code).toBe(0);
    expect(cli('runs', 'show', runId, '--db', db).stdout).toContain('note      first try with the defaults');
    const exported = cli('runs', 'export', runId, '--db', db);
    const file = path.join(home, 'export.json');
    fs.writeFileSync(file, exported.stdout);
    // Imported by another installation (its own data folder and database), as on a laptop after training on a server.
    const otherHome = path.join(home, 'other-home');
    const other = path.join(otherHome, 'runs.sqlite');
    const otherCli = cliWith({ ...env, MODALITY_STUDIO_HOME: otherHome });
    const imported = otherCli('runs', 'import', file, '--db', other);
    expect(imported.stdout).toContain(`Imported run ${runId}`);
    // The model folder is copied into the run's folder beside that database; the checkpoints stay where they were trained.
    const original = JSON.parse(exported.stdout).run as StoredRun;
    const copiedModel = path.join(otherHome, 'runs', runId, 'model');
    expect(imported.stderr).toContain('Not imported: checkpoint');
    const copy = JSON.parse(cli('runs', 'show', runId, '--json', '--db', other).stdout) as StoredRun;
    const originalModel = original.artifacts.find((a) => a.kind === 'model')!.path;
    // Each candidate's folder is found again inside the copy.
    const candidates = original.candidates.map((c) => ({
      ...c,
      modelPath: c.modelPath && path.join(copiedModel, path.relative(originalModel, c.modelPath)),
    }));
    expect(candidates.every((c) => c.modelPath && fs.existsSync(path.join(c.modelPath, 'model-card.json')))).toBe(true);
    expect(copy).toEqual({
      ...original,
      candidates,
      artifacts: original.artifacts.filter((a) => a.kind === 'model').map((a) => ({ ...a, path: copiedModel })),
    });
    expect(fs.readFileSync(path.join(copiedModel, 'model-card.json'), 'utf8')).toBe(
      fs.readFileSync(path.join(original.artifacts.find((a) => a.kind === 'model')!.path, 'model-card.json'), 'utf8'),
    );

    // An edited export cannot make the app hold (and later export) an arbitrary folder.
    const secret = path.join(home, 'secret');
    fs.mkdirSync(secret);
    fs.writeFileSync(path.join(secret, 'id_rsa'), 'PRIVATE');
    const edited = {
      ...JSON.parse(exported.stdout),
      run: { ...original, id: 'edited', artifacts: [{ ...original.artifacts[0]!, kind: 'model', path: secret }] },
    };
    fs.writeFileSync(file, JSON.stringify(edited));
    const refused = otherCli('runs', 'import', file, '--db', other);
    expect(refused.stderr).toContain(`Not imported: model ${secret}`);
    expect((JSON.parse(cli('runs', 'show', 'edited', '--json', '--db', other).stdout) as StoredRun).artifacts).toEqual(
      [],
    );
    expect(copy.tags).toEqual(['baseline']);
    expect(copy.note).toBe('first try with the defaults');
    expect(cli('runs', 'export', runId, '--csv', '--db', db).stdout.split('\n')[0]).toBe(
      'seed,phase,modality,model,epoch,train_loss,train_extra_loss,train_accuracy,val_loss,val_accuracy,learning_rate,duration_ms',
    );
    expect(cli('runs', 'delete', runId, '--db', db).code).toBe(0);
    expect(runsList(db)).toEqual([]);
    expect(cli('runs', 'show', runId, '--db', db).code).toBe(1);
  }, 120_000);
});
