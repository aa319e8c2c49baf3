/**
 * Worker-thread entry of the decode pool (decode-pool.ts): decodes batches of samples with the dataset's
 * plans and sends the values back, their buffers transferred rather than copied. Bundled on its own
 * as dist/engine/decode-worker.mjs.
 */
import { parentPort } from 'node:worker_threads';
import { decodeSample, type DecodeJob } from './decode-sample';
import type { ModalityPlan } from './plan';

let plans: ModalityPlan[] = [];

// Messages arrive in order: the plans first, then batches to decode with them.
parentPort?.on('message', async (message: { plans: ModalityPlan[] } | { id: number; jobs: DecodeJob[] }) => {
  if ('plans' in message) {
    plans = message.plans;
    return;
  }
  const { id, jobs } = message;
  const outcomes = [];
  for (const job of jobs) outcomes.push(await decodeSample(job, plans));
  const buffers = outcomes.flatMap((outcome) => (outcome.ok ? outcome.values.map((v) => v.buffer as ArrayBuffer) : []));
  parentPort?.postMessage({ id, outcomes }, [...new Set(buffers)]);
});
