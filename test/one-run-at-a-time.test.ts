import { afterAll, describe, expect, it } from 'vitest';
import { tempFolders } from './helpers/dataset-folder';
import { inProcessEngine } from './helpers/in-process-engine';

const folders = tempFolders();
const home = folders.make('one-run-home');
// Two engines on one database: what two processes (two CLIs, or a CLI beside the app) see.
const engine = inProcessEngine(home);
const other = inProcessEngine(home);
afterAll(async () => {
  await engine.close();
  await other.close();
  folders.removeAll();
});

const LONG = { backend: 'wasm', teacherEpochs: 200, patience: 200 } as const;

function settled<T>(promises: Promise<T>[]) {
  return Promise.allSettled(promises).then((results) => ({
    accepted: results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])),
    refused: results.flatMap((r) => (r.status === 'rejected' ? [r.reason as { code: string; message: string }] : [])),
  }));
}

describe('one run at a time, really', () => {
  let cancelledRun = '';

  it('accepts one of two run:start calls made at the same moment; the other is told why', async () => {
    const { accepted, refused } = await settled([
      engine.call('run:start', { dataset: 'synthetic-mixed', config: LONG }),
      engine.call('run:start', { dataset: 'synthetic-mixed', config: LONG }),
    ]);
    expect(accepted).toHaveLength(1);
    expect(refused).toEqual([expect.objectContaining({ code: 'busy' })]);
    const runId = accepted[0]!.runId;
    expect(await engine.call('run:active', {})).toMatchObject({ runId });
    await expect(engine.call('runs:delete', { id: runId })).rejects.toMatchObject({ code: 'busy' });
    // From another process too: the database says it is running.
    await expect(other.call('runs:delete', { id: runId })).rejects.toMatchObject({ code: 'busy' });
    expect(await engine.call('run:cancel', { runId })).toEqual({ cancelled: true, runId });
    await engine.waitFor((m) => m.kind === 'run-ended' && m.runId === runId);
    expect((await engine.call('runs:show', { id: runId })).status).toBe('cancelled');
    expect((await engine.call('runs:list', {})).runs).toHaveLength(1);
    cancelledRun = runId;
  }, 120_000);

  it('lets exactly one of two processes resume the same run; the lease is in the database', async () => {
    [engine, other].forEach((e) => e.messages.splice(0));
    const { accepted, refused } = await settled([
      engine.call('run:resume', { runId: cancelledRun }),
      other.call('run:resume', { runId: cancelledRun }),
    ]);
    expect(accepted).toEqual([{ runId: cancelledRun }]);
    expect(refused).toHaveLength(1);
    expect(refused[0]?.code).toMatch(/^(busy|not-resumable)$/);
    const stored = await engine.call('runs:show', { id: cancelledRun });
    expect(stored.status).toBe('running');
    const owner = (await engine.call('run:active', {})).runId === cancelledRun ? engine : other;
    expect(await owner.call('run:cancel', { runId: cancelledRun })).toEqual({ cancelled: true, runId: cancelledRun });
    await owner.waitFor((m) => m.kind === 'run-ended' && m.runId === cancelledRun && m.status === 'cancelled');
  }, 120_000);

  it('gives the run back as it was when its resume cannot start', async () => {
    await expect(engine.call('run:resume', { runId: cancelledRun, out: home })).rejects.toMatchObject({
      code: 'output',
    });
    const stored = await engine.call('runs:show', { id: cancelledRun });
    expect(stored.status).toBe('cancelled');
    expect(await engine.call('run:active', {})).toEqual({ runId: null, awaitingChoice: false });
  });
});
