import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import {
  constantFeaturesManifest,
  manifestWithBrokenRows,
  png,
  sineWav,
  tempFolders,
  vectorManifest,
  writeFiles,
} from './helpers/dataset-folder';
import { inProcessEngine } from './helpers/in-process-engine';

const folders = tempFolders();
const engine = inProcessEngine(folders.make('wizard-home'));
afterAll(async () => {
  await engine.close();
  folders.removeAll();
});

const QUICK = { backend: 'wasm', epochs: 2, teacherEpochs: 2, probeEpochs: 2 } as const;

async function mixedFolder(): Promise<string> {
  const dir = folders.make('preview-ds');
  const lines = ['id,label,photo,sound,size.w,size.h'];
  const files: Record<string, string | Uint8Array> = {};
  // 6 samples a class: the automatic 70/10/20 split gives each class 4, 1 and 1 (fewer would leave val empty).
  for (let i = 0; i < 18; i += 1) {
    const label = ['red', 'green', 'blue'][i % 3] ?? 'red';
    files[`img/${i}.png`] = await png(6, 10, 3, i);
    files[`wav/${i}.wav`] = sineWav(0.5, 16_000, 200 + 100 * (i % 3));
    lines.push(`s${i},${label},img/${i}.png,wav/${i}.wav,${i % 12},${10 + (i % 2)}`);
  }
  writeFiles(dir, { ...files, 'manifest.csv': `${lines.join('\n')}\n` });
  return dir;
}

describe('the calls behind the wizard and the run browser', () => {
  it('lists the built-in datasets', async () => {
    const { datasets } = await engine.call('datasets:list', {});
    expect(datasets.map((d) => d.name)).toEqual(expect.arrayContaining(['synthetic-mixed', 'mnist-halves']));
    expect(datasets.every((d) => d.description.length > 10)).toBe(true);
  });

  it('reports how far the preparation of a dataset has got, phase by phase, for the UI to show', async () => {
    const dir = await mixedFolder();
    engine.messages.splice(0);
    await engine.call('dataset:validate', { dir });
    const progress = engine.messages.flatMap((m) =>
      m.kind === 'dataset-progress' && m.dir === dir ? [m.progress] : [],
    );
    expect(progress.at(-1)).toEqual({ phase: 'decoding', done: 18, total: 18 });
    expect(progress.some((p) => p.phase === 'checking' && p.done === 18)).toBe(true);
  });

  it('previews images as thumbnails, audio as spectrograms and vectors as statistics in their own units', async () => {
    const preview = await engine.call('dataset:preview', { dir: await mixedFolder() });
    const [photo, sound, size] = preview.modalities;
    expect([...new Set(photo?.pictures.map((p) => p.label))]).toEqual(['blue', 'green', 'red']);
    const thumbnail = await sharp(Buffer.from(photo?.pictures[0]?.dataUrl.split(',')[1] ?? '', 'base64')).metadata();
    expect([thumbnail.format, thumbnail.width, thumbnail.height]).toEqual(['png', 110, 66]);
    expect(sound?.kind).toBe('audio');
    // Three samples of each of the three classes, class by class; audio with its own file to play.
    expect(sound?.pictures.length).toBe(9);
    expect(sound?.pictures.map((p) => p.label)).toEqual([
      'blue',
      'blue',
      'blue',
      'green',
      'green',
      'green',
      'red',
      'red',
      'red',
    ]);
    expect(sound?.pictures.every((p) => p.audioUrl?.startsWith('data:audio/wav;base64,UklGR'))).toBe(true);
    expect(photo?.classesShown).toEqual({ shown: 3, total: 3 });
    expect(size?.stats?.features).toBe(2);
    // Vectors by their column names; nothing constant here.
    expect(size?.stats?.shown.map((f) => f.name)).toEqual(['size.w', 'size.h']);
    expect([size?.stats?.constant, size?.stats?.nearConstant]).toEqual([[], []]);
    // The training split's raw values, whichever samples the stratified split put there.
    const trainWidths = size?.stats?.shown[0];
    expect(trainWidths?.min).toBeGreaterThan(-1e-4);
    expect(trainWidths?.max).toBeLessThan(11 + 1e-4);
    expect(size?.stats?.shown[1]?.min).toBeCloseTo(10, 4);
    expect(size?.stats?.shown[1]?.max).toBeCloseTo(11, 4);
  });

  it('flags constant and near-constant vector features, and lists them first', async () => {
    const dir = folders.make('constant-ds');
    writeFiles(dir, { 'manifest.csv': constantFeaturesManifest() });
    const preview = await engine.call('dataset:preview', { dir });
    const left = preview.modalities.find((m) => m.name === 'left')?.stats;
    expect(left?.constant).toEqual(['left.flat']);
    expect(left?.nearConstant).toEqual(['left.rare']);
    expect(left?.shown.map((f) => f.name)).toEqual(['left.flat', 'left.rare', 'left.a']);
    expect(left?.shown[0]).toMatchObject({ constant: true, std: 0, mean: 5, topShare: 1 });
    expect(preview.modalities.find((m) => m.name === 'right')?.stats?.constant).toEqual([]);
  });

  it('leaves out the few broken samples the user chooses, records them with the run and why, and writes nothing into the folder', async () => {
    const dir = folders.make('broken-rows');
    writeFiles(dir, { 'manifest.csv': manifestWithBrokenRows() });
    const before = fs.readdirSync(dir);
    const refused = await engine.call('dataset:validate', { dir });
    expect(refused.ok).toBe(false);
    expect([...(refused.failingSamples ?? [])].sort()).toEqual(['s20', 's41', 's5']);
    expect(refused.unattributedErrors).toBe(0);
    const exclude = refused.failingSamples ?? [];
    const kept = await engine.call('dataset:validate', { dir, exclude });
    expect(kept.ok).toBe(true);
    expect(kept.samples).toBe(57);
    expect(kept.leftOut?.map((s) => s.sampleId)).toEqual(['s20', 's41', 's5']);
    expect(kept.leftOut?.find((s) => s.sampleId === 's5')?.reason).toContain('left.a');
    const { runId } = await engine.call('run:start', {
      dataset: dir,
      config: { ...QUICK, method: 'ume', teacherEpochs: 60, patience: 60, minEpochs: 60 },
      exclude,
    });
    // Interrupted and resumed: the resume leaves out the same samples (else the data's fingerprint would differ).
    await engine.waitFor((m) => m.kind === 'run-event' && m.runId === runId && m.event.type === 'epoch');
    await engine.call('run:cancel', { runId });
    await engine.waitFor((m) => m.kind === 'run-ended' && m.runId === runId);
    engine.messages.splice(0);
    await engine.call('run:resume', { runId });
    await expect(engine.waitFor((m) => m.kind === 'run-ended' && m.runId === runId)).resolves.toMatchObject({
      status: 'completed',
    });
    const stored = await engine.call('runs:show', { id: runId });
    expect(stored.leftOut.map((s) => s.sampleId)).toEqual(['s20', 's41', 's5']);
    expect(stored.dataset.splits.train + stored.dataset.splits.val + stored.dataset.splits.test).toBe(57);
    expect(fs.readdirSync(dir)).toEqual(before);
  }, 120_000);

  it('refuses to preview a broken dataset, naming its first problem', async () => {
    const dir = folders.make('broken-ds');
    writeFiles(dir, { 'manifest.csv': vectorManifest(12).replace('s2,cat,train,2,', 's2,cat,train,x,') });
    await expect(engine.call('dataset:preview', { dir })).rejects.toMatchObject({
      code: 'dataset',
      message: expect.stringContaining('s2'),
    });
  });

  it("estimates a run's time before it starts: a few timed steps of each teacher and of the fused network on this data", async () => {
    const estimate = await engine.call('run:estimate', {
      dataset: 'synthetic-mixed',
      config: { backend: 'wasm', batchSize: 50 },
    });
    const report = await engine.call('dataset:validate', { dir: 'synthetic-mixed' });
    expect(estimate.backend).toBe('wasm');
    expect(estimate.trainSamples).toBe(report.splits.train);
    expect(estimate.batchesPerEpoch).toBe(Math.ceil(report.splits.train / 50));
    expect(Object.keys(estimate.teacherStepMs)).toEqual(['a', 'b']);
    Object.values(estimate.teacherStepMs).forEach((ms) => expect(ms).toBeGreaterThan(0));
    expect(estimate.fusedStepMs).toBeGreaterThan(0);
    await expect(
      engine.call('run:estimate', { dataset: 'synthetic-mixed', config: { epochs: 0 } }),
    ).rejects.toMatchObject({ code: 'config' });
  }, 60_000);

  it('waits at the decision for the user, and records an override as such', async () => {
    const { runId } = await engine.call('run:start', {
      dataset: 'synthetic-unimodal',
      config: QUICK,
      confirmDecision: true,
    });
    const first = await engine.waitFor(
      (m) => m.kind === 'run-event' && m.runId === runId && m.event.type === 'decision',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await engine.call('run:active', {})).toEqual({ runId, awaitingChoice: true });
    const fusionStarted = engine.messages.some(
      (m) =>
        m.kind === 'run-event' &&
        m.runId === runId &&
        m.event.type === 'phase-started' &&
        m.event.phase === 'late-fusion',
    );
    expect(fusionStarted).toBe(false);
    const trick = first.kind === 'run-event' && first.event.type === 'decision' ? first.event.decision.method : 'ume';
    const other = trick === 'umt' ? 'ume' : 'umt';
    // The user takes a while: the run's duration includes it, its training time does not.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(await engine.call('run:choose', { runId, method: other })).toEqual({ accepted: true });
    const end = await engine.waitFor((m) => m.kind === 'run-ended' && m.runId === runId);
    expect(end).toMatchObject({ status: 'completed', result: { decision: { method: other, overridden: true } } });
    const stored = await engine.call('runs:show', { id: runId });
    expect(stored.decision).toMatchObject({ method: other, overridden: true });
    expect(stored.config.method).toBe(other);
    expect(stored.waitingMs).toBeGreaterThanOrEqual(1400);
    expect(stored.durationMs! - stored.waitingMs).toBeGreaterThan(0);
    expect((await engine.call('runs:list', {})).runs.find((r) => r.id === runId)?.waitingMs).toBe(stored.waitingMs);
    expect(await engine.call('run:choose', { runId, method: trick })).toEqual({ accepted: false });
  }, 120_000);

  it('asks again at the decision when the app resumes a run stopped before the user answered, and not after an answer', async () => {
    const { runId } = await engine.call('run:start', {
      dataset: 'synthetic-unimodal',
      config: QUICK,
      confirmDecision: true,
    });
    await expect.poll(async () => (await engine.call('run:active', {})).awaitingChoice, { timeout: 60_000 }).toBe(true);
    await engine.call('run:cancel', { runId });
    await engine.waitFor((m) => m.kind === 'run-ended' && m.runId === runId && m.status === 'cancelled');
    // Resumed from the app: the teachers come from their checkpoints, and the run waits for the user again.
    await engine.call('run:resume', { runId, confirmDecision: true });
    await expect
      .poll(async () => engine.call('run:active', {}), { timeout: 60_000 })
      .toEqual({ runId, awaitingChoice: true });
    const decided = engine.messages
      .filter((m) => m.kind === 'run-event' && m.runId === runId && m.event.type === 'decision')
      .at(-1);
    const trick =
      decided?.kind === 'run-event' && decided.event.type === 'decision' ? decided.event.decision.method : 'ume';
    engine.messages.splice(0);
    await engine.call('run:choose', { runId, method: trick });
    // Answered: stopped and resumed again, it goes on without asking.
    await engine.call('run:cancel', { runId });
    const stopped = await engine.waitFor((m) => m.kind === 'run-ended' && m.runId === runId);
    if (stopped.kind === 'run-ended' && stopped.status === 'cancelled') {
      engine.messages.splice(0);
      await engine.call('run:resume', { runId, confirmDecision: true });
      const end = await engine.waitFor((m) => m.kind === 'run-ended' && m.runId === runId);
      expect(end).toMatchObject({ status: 'completed' });
      expect(
        engine.messages.some((m) => m.kind === 'run-event' && m.runId === runId && m.event.type === 'decision'),
      ).toBe(true);
    }
    await expect.poll(async () => (await engine.call('run:active', {})).runId).toBeNull();
    expect((await engine.call('runs:show', { id: runId })).status).toBe('completed');
  }, 180_000);

  it("keeps a run that follows the trick's advice on auto, so a re-run asks the trick again", async () => {
    const { runId } = await engine.call('run:start', {
      dataset: 'synthetic-unimodal',
      config: QUICK,
      confirmDecision: true,
    });
    const decided = await engine.waitFor(
      (m) => m.kind === 'run-event' && m.runId === runId && m.event.type === 'decision',
    );
    const trick =
      decided.kind === 'run-event' && decided.event.type === 'decision' ? decided.event.decision.method : 'ume';
    await expect.poll(async () => (await engine.call('run:active', {})).awaitingChoice).toBe(true);
    await engine.call('run:choose', { runId, method: trick });
    await engine.waitFor((m) => m.kind === 'run-ended' && m.runId === runId);
    const stored = await engine.call('runs:show', { id: runId });
    expect([stored.config.method, stored.decision?.overridden]).toEqual(['auto', false]);
  }, 120_000);

  it('tags, exports (records and model files) and deletes a run', async () => {
    const { runs } = await engine.call('runs:list', {});
    const id = runs[0]?.id ?? '';
    expect(await engine.call('runs:tag', { id, add: ['baseline', 'keep'] })).toEqual({ tags: ['baseline', 'keep'] });
    expect(await engine.call('runs:tag', { id, remove: ['keep'] })).toEqual({ tags: ['baseline'] });
    const exported = await engine.call('runs:export', { id });
    expect(exported).toMatchObject({ format: 'modality-studio-run', run: { id, tags: ['baseline'] } });
    const target = path.join(folders.make('export'), 'model');
    const copied = await engine.call('model:export', { runId: id, dir: target });
    expect(copied.files).toEqual(expect.arrayContaining(['model-card.json']));
    expect(fs.existsSync(path.join(target, 'model-card.json'))).toBe(true);
    await expect(engine.call('model:export', { runId: id, dir: target })).rejects.toMatchObject({
      code: 'output',
      message: expect.stringContaining('not an empty folder'),
    });
    const { dataset } = await engine.call('runs:show', { id });
    await expect(
      engine.call('model:export', { runId: id, dir: path.join(dataset.path, 'exported') }),
    ).rejects.toMatchObject({ code: 'output', message: expect.stringContaining('inside the dataset folder') });
    expect(fs.existsSync(path.join(dataset.path, 'exported'))).toBe(false);
    expect(await engine.call('runs:delete', { id })).toEqual({ deleted: true, id });
    await expect(engine.call('runs:show', { id })).rejects.toMatchObject({ code: 'not-found' });
  });
});
