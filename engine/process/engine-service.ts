import crypto from 'node:crypto';
import { z } from 'zod';
import { defaultCheckpointDir, defaultModelDir } from '../app-paths';
import { prepareDataset } from '../data/prepare';
import { UserError } from '../errors';
import type { EngineCallName, EngineCalls, EngineMessage, EngineRequest } from '../protocol/engine';
import { ENGINE_CALL_NAMES } from '../protocol/engine';
import { resolveDatasetArgument } from '../data/resolve-dataset';
import { runRecorded } from '../runs/run-recorded';
import { openStore, type OpenedStore } from '../store/open-store';
import { getRun, listRuns } from '../store/run-reader';
import { createRun, recordArtifact, upsertDataset } from '../store/run-writer';
import { resolveConfig } from '../train/config';

/** Every request's params are checked here: a host is trusted with nothing. */
const paramsSchemas: { [K in EngineCallName]: z.ZodType<EngineCalls[K]['params']> } = {
  'dataset:validate': z.object({ dir: z.string().min(1) }).strict(),
  'run:start': z.object({ dataset: z.string().min(1), config: z.record(z.string(), z.unknown()).optional() }).strict() as z.ZodType<EngineCalls['run:start']['params']>,
  'run:cancel': z.object({ runId: z.string().min(1) }).strict(),
  'runs:list': z.object({}).strict() as z.ZodType<Record<string, never>>,
  'runs:show': z.object({ id: z.string().min(1) }).strict(),
};

class RequestError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export interface EngineServiceOptions {
  dbFile?: string;
  cacheDir: string;
}

/**
 * The engine behind the protocol: validates datasets, runs one training run at a time in this process
 * (streaming its events), cancels it, and answers from the run store, which it alone writes.
 */
export class EngineService {
  private readonly store: OpenedStore;
  private active: { runId: string; controller: AbortController; done: Promise<void> } | null = null;

  constructor(private readonly options: EngineServiceOptions, private readonly post: (message: EngineMessage) => void) {
    this.store = openStore(options.dbFile);
  }

  /** Answers one message from the host; anything that is not a well-formed request gets an error response. */
  async handle(message: unknown): Promise<void> {
    const request = message as Partial<EngineRequest>;
    const id = typeof request?.id === 'number' ? request.id : -1;
    try {
      if (request?.kind !== 'request' || id < 0) throw new RequestError('bad-request', 'Expected {kind: "request", id: number, call, params}.');
      if (!ENGINE_CALL_NAMES.includes(request.call as EngineCallName)) throw new RequestError('bad-request', `Unknown call "${String(request.call)}"; the engine answers ${ENGINE_CALL_NAMES.join(', ')}.`);
      const call = request.call as EngineCallName;
      const parsed = paramsSchemas[call].safeParse(request.params ?? {});
      if (!parsed.success) throw new RequestError('bad-request', `Bad params for ${call}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'params'} ${i.message}`).join('; ')}.`);
      const value = await this.dispatch(call, parsed.data);
      this.post({ kind: 'response', id, result: { ok: true, value } });
    } catch (error) {
      const code = error instanceof RequestError ? error.code : error instanceof UserError ? error.code : 'internal';
      this.post({ kind: 'response', id, result: { ok: false, error: { code, message: (error as Error).message } } });
    }
  }

  /** Stops the active run (if any) and closes the store. */
  async close(): Promise<void> {
    this.active?.controller.abort();
    await this.active?.done;
    this.store.db.close();
  }

  private async dispatch(call: EngineCallName, params: unknown): Promise<unknown> {
    switch (call) {
      case 'dataset:validate': {
        const { dir } = params as EngineCalls['dataset:validate']['params'];
        const { report, dataset } = await prepareDataset(await resolveDatasetArgument(dir, this.options.cacheDir), { cacheDir: this.options.cacheDir });
        dataset?.reader.close();
        return report;
      }
      case 'run:start':
        return this.startRun(params as EngineCalls['run:start']['params']);
      case 'run:cancel': {
        const { runId } = params as EngineCalls['run:cancel']['params'];
        if (this.active?.runId !== runId) return { cancelled: false };
        this.active.controller.abort();
        return { cancelled: true };
      }
      case 'runs:list':
        return { runs: listRuns(this.store.db) };
      case 'runs:show': {
        const { id } = params as EngineCalls['runs:show']['params'];
        const run = getRun(this.store.db, id);
        if (!run) throw new RequestError('not-found', `No run "${id}" in the database.`);
        return run;
      }
    }
  }

  private async startRun(params: EngineCalls['run:start']['params']): Promise<{ runId: string }> {
    if (this.active) throw new RequestError('busy', `Run ${this.active.runId} is still running; cancel it or wait for it to finish.`);
    const config = resolveConfig(params.config ?? {});
    const { report, dataset } = await prepareDataset(await resolveDatasetArgument(params.dataset, this.options.cacheDir), { cacheDir: this.options.cacheDir });
    if (!dataset) throw new RequestError('dataset', `The dataset is not usable: ${report.errors[0]?.message ?? 'see dataset:validate'} (${report.errorCount} error${report.errorCount === 1 ? '' : 's'}).`);
    const runId = crypto.randomUUID();
    const checkpointDir = defaultCheckpointDir(runId);
    createRun(this.store.db, runId, upsertDataset(this.store.db, report), config);
    recordArtifact(this.store.db, runId, 'checkpoint', checkpointDir);
    const controller = new AbortController();
    const done = runRecorded({
      runId, db: this.store.db, dataset, config, modelDir: defaultModelDir(runId), checkpointDir, signal: controller.signal,
      onEvent: (event) => this.post({ kind: 'run-event', runId, event }),
    }).then((outcome) => {
      this.post(outcome.status === 'completed' ? { kind: 'run-ended', runId, status: 'completed' } : { kind: 'run-ended', runId, status: outcome.status, error: outcome.error.message });
    }).finally(() => {
      dataset.reader.close();
      this.active = null;
    });
    this.active = { runId, controller, done };
    return { runId };
  }
}
