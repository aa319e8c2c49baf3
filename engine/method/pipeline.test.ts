import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/helpers/dataset-folder';
import { findBuiltin, materializeBuiltin } from '../data/builtin/registry';
import { prepareDataset, type PreparedDataset } from '../data/prepare';
import type { RunConfig, RunEvent, RunResult } from '../protocol/run';
import { gBlendWeights } from './methods/g-blending';
import { runPipeline } from './pipeline';

const cacheDir = makeTempDir('pipeline-cache');
const opened: PreparedDataset[] = [];
afterAll(() => {
  opened.forEach((d) => d.reader.close());
  fs.rmSync(cacheDir, { recursive: true, force: true });
});

async function builtin(name: string): Promise<PreparedDataset> {
  const dir = await materializeBuiltin(findBuiltin(name)!, cacheDir);
  const { dataset, report } = await prepareDataset(dir, { cacheDir });
  expect(report.errors).toEqual([]);
  opened.push(dataset!);
  return dataset!;
}

const fast: Partial<RunConfig> = { backend: 'wasm', seed: 1, bootstrapSamples: 200 };

async function run(name: string, config: Partial<RunConfig>, onEvent?: (e: RunEvent) => void) {
  const { result, models } = await runPipeline(await builtin(name), { ...fast, ...config }, { emit: onEvent });
  models.dispose();
  return result;
}

/** The laziness probe of `model`'s encoder of `modality` (first seed). */
function probeOf(result: RunResult, modality: string, model: string): number {
  const entry = result.laziness.find((l) => l.modality === modality && l.model === model);
  if (!entry) throw new Error(`no probe of ${model} ${modality}`);
  return entry.accuracy;
}

/** The selection rule's promise (default rule): the final model is the validation-best candidate, whatever the trick said. */
function expectChosenOnValidation(result: RunResult): void {
  const best = Math.max(...Object.values(result.candidates).map((c) => c.val.mean));
  expect(result.final.val.mean).toBe(best);
  if (result.final.method !== result.decision.method && result.candidates[result.decision.method])
    expect(result.final.interval).not.toBeNull();
  expect(result.test.final).toBe(result.candidates[result.final.method]!.test.mean);
}

describe('the method on datasets whose answer we know', () => {
  beforeAll(async () => {
    await builtin('synthetic-unimodal');
  });

  it('chooses UME when each modality alone determines the label', async () => {
    const result = await run('synthetic-unimodal', { epochs: 5, teacherEpochs: 5, probeEpochs: 10 });
    expect(result.decision.method).toBe('ume');
    expect(result.decision.linearProbeAccuracy).toBeLessThanOrEqual(result.decision.averagedPredictionAccuracy);
    expect(result.test.ume).toBeGreaterThan(0.95);
    expect(result.test.umt).toBeUndefined();
    expect(Object.keys(result.candidates)).toEqual(['late-fusion', 'ume', 'teacher:a', 'teacher:b']);
    expectChosenOnValidation(result);
  });

  it('finds each teacher near chance but late fusion far above it when the label lives in the pairing', async () => {
    const result = await run('synthetic-paired', { epochs: 12, teacherEpochs: 8, probeEpochs: 15 });
    for (const accuracy of Object.values(result.test.teachers)) expect(accuracy).toBeLessThan(0.45); // chance is 1/3
    expect(result.test.lateFusion).toBeGreaterThan(0.85);
  });

  it("chooses UMT on mixed data, and UMT's encoders probe better than naive late fusion's", async () => {
    const result = await run('synthetic-mixed', { epochs: 20, teacherEpochs: 20, probeEpochs: 30 });
    expect(result.decision.method).toBe('umt');
    expect(result.decision.differenceInterval[0]).toBeGreaterThan(0);
    // The joint classifier is early-stopped on a held-out 1/8 of train, never on the validation split it is
    // compared on: the trick does not grade its own homework.
    expect(result.decision.selection).toEqual({ split: 'train-holdout', share: 1 / 8, epochs: [expect.any(Number)] });
    expect(result.decision.selection?.epochs[0]).toBeGreaterThanOrEqual(1);
    expect(result.decision.selection?.epochs[0]).toBeLessThanOrEqual(30);
    const probe = (modality: string, model: string) => probeOf(result, modality, model);
    // Late fusion reads class 0 from a alone and leaves b lazy; UMT's distillation restores b.
    expect(probe('b', 'umt') - probe('b', 'late-fusion')).toBeGreaterThan(0.08);
    expect(probe('a', 'umt') + probe('b', 'umt')).toBeGreaterThan(
      probe('a', 'late-fusion') + probe('b', 'late-fusion'),
    );
    expect(probe('b', 'teacher:b') - probe('b', 'late-fusion')).toBeGreaterThan(0.08);
    expect(result.lazinessVerdicts.find((v) => v.modality === 'b' && v.model === 'late-fusion')).toMatchObject({
      verdict: 'lazy',
    });
    expectChosenOnValidation(result);
  });
});

describe('seeds and the distillation weight', () => {
  it('repeats the whole method per seed, each seed giving the numbers a run with that seed alone gives', async () => {
    const config = { epochs: 2, teacherEpochs: 2, probeEpochs: 2, method: 'ume' as const };
    const both = await run('synthetic-mixed', { ...config, seed: 5, seeds: 2 });
    const five = await run('synthetic-mixed', { ...config, seed: 5 });
    const six = await run('synthetic-mixed', { ...config, seed: 6 });
    expect(both.seeds).toEqual([5, 6]);
    const late = both.candidates['late-fusion']!;
    expect(late.test.perSeed).toEqual([
      five.candidates['late-fusion']!.test.mean,
      six.candidates['late-fusion']!.test.mean,
    ]);
    expect(late.val.mean).toBeCloseTo((late.val.perSeed[0]! + late.val.perSeed[1]!) / 2, 12);
    expect(both.laziness.filter((l) => l.seed === 6)).toEqual(six.laziness);
    expect(both.evaluations.filter((e) => e.seed === 6)).toEqual(six.evaluations);
    expectChosenOnValidation(both);
  });

  it('with --distill-weight auto trains UMT at 1, 5, 20 and 50 on the same teachers and keeps the best on validation', async () => {
    const epochs: Extract<RunEvent, { type: 'epoch' }>[] = [];
    const result = await run(
      'synthetic-mixed',
      { epochs: 2, teacherEpochs: 2, probeEpochs: 2, method: 'umt', distillWeight: 'auto' },
      (e) => {
        if (e.type === 'epoch') epochs.push(e);
      },
    );
    // The distillation term is recorded apart from the total, growing with the weight; other phases have none.
    const umtEpochs = epochs.filter((e) => e.phase === 'umt');
    expect(umtEpochs.map((e) => e.model)).toEqual([
      'weight-1',
      'weight-1',
      'weight-5',
      'weight-5',
      'weight-20',
      'weight-20',
      'weight-50',
      'weight-50',
    ]);
    for (const e of umtEpochs) expect(e.trainExtraLoss).toBeGreaterThan(0);
    for (const e of umtEpochs) expect(e.trainLoss - e.trainExtraLoss!).toBeGreaterThan(0);
    expect(umtEpochs[6]!.trainExtraLoss).toBeGreaterThan(umtEpochs[0]!.trainExtraLoss!);
    expect(epochs.filter((e) => e.phase !== 'umt').every((e) => e.trainExtraLoss === undefined)).toBe(true);
    const umt = result.candidates.umt!;
    expect(umt.weightSearch!.map((w) => w.weight)).toEqual([1, 5, 20, 50]);
    const best = umt.weightSearch!.reduce((a, b) => (b.val.mean > a.val.mean ? b : a));
    expect(umt.distillWeight).toBe(best.weight);
    expect(umt.val.mean).toBe(best.val.mean);
  });
});

describe("methods asked for besides the paper's flow", () => {
  it("records every candidate's recipe: OGM-GE its authors' (SGD, momentum 0.9, weight decay 1e-4, step at 70%), the others the run's, or all the run's when shared", async () => {
    const small = { epochs: 3, teacherEpochs: 2, probeEpochs: 2, methods: ['ogm-ge'], method: 'ume' as const };
    const own = await run('synthetic-mixed', small);
    const runs = { optimizer: 'adam', learningRate: 1e-3, momentum: 0, weightDecay: 0, schedule: 'plateau' };
    expect(own.candidates['ogm-ge']?.recipe).toEqual({
      optimizer: 'sgd',
      learningRate: 1e-3,
      momentum: 0.9,
      weightDecay: 1e-4,
      schedule: 'step',
      stepShare: 0.7,
    });
    for (const id of ['late-fusion', 'ume', 'teacher:a']) expect(own.candidates[id]?.recipe, id).toEqual(runs);
    const shared = await run('synthetic-mixed', { ...small, recipe: 'shared' });
    expect(shared.candidates['ogm-ge']?.recipe).toEqual(runs);
    // The recipe is what trained it: the same method on another recipe gives other numbers.
    expect(shared.candidates['ogm-ge']?.val).not.toEqual(own.candidates['ogm-ge']?.val);
    expect(shared.candidates['late-fusion']).toEqual({
      ...own.candidates['late-fusion'],
      trainingMs: expect.any(Number),
    });
  });

  it('trains Auxiliary-CE and modality dropout as more candidates, probed and evaluated like the others, and refuses an unknown method', async () => {
    const steps: string[] = [];
    const result = await run(
      'synthetic-mixed',
      { epochs: 2, teacherEpochs: 2, probeEpochs: 2, method: 'ume', methods: ['aux-ce', 'modality-dropout'] },
      (e) => {
        if (e.type === 'epoch') steps.push(e.phase);
      },
    );
    expect(Object.keys(result.candidates)).toEqual([
      'late-fusion',
      'ume',
      'aux-ce',
      'modality-dropout',
      'teacher:a',
      'teacher:b',
    ]);
    expect(steps.filter((p) => p === 'aux-ce' || p === 'modality-dropout')).toEqual([
      'aux-ce',
      'aux-ce',
      'modality-dropout',
      'modality-dropout',
    ]);
    for (const id of ['aux-ce', 'modality-dropout']) {
      expect(result.candidates[id]!.test.perSeed).toHaveLength(1);
      expect(result.laziness.filter((l) => l.model === id).map((l) => l.modality)).toEqual(['a', 'b']);
    }
    expectChosenOnValidation(result);
    await expect(run('synthetic-mixed', { methods: ['ogm'] })).rejects.toMatchObject({
      code: 'config',
      message: expect.stringContaining('Known: late-fusion, ume, umt, aux-ce, modality-dropout'),
    });
  });
});

describe('runs are reproducible and leak nothing', () => {
  it('gives identical numbers for the same seed on the same backend', async () => {
    const trace = (events: RunEvent[]) => (e: RunEvent) => {
      if (e.type === 'epoch') events.push({ ...e, durationMs: 0 });
    };
    const first: RunEvent[] = [];
    const second: RunEvent[] = [];
    const config = { epochs: 2, teacherEpochs: 2, probeEpochs: 2, seed: 5 };
    const a = await run('synthetic-mixed', config, trace(first));
    const b = await run('synthetic-mixed', config, trace(second));
    expect(second).toEqual(first);
    expect(b.decision).toEqual(a.decision);
    expect(b.evaluations).toEqual(a.evaluations);
    expect(b.laziness).toEqual(a.laziness);
    const other = await run('synthetic-mixed', { ...config, seed: 6 });
    expect(other.evaluations).not.toEqual(a.evaluations);
  });

  it('holds the same number of tensors after the first and the last epoch of every phase, and frees the run', async () => {
    const counts = new Map<string, number[]>();
    const before = tf.memory().numTensors;
    const result = await run(
      'synthetic-mixed',
      { epochs: 4, teacherEpochs: 4, probeEpochs: 3, gBlendEpochs: 2, method: 'umt', methods: ['all'] },
      (e) => {
        if (e.type !== 'epoch') return;
        const key = `${e.phase}/${e.modality ?? ''}/${e.model ?? ''}`;
        counts.set(key, [...(counts.get(key) ?? []), tf.memory().numTensors]);
      },
    );
    // G-Blending's estimate as the paper defines it: each head's losses evaluated before any step
    // (train and held-out then agree: the same untrained network on two samples of one distribution) and after
    // the N epochs, and the weights that follow from them by G/ΔO².
    const heads = result.candidates['g-blending']?.estimated?.[0]?.heads ?? [];
    expect(heads.map((h) => h.head)).toEqual(['a', 'b', 'fused']);
    for (const h of heads) expect(Math.abs(h.trainLoss0 - h.heldOutLoss0) / h.heldOutLoss0, h.head).toBeLessThan(0.1);
    expect(heads.every((h) => h.trainLossN < h.trainLoss0)).toBe(true);
    expect(heads.map((h) => h.weight)).toEqual(gBlendWeights(heads));
    expect([...counts.keys()]).toEqual(
      expect.arrayContaining([
        'teacher/a/',
        'teacher/b/',
        'decision//',
        'late-fusion//',
        'umt//',
        'aux-ce//',
        'modality-dropout//',
        'ogm-ge//',
        'g-blending//',
        'g-blending//estimate-fused',
      ]),
    );
    for (const [phase, series] of counts) {
      if (series.length < 2) continue;
      expect(series.at(-1), `tensor count in ${phase}: ${series.join(', ')}`).toBe(series[0]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops at a batch boundary when the run is cancelled', async () => {
    const controller = new AbortController();
    let batches = 0;
    const dataset = await builtin('synthetic-unimodal');
    const before = tf.memory().numTensors;
    await expect(
      runPipeline(
        dataset,
        { ...fast, epochs: 50, teacherEpochs: 50 },
        {
          signal: controller.signal,
          emit: (e) => {
            if (e.type === 'batch' && ++batches === 10) controller.abort();
          },
        },
      ),
    ).rejects.toMatchObject({ code: 'aborted' });
    expect(batches).toBe(10);
    expect(tf.memory().numTensors).toBe(before);
  });
});
