import type { PreparedDataset } from '../data/prepare';
import type { RunEstimate } from '../protocol/estimate';
import type { RunConfig } from '../protocol/run';
import { backendForRun } from './choose-backend';
import type { BackendName } from '../runtime/backends/registry';
import { timeSteps } from './step-timing';

/** Steps timed per network: one warm-up, then three (enough to tell seconds from minutes before a run). */
const WARMUP = 1;
const STEPS = 3;

/**
 * Times a few training steps of each teacher and of the fused network of a run with `config` on this
 * dataset, on the backend the run would use (`auto` chooses as a run does, and the choice is kept for it):
 * with the training split's size, what the whole run costs per epoch of each phase.
 */
export async function estimateRun(dataset: PreparedDataset, config: RunConfig): Promise<RunEstimate> {
  const started = performance.now();
  const { meta } = dataset;
  const modalities = meta.modalities.map((m) => ({ name: m.name, kind: m.kind, shape: m.shape }));
  const shape = { modalities, config, classes: meta.classes.length, batch: config.batchSize };
  const backend = (await backendForRun(config.backend, shape)).name as BackendName;
  const trainSamples = meta.splits.filter((split) => split === 'train').length;
  const teacherStepMs: Record<string, number> = {};
  for (const modality of modalities)
    teacherStepMs[modality.name] = (
      await timeSteps({ ...shape, modalities: [modality], teacher: true }, backend, 1, STEPS, WARMUP)
    ).msPerStep;
  const fusedStepMs = (await timeSteps(shape, backend, 1, STEPS, WARMUP)).msPerStep;
  return {
    backend,
    trainSamples,
    batchesPerEpoch: Math.ceil(trainSamples / config.batchSize),
    teacherStepMs,
    fusedStepMs,
    measuredInMs: performance.now() - started,
  };
}
