import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { DecodeJob, DecodeOutcome } from './decode-sample';
import type { ModalityPlan } from './plan';
import { startDataWorker } from './start-worker';

/** Decode threads: one per core (`MODALITY_STUDIO_PREPARE_THREADS` overrides), at most 16. */
export function decodeThreadCount(env: NodeJS.ProcessEnv = process.env): number {
  const asked = Number(env.MODALITY_STUDIO_PREPARE_THREADS);
  return Math.max(1, Math.min(16, Number.isInteger(asked) && asked > 0 ? asked : os.availableParallelism()));
}

interface Pending {
  resolve: (outcomes: DecodeOutcome[]) => void;
  reject: (error: Error) => void;
}

/**
 * Worker threads that decode batches of samples. They are started before the dataset's plans are known (a
 * thread takes a few hundred milliseconds to load its modules, which then overlaps with reading the headers)
 * and get the plans once, by {@link DecodePool.usePlans}. A batch goes to the thread with the fewest batches
 * queued; answers come back as promises, so the caller decides the order in which it uses them and how many
 * it keeps in flight.
 */
export class DecodePool {
  private readonly workers: { worker: Worker; queued: number; pending: Map<number, Pending> }[];
  private nextId = 1;

  constructor(size: number) {
    this.workers = Array.from({ length: size }, () => {
      const entry = { worker: startDataWorker('decode-worker', null), queued: 0, pending: new Map<number, Pending>() };
      entry.worker.on('message', ({ id, outcomes }: { id: number; outcomes: DecodeOutcome[] }) => {
        const waiting = entry.pending.get(id);
        entry.pending.delete(id);
        entry.queued -= 1;
        waiting?.resolve(outcomes);
      });
      const fail = (error: Error) => {
        for (const waiting of entry.pending.values()) waiting.reject(error);
        entry.pending.clear();
      };
      entry.worker.on('error', fail);
      entry.worker.on('exit', (code) => fail(new Error(`A decode thread stopped unexpectedly (exit code ${code}).`)));
      return entry;
    });
  }

  usePlans(plans: ModalityPlan[]): void {
    for (const { worker } of this.workers) worker.postMessage({ plans });
  }

  decode(jobs: DecodeJob[]): Promise<DecodeOutcome[]> {
    const target = this.workers.reduce((least, entry) => (entry.queued < least.queued ? entry : least));
    const id = this.nextId++;
    target.queued += 1;
    return new Promise((resolve, reject) => {
      target.pending.set(id, { resolve, reject });
      target.worker.postMessage({ id, jobs });
    });
  }

  get size(): number {
    return this.workers.length;
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(({ worker, pending }) => {
        pending.clear();
        return worker.terminate();
      }),
    );
  }
}
