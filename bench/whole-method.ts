/**
 * The whole method in one process, without the CLI, the store or a worker (so it bundles into one file for a
 * machine without Node, scripts/device-bench.sh): a built-in dataset written to a fresh folder, prepared cold,
 * then teachers, the decision trick, the methods and the probes on BACKEND. Prints one JSON line:
 * `{"backend", "adapter", "seconds", "decision", "test"}` (seconds: preparing included, as a user waits).
 * `tsx bench/whole-method.ts BACKEND [DATASET=mnist-halves] [EPOCHS] [TEACHER_EPOCHS] [PROBE_EPOCHS]`:
 * the bench's pipeline budget (PIPELINE_BUDGET: 2, 2, 10) by default.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findBuiltin, writeBuiltin } from '../engine/data/builtin/registry';
import { prepareDataset } from '../engine/data/prepare';
import type { BackendChoice } from '../engine/protocol/run';
import { runPipeline } from '../engine/method/pipeline';
import { PIPELINE_BUDGET } from './pipeline-bench';

const [
  backend = 'wasm',
  name = 'mnist-halves',
  epochs = PIPELINE_BUDGET.epochs,
  teacherEpochs = PIPELINE_BUDGET.teacherEpochs,
  probeEpochs = PIPELINE_BUDGET.probeEpochs,
] = process.argv.slice(2);
const builtin = findBuiltin(name);
if (!builtin) throw new Error(`There is no built-in dataset ${name}.`);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'whole-method-'));
try {
  const started = performance.now();
  const dir = path.join(work, name);
  await writeBuiltin(builtin, dir);
  const { report, dataset } = await prepareDataset(dir, { cacheDir: path.join(work, 'cache') });
  if (!dataset) throw new Error(`${name} did not prepare: ${JSON.stringify(report).slice(0, 500)}`);
  try {
    const { result, models } = await runPipeline(dataset, {
      backend: backend as BackendChoice,
      epochs: Number(epochs),
      teacherEpochs: Number(teacherEpochs),
      probeEpochs: Number(probeEpochs),
    });
    models.dispose();
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `${JSON.stringify({ backend: result.backend.name, adapter: result.backend.adapter?.description ?? null, seconds, decision: result.decision.method, test: result.test })}\n`,
    );
  } finally {
    dataset.reader.close();
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
