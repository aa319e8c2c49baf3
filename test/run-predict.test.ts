import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findBuiltin, materializeBuiltin } from '../engine/data/builtin/registry';
import { prepareDataset } from '../engine/data/prepare';
import type { PredictionReport } from '../engine/protocol/predict';
import { cliWith, lastJson } from './helpers/cli';
import { makeTempDir } from './helpers/dataset-folder';

const cacheDir = makeTempDir('rp-cache');
const work = makeTempDir('rp');
afterAll(() => [cacheDir, work].forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

const cli = cliWith({ MODALITY_STUDIO_CACHE: cacheDir, MODALITY_STUDIO_HOME: work });

const quick = ['--epochs', '2', '--teacher-epochs', '3', '--probe-epochs', '3', '--backend', 'wasm', '--json'];

describe('run saves a model that predict reloads in a fresh process', () => {
  it.each([
    ['umt', 'synthetic-mixed'],
    ['ume', 'synthetic-unimodal'],
  ])(
    "%s on %s: predict reproduces the run's test accuracy, with or without labels",
    async (method, name) => {
      const modelDir = path.join(work, `${method}-model`);
      const run = cli('run', name, '--method', method, '--out', modelDir, ...quick);
      expect(run.code, run.stderr).toBe(0);
      const summary = lastJson<{
        runId: string;
        decision: { method: string };
        final: { method: string };
        candidates: Record<string, { test: { mean: number } }>;
        test: { final: number };
        modelDir: string;
      }>(run.stdout);
      expect(summary.decision.method).toBe(method);
      expect(summary.modelDir).toBe(modelDir);
      const card = JSON.parse(fs.readFileSync(path.join(modelDir, 'model-card.json'), 'utf8'));
      expect(card).toMatchObject({
        method: summary.final.method,
        final: true,
        classes: ['class-0', 'class-1', 'class-2'],
        metrics: { test: { final: summary.test.final } },
      });

      // The same test split, labelled: predict's accuracy on it is the run's final test accuracy.
      const dir = await materializeBuiltin(findBuiltin(name)!, cacheDir);
      const { dataset } = await prepareDataset(dir, { cacheDir });
      const testIds = new Set(dataset!.meta.sampleIds.filter((_, i) => dataset!.meta.splits[i] === 'test'));
      dataset!.reader.close();
      // By the built-in's name, as run takes it.
      const predicted = cli('predict', modelDir, name, '--json', '--backend', 'wasm');
      expect(predicted.code, predicted.stderr).toBe(0);
      const report = JSON.parse(predicted.stdout) as PredictionReport;
      const onTest = report.predictions.filter((p) => testIds.has(p.id));
      expect(onTest).toHaveLength(testIds.size);
      expect(onTest.filter((p) => p.label === p.actual).length / onTest.length).toBeCloseTo(summary.test.final, 6);

      // Every candidate is saved in its own folder beside the final model's card, and predicts as the run measured it.
      const folders = fs
        .readdirSync(modelDir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name);
      const cards = folders.map((folder) => ({
        folder,
        card: JSON.parse(fs.readFileSync(path.join(modelDir, folder, 'model-card.json'), 'utf8')) as { method: string },
      }));
      expect(cards.map((c) => c.card.method).sort()).toEqual(Object.keys(summary.candidates).sort());
      if (method === 'umt') {
        for (const { folder, card: candidateCard } of cards.filter((c) => c.card.method !== summary.final.method)) {
          const own = JSON.parse(
            cli('predict', path.join(modelDir, folder), name, '--json', '--backend', 'wasm').stdout,
          ) as PredictionReport;
          const hits = own.predictions.filter((p) => testIds.has(p.id));
          expect(hits.filter((p) => p.label === p.actual).length / hits.length, candidateCard.method).toBeCloseTo(
            summary.candidates[candidateCard.method]!.test.mean,
            6,
          );
        }
      }

      // Without labels: a manifest with the label column removed gets the same predictions.
      const unlabelled = path.join(work, `${method}-unlabelled`);
      fs.mkdirSync(unlabelled);
      const lines = fs.readFileSync(path.join(dir, 'manifest.csv'), 'utf8').trim().split('\n').slice(0, 40);
      const labelColumn = lines[0]!.split(',').indexOf('label');
      fs.writeFileSync(
        path.join(unlabelled, 'manifest.csv'),
        lines
          .map((l) =>
            l
              .split(',')
              .filter((_, i) => i !== labelColumn)
              .join(','),
          )
          .join('\n'),
      );
      const blind = cli('predict', modelDir, unlabelled, '--json', '--backend', 'wasm');
      expect(blind.code, blind.stderr).toBe(0);
      const blindReport = JSON.parse(blind.stdout) as PredictionReport;
      expect(blindReport.accuracy).toBeUndefined();
      expect(blindReport.predictions.map((p) => [p.id, p.label])).toEqual(
        report.predictions.slice(0, 39).map((p) => [p.id, p.label]),
      );
    },
    240_000,
  );

  it('says plainly when the data folder or the model folder does not exist', () => {
    const missing = cli('predict', path.join(work, 'umt-model'), path.join(work, 'no-such-folder'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`${path.join(work, 'no-such-folder')} does not exist`);
    expect(missing.stderr).not.toContain('unexpectedly');
    const noModel = cli('predict', path.join(work, 'no-such-model'), 'synthetic-mixed');
    expect(noModel.code).toBe(1);
    expect(noModel.stderr).toContain('model-card.json could not be read');
    expect(noModel.stderr).not.toContain('unexpectedly');
  });

  it('refuses data that lacks a modality the model needs, naming it', () => {
    const modelDir = path.join(work, 'umt-model');
    const dir = path.join(work, 'one-modality');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'manifest.csv'), 'id,a.f1,a.f2\n1,0.5,0.2\n');
    const result = cli('predict', modelDir, dir, '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).errors[0].message).toContain('no modality "b"');
  });
});
