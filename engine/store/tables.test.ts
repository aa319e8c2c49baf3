import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempFolders } from '../../test/helpers/dataset-folder';
import { openStore } from './open-store';
import {
  CANDIDATES,
  DECISIONS,
  EPOCHS,
  EVALUATIONS,
  FINAL_CHOICES,
  inserter,
  LAZINESS,
  RESULTS,
  selectAll,
  selectOne,
} from './tables';

const folders = tempFolders();
afterAll(() => folders.removeAll());

describe("the store's table maps", () => {
  it('read back exactly what they write, optional fields absent as they were given, in every table the writer and the import share', () => {
    const { db } = openStore(path.join(folders.make('tables'), 'runs.sqlite'));
    db.exec(
      "INSERT INTO datasets (id, fingerprint, path, name, format, modalities_json, classes_json, split_rule, split_counts_json, created_at) VALUES (1, 'f', '/d', 'd', 'manifest', '[]', '[]', 'manifest', '{}', 'now')",
    );
    db.exec(
      "INSERT INTO runs (id, dataset_id, status, method_requested, config_json, seed, seeds, created_at, left_out_json) VALUES ('r', 1, 'completed', 'auto', '{}', 0, 1, 'now', '[]')",
    );
    db.exec(
      "INSERT INTO phases (id, run_id, seed, name, modality, model, status, started_at) VALUES (7, 'r', 0, 'teacher', 'a', '', 'completed', 'now')",
    );
    const epochs = [
      {
        epoch: 1,
        trainLoss: 1.2,
        trainAccuracy: 0.5,
        valLoss: 1.1,
        valAccuracy: 0.55,
        learningRate: 1e-3,
        durationMs: 12,
      },
      {
        epoch: 2,
        trainLoss: 0.9,
        trainExtraLoss: 0.3,
        trainAccuracy: 0.7,
        valLoss: 1,
        valAccuracy: 0.6,
        learningRate: 1e-4,
        durationMs: 11,
      },
    ];
    epochs.forEach((e) => inserter(db, EPOCHS, 'insert')(7, e));
    expect(selectAll(db, EPOCHS, 7, 'epoch')).toEqual(epochs);
    const decision = {
      method: 'umt' as const,
      overridden: false,
      linearProbeAccuracy: 0.9,
      averagedPredictionAccuracy: 0.7,
      sliceAccuracy: { a: 0.6 },
      differenceInterval: [0.1, 0.3] as [number, number],
      split: 'val' as const,
      selection: { split: 'train-holdout' as const, share: 0.125, epochs: [3] },
    };
    inserter(db, DECISIONS, 'replace')('r', decision);
    expect(selectOne(db, DECISIONS, 'r')).toEqual(decision);
    const { selection: _selection, ...withoutSelection } = decision;
    inserter(db, DECISIONS, 'replace')('r', withoutSelection);
    expect(selectOne(db, DECISIONS, 'r')).toEqual(withoutSelection);
    const evaluation = {
      model: 'umt',
      seed: 0,
      split: 'test' as const,
      accuracy: 0.8,
      macroF1: 0.79,
      perClassAccuracy: [0.7, 0.9],
      confusion: [
        [7, 3],
        [1, 9],
      ],
    };
    inserter(db, EVALUATIONS, 'insert')('r', evaluation);
    expect(selectAll(db, EVALUATIONS, 'r', 'seed')).toEqual([evaluation]);
    const result = { seed: 0, model: 'umt', split: 'val' as const, metric: 'accuracy' as const, value: 0.9 };
    inserter(db, RESULTS, 'insert')('r', result);
    expect(selectAll(db, RESULTS, 'r', 'seed')).toEqual([result]);
    const probe = { seed: 0, modality: 'a', model: 'late-fusion', accuracy: 0.61 };
    inserter(db, LAZINESS, 'insert')('r', probe);
    expect(selectAll(db, LAZINESS, 'r', 'seed')).toEqual([probe]);
    const candidates = [
      {
        method: 'umt',
        label: 'UMT',
        position: 0,
        distillWeight: 50,
        trainingMs: 1200,
        modelPath: '/m/umt',
        recipe: {
          optimizer: 'adam' as const,
          learningRate: 1e-3,
          momentum: 0,
          weightDecay: 0,
          schedule: 'plateau' as const,
        },
        estimated: [{ seed: 0, values: [{ label: 'w', value: 0.5 }] }],
      },
      { method: 'ume', label: 'UME', position: 1, trainingMs: null, modelPath: null },
    ];
    candidates.forEach((c) => inserter(db, CANDIDATES, 'insert')('r', c));
    expect(selectAll(db, CANDIDATES, 'r', 'position')).toEqual(candidates);
    const final = {
      method: 'umt',
      recommended: 'umt' as const,
      overridden: false,
      best: 'umt',
      interval: null,
      reason: 'best on validation',
    };
    inserter(db, FINAL_CHOICES, 'insert')('r', final);
    expect(selectOne(db, FINAL_CHOICES, 'r')).toEqual(final);
    expect(selectOne(db, FINAL_CHOICES, 'other')).toBeNull();
    db.close();
  });
});
