/**
 * Worker-thread entry of `prepareDatasetInWorker` (prepare-in-worker.ts): prepares one dataset and posts
 * the report, the cache's meta and progress back. Bundled on its own as dist/engine/prepare-worker.mjs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { prepareDataset } from './prepare';
import type { WorkerMessage, WorkerRequest } from './prepare-in-worker';

const post = (message: WorkerMessage) => parentPort?.postMessage(message);
const { dir, options } = workerData as WorkerRequest;
try {
  const { report, dataset } = await prepareDataset(dir, {
    ...options,
    onProgress: (progress) => post({ type: 'progress', progress }),
  });
  dataset?.reader.close();
  post({
    type: 'done',
    report,
    dataset: dataset ? { meta: dataset.meta, cacheDir: dataset.cacheDir, fromCache: dataset.fromCache } : null,
  });
} catch (error) {
  post({ type: 'failed', message: (error as Error).message, stack: (error as Error).stack ?? '' });
}
