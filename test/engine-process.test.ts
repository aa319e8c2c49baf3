import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineClient } from '../engine/process/engine-client';
import type { EngineMessage } from '../engine/protocol/engine';
import { tempFolders, vectorManifest, writeFiles } from './helpers/dataset-folder';

const folders = tempFolders();
const home = folders.make('engine-home');
let engine: EngineClient;
const messages: Extract<EngineMessage, { kind: 'run-event' | 'run-ended' }>[] = [];

beforeAll(() => {
  engine = EngineClient.start({
    MODALITY_STUDIO_HOME: home,
    MODALITY_STUDIO_CACHE: path.join(home, 'cache'),
    MODALITY_STUDIO_DB: path.join(home, 'runs.sqlite'),
  });
  engine.onRunMessage((m) => {
    if (m.kind !== 'dataset-progress') messages.push(m);
  });
});
afterAll(async () => {
  await engine.close();
  folders.removeAll();
});

function ended(runId: string): Promise<Extract<EngineMessage, { kind: 'run-ended' }>> {
  return new Promise((resolve) => {
    const check = () => {
      const found = messages.find(
        (m): m is Extract<EngineMessage, { kind: 'run-ended' }> => m.kind === 'run-ended' && m.runId === runId,
      );
      if (found) resolve(found);
      else setTimeout(check, 50);
    };
    check();
  });
}

describe('the engine in its own process, over the typed protocol', () => {
  it('validates a dataset folder and reports its problems as data', async () => {
    const dir = folders.make('engine-ds');
    writeFiles(dir, { 'manifest.csv': vectorManifest(12).replace('s2,cat,train,2,', 's2,cat,train,x,') });
    const report = await engine.call('dataset:validate', { dir });
    expect(report.ok).toBe(false);
    expect(report.errors[0]).toMatchObject({ code: 'non-numeric', sampleId: 's2' });
  });

  it('answers dataset:validate and run:start on a folder whose manifest is a named pipe, instead of hanging', async () => {
    const dir = folders.make('engine-fifo');
    execFileSync('mkfifo', [path.join(dir, 'manifest.csv')]);
    const report = await engine.call('dataset:validate', { dir });
    expect(report.errors[0]).toMatchObject({ code: 'unreadable-file', file: 'manifest.csv' });
    await expect(engine.call('run:start', { dataset: dir })).rejects.toMatchObject({
      code: 'dataset',
      message: expect.stringContaining('named pipe'),
    });
    // Nothing is left waiting: the engine answers the next call at once.
    expect(await engine.call('run:active', {})).toEqual({ runId: null, awaitingChoice: false });
  }, 30_000);

  it('runs a training run, streaming its events, and records it in the store', async () => {
    const { runId } = await engine.call('run:start', {
      dataset: 'synthetic-unimodal',
      config: { backend: 'wasm', epochs: 2, teacherEpochs: 2, probeEpochs: 2 },
    });
    await expect(engine.call('run:start', { dataset: 'synthetic-unimodal' })).rejects.toMatchObject({ code: 'busy' });
    const end = await ended(runId);
    expect(end.status).toBe('completed');
    const events = messages
      .filter((m) => m.kind === 'run-event' && m.runId === runId)
      .map((m) => (m.kind === 'run-event' ? m.event.type : ''));
    expect(events).toEqual(
      expect.arrayContaining([
        'started',
        'phase-started',
        'batch',
        'epoch',
        'decision',
        'evaluation',
        'phase-finished',
      ]),
    );
    const { runs } = await engine.call('runs:list', {});
    const run = await engine.call('runs:show', { id: runId });
    expect(runs.find((r) => r.id === runId)).toMatchObject({
      status: 'completed',
      method: run.finalChoice?.method,
      dataset: 'synthetic-unimodal',
    });
    expect(events).toContain('final');
    expect(run.phases.filter((p) => p.name === 'teacher').map((p) => p.epochs.length)).toEqual([2, 2]);
  }, 120_000);

  it('cancels the active run at a batch boundary', async () => {
    const { runId } = await engine.call('run:start', {
      dataset: 'synthetic-mixed',
      config: { backend: 'wasm', teacherEpochs: 500, patience: 500 },
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await engine.call('run:cancel', { runId })).toEqual({ cancelled: true, runId });
    expect(await ended(runId)).toMatchObject({
      status: 'cancelled',
      error: { code: 'aborted', message: 'The run was cancelled.' },
    });
    expect((await engine.call('runs:show', { id: runId })).status).toBe('cancelled');
  }, 120_000);

  it('answers bad requests with typed errors instead of crashing', async () => {
    await expect(
      engine.call('run:start', { dataset: 'synthetic-unimodal', config: { epochs: 0 } }),
    ).rejects.toMatchObject({ code: 'config', message: expect.stringContaining('"epochs"') });
    await expect(engine.call('runs:show', { id: 'no-such-run' })).rejects.toMatchObject({ code: 'not-found' });
    await expect(engine.call('runs:show', { id: 42 } as unknown as { id: string })).rejects.toMatchObject({
      code: 'bad-request',
    });
    await expect(
      engine.sendRaw({ kind: 'request', id: 9999, call: 'fs:delete', params: {} }, 9999),
    ).rejects.toMatchObject({ code: 'bad-request', message: expect.stringContaining('Unknown call') });
    expect(fs.existsSync(path.join(home, 'runs.sqlite'))).toBe(true);
  });
});
