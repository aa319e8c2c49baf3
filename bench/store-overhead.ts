/**
 * How much recording a run costs: the time the run store's event recorder takes per training epoch
 * (one epoch row, plus its share of phase, decision and evaluation rows), on a WAL database on disk.
 * Usage: npx tsx bench/store-overhead.ts [--json]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { RunEvent } from '../engine/protocol/run';
import { openStore } from '../engine/store/open-store';
import { createRun, eventRecorder, upsertDataset } from '../engine/store/run-writer';
import { resolveConfig } from '../engine/method/config';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ms-bench-store-'));
const store = openStore(path.join(dir, 'runs.sqlite'));
const datasetId = upsertDataset(store.db, {
  ok: true,
  path: '/bench',
  name: 'bench',
  format: 'csv',
  samples: 0,
  classes: ['a', 'b'],
  modalities: [],
  splits: { train: 0, val: 0, test: 0 },
  splitRule: 'manifest',
  fingerprint: 'bench',
  errors: [],
  errorCount: 0,
  warnings: [],
  warningCount: 0,
});
const PHASES = 20;
const EPOCHS = 100;
const BATCHES = 50;
const timings: number[] = [];
for (let run = 0; run < 3; run += 1) {
  const runId = `bench-${run}`;
  createRun(store.db, runId, datasetId, resolveConfig({}));
  const record = eventRecorder(store.db, runId);
  const started = performance.now();
  for (let p = 0; p < PHASES; p += 1) {
    const phase = { phase: 'teacher' as const, modality: `m${p}` };
    record({ type: 'phase-started', ...phase });
    for (let epoch = 1; epoch <= EPOCHS; epoch += 1) {
      // Batch events reach the recorder too (it skips them); they are part of the cost per epoch.
      for (let b = 1; b <= BATCHES; b += 1)
        record({ type: 'batch', ...phase, epoch, epochs: EPOCHS, batch: b, batches: BATCHES });
      const event: RunEvent = {
        type: 'epoch',
        ...phase,
        epoch,
        trainLoss: 1 / epoch,
        trainAccuracy: 0.5,
        valLoss: 1,
        valAccuracy: 0.5,
        learningRate: 0.001,
        durationMs: 100,
      };
      record(event);
    }
    record({ type: 'phase-finished', ...phase, durationMs: 1, bestEpoch: 1, stoppedEarly: false });
  }
  timings.push((performance.now() - started) / (PHASES * EPOCHS));
}
store.db.close();
fs.rmSync(dir, { recursive: true, force: true });
timings.sort((a, b) => a - b);
const median = timings[1] ?? 0;
const result = {
  perEpochMs: Number(median.toFixed(4)),
  epochsRecorded: PHASES * EPOCHS,
  batchEventsPerEpoch: BATCHES,
  synchronous: 'NORMAL',
  journal: 'WAL',
};
if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(result)}\n`);
else
  process.stdout.write(
    `Run store overhead: ${result.perEpochMs} ms per epoch (median of 3 runs of ${result.epochsRecorded} epochs with ${BATCHES} batch events each; WAL, synchronous=NORMAL)\n`,
  );
