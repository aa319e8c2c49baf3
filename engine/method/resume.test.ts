import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/helpers/dataset-folder';
import { findBuiltin, materializeBuiltin } from '../data/builtin/registry';
import { prepareDataset, type PreparedDataset } from '../data/prepare';
import type { RunConfig, RunEvent } from '../protocol/run';
import { folderCheckpoints } from '../train/checkpoint';
import { runPipeline } from './pipeline';

const work = makeTempDir('resume');
const opened: PreparedDataset[] = [];
afterAll(() => {
  opened.forEach((d) => d.reader.close());
  fs.rmSync(work, { recursive: true, force: true });
});

async function dataset(): Promise<PreparedDataset> {
  const dir = await materializeBuiltin(findBuiltin('synthetic-mixed')!, work);
  const { dataset: prepared } = await prepareDataset(dir, { cacheDir: work });
  opened.push(prepared!);
  return prepared!;
}

const config: Partial<RunConfig> = {
  backend: 'wasm',
  seed: 11,
  method: 'umt',
  epochs: 3,
  teacherEpochs: 3,
  probeEpochs: 3,
  bootstrapSamples: 200,
};

async function run(checkpointDir: string, abortAfterBatches?: number, seeds = 1) {
  const controller = new AbortController();
  let batches = 0;
  const epochs: RunEvent[] = [];
  const warnings: string[] = [];
  const { result, models } = await runPipeline(
    await dataset(),
    { ...config, seeds },
    {
      signal: controller.signal,
      checkpoints: folderCheckpoints(checkpointDir, config.seed ?? 0),
      emit: (e) => {
        if (e.type === 'batch' && ++batches === abortAfterBatches) controller.abort();
        if (e.type === 'epoch') epochs.push({ ...e, durationMs: 0 });
        if (e.type === 'log' && e.level === 'warn') warnings.push(e.message);
      },
    },
  );
  models.dispose();
  return { result, epochs, warnings };
}

describe('resuming from checkpoints', () => {
  it.each([
    ['in the middle of the second teacher', 150, 1],
    ['in the middle of UMT', 350, 1],
    // Two seeds: 4 teachers (~300 batches), 2 decision classifiers, then seed 11's fused models, then seed 12's.
    ["in the middle of the second seed's UMT", 700, 2],
  ])(
    'an interrupted run resumed %s ends with exactly the numbers of an unbroken run',
    async (_where, abortAt, seeds) => {
      const unbroken = await run(path.join(work, `unbroken-${abortAt}`), undefined, seeds);
      const dir = path.join(work, `broken-${abortAt}`);
      const before = tf.memory().numTensors;
      await expect(run(dir, abortAt, seeds)).rejects.toMatchObject({ code: 'aborted' });
      expect(tf.memory().numTensors).toBe(before);
      expect(fs.readdirSync(dir).length).toBeGreaterThan(0);
      const resumed = await run(dir, undefined, seeds);
      const scores = (r: typeof unbroken.result) =>
        Object.values(r.candidates).map(({ trainingMs: _time, ...rest }) => rest);
      expect(scores(resumed.result)).toEqual(scores(unbroken.result));
      expect(resumed.result.final).toEqual(unbroken.result.final);
      expect(resumed.result.evaluations).toEqual(unbroken.result.evaluations);
      expect(resumed.result.decision).toEqual(unbroken.result.decision);
      expect(resumed.result.laziness).toEqual(unbroken.result.laziness);
      // The resumed run re-trains no finished epoch of a trained phase: it only adds the missing ones.
      const trained = (events: RunEvent[]) =>
        events.filter((e) => e.type === 'epoch' && ['teacher', 'late-fusion', 'umt'].includes(e.phase));
      expect(trained(resumed.epochs).length).toBeLessThan(trained(unbroken.epochs).length);
      expect(trained(unbroken.epochs)).toEqual(expect.arrayContaining(trained(resumed.epochs)));
      expect(tf.memory().numTensors).toBe(before);
    },
    240_000,
  );

  it.each([
    [
      'cut short (a full disk)',
      (bytes: Buffer) => bytes.subarray(0, Math.floor(bytes.length / 2)),
      /its header describes \d+ bytes of tensors, but \d+ follow/,
    ],
    [
      'with its header edited into other valid JSON',
      (bytes: Buffer) => Buffer.from(bytes.toString('latin1').replace('"epoch":', '"xpoch":'), 'latin1'),
      /its header is not a whole version 1 checkpoint/,
    ],
    [
      'holding garbage',
      (bytes: Buffer) => Buffer.concat([bytes.subarray(0, 4), Buffer.from('not json at all')]),
      /its header says \d+ bytes, but only \d+ follow/,
    ],
  ])(
    'a checkpoint %s is said, and its phase trains again to the numbers of an unbroken run',
    async (_how, damage, why) => {
      const unbroken = await run(path.join(work, 'unbroken-150'));
      const dir = path.join(work, `damaged-${_how.replace(/\W+/g, '-')}`);
      const before = tf.memory().numTensors;
      await expect(run(dir, 150)).rejects.toMatchObject({ code: 'aborted' });
      const file = path.join(
        dir,
        fs.readdirSync(dir).find((name) => name.startsWith('teacher-'))!,
      );
      fs.writeFileSync(file, damage(fs.readFileSync(file)));
      const resumed = await run(dir);
      expect(resumed.warnings).toEqual([
        expect.stringMatching(
          new RegExp(
            `^The checkpoint ${file} is damaged \\(${why.source}\\); teacher \\w+ seed 11 trains again from its first epoch`,
          ),
        ),
      ]);
      expect(resumed.result.candidates).toEqual(
        expect.objectContaining(
          Object.fromEntries(
            Object.entries(unbroken.result.candidates).map(([id, c]) => [id, { ...c, trainingMs: expect.any(Number) }]),
          ),
        ),
      );
      expect(resumed.result.final).toEqual(unbroken.result.final);
      expect(tf.memory().numTensors).toBe(before);
    },
    240_000,
  );
});
