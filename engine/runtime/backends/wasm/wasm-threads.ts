import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import workerThreads from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';

const require = createRequire(import.meta.url);

/**
 * Multi-threaded wasm (XNNPACK's thread pool over Emscripten pthreads) under Node, which tfjs turns off
 * (tfjs issue #3830) for three reasons, each handled here:
 *
 * 1. tfjs reports no thread support when it runs in Node: the flag is set by hand.
 * 2. The pthread workers are started from a blob: URL, and their main script is sent to them as a Blob;
 *    Node's worker_threads take neither. The worker source and the main script are written to files
 *    (once per tfjs version), and the Worker class the Emscripten glue uses is swapped for one that starts
 *    from those files (the glue reads `require('worker_threads').Worker` when the backend starts).
 * 3. The wasm module sizes its pool to half the logical cores reported at start (it assumes
 *    hyper-threading), which is one thread on a 2-core machine: the core count is reported doubled while
 *    the module starts, so that the pool gets `threads` threads.
 *
 * Must run before `tf.setBackend('wasm')`. Returns the undo for the temporary patches (call after it).
 */
export function prepareWasmThreads(wasm: { setThreadsCount(n: number): void }, threads: number): () => void {
  const files = workerFiles();
  const RealWorker = workerThreads.Worker;
  class PthreadWorker extends RealWorker {
    constructor(_blobUrl: unknown, options?: workerThreads.WorkerOptions) {
      super(files.worker, options);
    }

    override postMessage(message: unknown, transfer?: readonly workerThreads.TransferListItem[]): void {
      const load = message as { cmd?: string; urlOrBlob?: unknown } | null;
      const fixed =
        load?.cmd === 'load' && typeof load.urlOrBlob !== 'string' ? { ...load, urlOrBlob: files.main } : message;
      super.postMessage(fixed, transfer as workerThreads.TransferListItem[] | undefined);
    }
  }
  const threadsModule = workerThreads as unknown as { Worker: typeof RealWorker };
  threadsModule.Worker = PthreadWorker;
  const osModule = os as unknown as { cpus: typeof os.cpus };
  const realCpus = os.cpus;
  osModule.cpus = () =>
    Array.from({ length: 2 * threads }, (_, i) => realCpus()[i % Math.max(1, realCpus().length)] as os.CpuInfo);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  return () => {
    threadsModule.Worker = RealWorker;
    osModule.cpus = realCpus;
  };
}

/**
 * The pool's threads run for the life of the process, and Emscripten keeps the workers of running threads
 * referenced, which would keep Node from exiting when the work is done: let them go (call after start).
 */
export function releaseWasmThreads(backend: unknown): void {
  const pthreads = (backend as { wasm?: { PThread?: { runningWorkers?: { unref?: () => void }[] } } }).wasm?.PThread;
  pthreads?.runningWorkers?.forEach((worker) => worker.unref?.());
}

/** The pthread worker source and the module's main script, as files (written once, atomically). */
function workerFiles(): { worker: string; main: string } {
  const version = (require('@tensorflow/tfjs-backend-wasm/package.json') as { version: string }).version;
  const factory = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js') as {
    toString(): string;
  };
  const { wasmWorkerContents } =
    require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js') as {
      wasmWorkerContents: string;
    };
  // As tfjs does for its Blob: the worker source holds newlines inside string literals that must stay escaped.
  const contents = {
    worker: wasmWorkerContents.replace(/\n/g, '\\n'),
    main: `var WasmBackendModuleThreadedSimd = ${factory.toString()}`,
  };
  const hash = crypto.createHash('sha256').update(contents.worker).update(contents.main).digest('hex').slice(0, 12);
  const dir = path.join(os.tmpdir(), `modality-studio-wasm-${version}-${hash}`);
  const files = { worker: path.join(dir, 'pthread-worker.js'), main: path.join(dir, 'threaded-simd-main.js') };
  if (!fs.existsSync(files.worker) || !fs.existsSync(files.main)) {
    fs.mkdirSync(dir, { recursive: true });
    for (const key of ['worker', 'main'] as const) {
      const partial = `${files[key]}.${process.pid}.tmp`;
      fs.writeFileSync(partial, contents[key]);
      fs.renameSync(partial, files[key]);
    }
  }
  return files;
}

/** Threads for the wasm backend: MODALITY_STUDIO_WASM_THREADS when set, else every core. */
export function wasmThreadCount(env: NodeJS.ProcessEnv = process.env): number {
  const asked = Number(env.MODALITY_STUDIO_WASM_THREADS);
  return Number.isInteger(asked) && asked >= 1 ? Math.min(asked, 8) : Math.min(os.availableParallelism(), 8);
}
