import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { DecodeJob, DecodeOutcome } from './decode-sample';
import type { ModalityPlan } from './plan';
import { startDataWorker } from './start-worker';
import { Correlator } from '../protocol/correlator';

/** Decode threads: one per core (`MODALITY_STUDIO_PREPARE_THREADS` overrides), at most 16. */
export function decodeThreadCount(env: NodeJS.ProcessEnv = process.env): number {
  const asked = Number(env.MODALITY_STUDIO_PREPARE_THREADS);
  return Math.max(1, Math.min(16, Number.isInteger(asked) && asked > 0 ? asked : os.availableParallelism()));
}

/**
 * Worker threads that decode batches of samples. They are started before the dataset's plans are known (a
 * thread takes a few hundred milliseconds to load its modules, which then overlaps with reading the headers)
 * and get the plans once, by {@link DecodePool.usePlans}. A batch goes to the thread with the fewest batches
 * queued; answers come back as promises, so the caller decides the order in which it uses them and how many
 * it keeps in flight.
 */
export class DecodePool {
  private readonly workers: { worker: Worker; batches: Correlator<DecodeOutcome[]> }[];

  constructor(size: number) {
    this.workers = Array.from({ length: size }, () => {
      const entry = { worker: startDataWorker('decode-worker', null), batches: new Correlator<DecodeOutcome[]>() };
      entry.worker.on('message', ({ id, outcomes }: { id: number; outcomes: DecodeOutcome[] }) =>
        entry.batches.answer(id, outcomes),
      );
      const fail = (error: Error) => entry.batches.failAll(error);
      entry.worker.on('error', fail);
      entry.worker.on('exit', (code) => fail(new Error(`A decode thread stopped unexpectedly (exit code ${code}).`)));
      return entry;
    });
  }

  usePlans(plans: ModalityPlan[]): void {
    for (const { worker } of this.workers) worker.postMessage({ plans });
  }

  decode(jobs: DecodeJob[]): Promise<DecodeOutcome[]> {
    const target = this.workers.reduce((least, entry) =>
      entry.batches.openCount < least.batches.openCount ? entry : least,
    );
    return target.batches.ask((id) => target.worker.postMessage({ id, jobs }));
  }

  get size(): number {
    return this.workers.length;
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(({ worker, batches }) => {
        batches.forget();
        return worker.terminate();
      }),
    );
  }
}
