import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultCheckpointDir, defaultModelDir } from '../app-paths';
import { prepareDataset, type PreparedDataset } from '../data/prepare';
import { prepareDatasetInWorker } from '../data/prepare-in-worker';
import type { PrepareProgress } from '../protocol/dataset';
import type { EngineCallName, EngineCalls, EngineMessage, EngineRequest } from '../protocol/engine';
import { trickMethod, type ChosenMethod, type Decision, type RunConfig } from '../protocol/run';
import { ENGINE_CALL_NAMES } from '../protocol/engine';
import { BUILTIN_DATASETS } from '../data/builtin/registry';
import { previewDataset } from '../data/preview';
import { resolveDatasetArgument } from '../data/resolve-dataset';
import { expandHome } from '../util/home-path';
import { isInside, removeEmptyFolders } from '../util/folders';
import { exportModelFolder } from '../model/export-model';
import { claimModelFolder } from '../model/model-output';
import { defaultDatabasePath, openStore, type OpenedStore } from '../store/open-store';
import { storeError } from '../store/store-errors';
import { getRun, resolveRunId } from '../store/run-reader';
import { deleteRun, requestCancel } from '../store/run-admin';
import {
  claimedModelDir,
  claimForResume,
  createRun,
  decisionStillOpen,
  markConfirmsDecision,
  markDecisionConfirmed,
  recordArtifact,
  releaseClaim,
  RESUMABLE_STATUSES,
  setRequestedMethod,
  upsertDataset,
} from '../store/run-writer';
import { checkMethods, resolveConfig } from '../method/config';
import { pruneRuns, runsToPrune } from '../store/run-prune';
import { existingRun, isRecordCall, RECORD_CALLS } from './record-calls';
import { PARAMS_SCHEMAS } from './request-schemas';
import { paramsShapeProblem } from './params-shape';
import { AppError, errorResult, toResult } from '../protocol/errors';

interface ActiveRun {
  runId: string;
  controller: AbortController;
  done: Promise<void>;
  /** Set while the run waits at its decision for `run:choose`. */
  choose: ((method: ChosenMethod) => void) | null;
  /** What the decision trick itself ruled, and what the run's config asked for. */
  ruled: ChosenMethod | null;
  requested: RunConfig['method'];
}

export interface EngineServiceOptions {
  dbFile?: string;
  cacheDir: string;
  /**
   * `lazy`: open the run database at the first call that needs it (the CLI's `validate` and `predict` never
   * do, and must not create one). `eager` (the default): at once, so a database that cannot be used is
   * reported before any work.
   */
  store?: 'eager' | 'lazy';
  /**
   * Prepare datasets in this thread instead of a worker. A long-lived engine prepares in a worker, whose heap
   * is returned when it ends; a process that ends with the report (`validate`) saves the worker's start-up.
   */
  prepareInThread?: boolean;
}

/**
 * The engine behind the protocol: validates datasets, runs one training run at a time in this process
 * (streaming its events), cancels it, and answers from the run store, which it alone writes.
 */
export class EngineService {
  private opened: OpenedStore | null = null;
  private active: ActiveRun | null = null;
  /** Set from the moment a run:start or run:resume is accepted until its run is active (or it failed). */
  private starting = false;

  constructor(
    private readonly options: EngineServiceOptions,
    private readonly post: (message: EngineMessage) => void,
  ) {
    if (options.store !== 'lazy') this.opened = openStore(options.dbFile);
  }

  private get store(): OpenedStore {
    this.opened ??= openStore(this.options.dbFile);
    return this.opened;
  }

  /** Answers one message from the host; anything that is not a well-formed request gets an error response. */
  async handle(message: unknown): Promise<void> {
    const request = message as Partial<EngineRequest>;
    const id = typeof request?.id === 'number' ? request.id : -1;
    const result = await toResult(async () => {
      if (request?.kind !== 'request' || id < 0)
        throw new AppError('bad-request', 'Expected {kind: "request", id: number, call, params}.');
      if (!ENGINE_CALL_NAMES.includes(request.call as EngineCallName))
        throw new AppError(
          'bad-request',
          `Unknown call "${String(request.call)}"; the engine answers ${ENGINE_CALL_NAMES.join(', ')}.`,
        );
      const call = request.call as EngineCallName;
      const shapeProblem = paramsShapeProblem(request.params);
      if (shapeProblem) throw new AppError('bad-request', `Bad params for ${call}: ${shapeProblem}.`);
      const parsed = PARAMS_SCHEMAS[call].safeParse(request.params ?? {});
      if (!parsed.success)
        throw new AppError(
          'bad-request',
          `Bad params for ${call}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'params'} ${i.message}`).join('; ')}.`,
        );
      this.recordPendingEnds();
      try {
        return await this.dispatch(call, parsed.data);
      } catch (error) {
        // A full, damaged or read-only database is the user's machine, not a bug: say which file and what to do.
        throw storeError(error, this.databaseFile) ?? error;
      }
    });
    this.post({ kind: 'response', id, result });
  }

  private get databaseFile(): string {
    return this.opened?.file ?? this.options.dbFile ?? defaultDatabasePath();
  }
  /** The folder of the run database, beside which each run's files go (`runs/ID/`). */
  private get databaseDir(): string {
    return path.dirname(path.resolve(this.databaseFile));
  }

  /** Ends of runs the store could not take when they happened (a full disk), recorded once it can. */
  private pendingEnds: (() => void)[] = [];

  private recordPendingEnds(): void {
    this.pendingEnds = this.pendingEnds.filter((recordEnd) => {
      try {
        recordEnd();
        return false;
      } catch {
        return true;
      }
    });
  }

  /** Stops the active run (if any) and closes the store. */
  async close(): Promise<void> {
    this.active?.controller.abort();
    await this.active?.done;
    this.opened?.db.close();
  }

  private async dispatch(call: EngineCallName, params: unknown): Promise<unknown> {
    if (isRecordCall(call))
      return (RECORD_CALLS[call] as (db: OpenedStore['db'], params: unknown) => unknown)(this.store.db, params);
    switch (call) {
      case 'datasets:list':
        return { datasets: BUILTIN_DATASETS.map(({ name, description }) => ({ name, description })) };
      case 'dataset:validate': {
        const { dir, noCache, exclude } = params as EngineCalls['dataset:validate']['params'];
        const { report, dataset } = await this.prepareDataset(
          await resolveDatasetArgument(dir, this.options.cacheDir),
          dir,
          noCache,
          exclude,
        );
        dataset?.reader.close();
        return report;
      }
      case 'dataset:preview': {
        const { dir, exclude } = params as EngineCalls['dataset:preview']['params'];
        const { prepared } = await this.prepare(await resolveDatasetArgument(dir, this.options.cacheDir), exclude);
        try {
          return await previewDataset(prepared.reader);
        } finally {
          prepared.reader.close();
        }
      }
      case 'run:start':
        return this.exclusively(() => this.startRun(params as EngineCalls['run:start']['params']));
      case 'run:choose': {
        const { runId, method } = params as EngineCalls['run:choose']['params'];
        const choose = this.active?.runId === runId ? this.active.choose : null;
        if (!choose || !this.active) return { accepted: false };
        // Only an explicit choice is written into the run's config, so that a resume repeats it; a run that
        // follows the trick stays "auto" (the trick rules the same again on resume: it is deterministic).
        if (method !== this.active.ruled || this.active.requested !== 'auto')
          setRequestedMethod(this.store.db, runId, method);
        markDecisionConfirmed(this.store.db, runId);
        choose(method);
        return { accepted: true };
      }
      case 'run:active':
        return { runId: this.active?.runId ?? null, awaitingChoice: Boolean(this.active?.choose) };
      case 'run:resume':
        return this.exclusively(() => this.resumeRun(params as EngineCalls['run:resume']['params']));
      case 'run:cancel':
        return this.cancelRun((params as EngineCalls['run:cancel']['params']).runId);
      case 'runs:delete': {
        const runId = existingRun(this.store.db, (params as EngineCalls['runs:delete']['params']).id);
        if (this.active?.runId === runId || getRun(this.store.db, runId)?.status === 'running')
          throw new AppError('busy', `Run ${runId} is running; cancel it before deleting it.`);
        return {
          deleted: deleteRun(this.store.db, runId, this.databaseDir) !== null,
          id: runId,
        };
      }
      case 'runs:prune': {
        const { before, status, dryRun } = params as EngineCalls['runs:prune']['params'];
        if (!before && !status)
          throw new AppError(
            'bad-request',
            'Say which runs to delete: a date they were created before (--before 2026-11-01), a status (--status failed), or both.',
          );
        const ids = runsToPrune(
          this.store.db,
          { ...(before ? { before } : {}), ...(status ? { status } : {}) },
          this.active?.runId ?? null,
        );
        const deleted = dryRun ? 0 : pruneRuns(this.store.db, ids, this.databaseDir);
        return { matched: ids.length, deleted };
      }
      case 'model:export': {
        const { runId, dir, method } = params as EngineCalls['model:export']['params'];
        const run = getRun(this.store.db, existingRun(this.store.db, runId));
        const model = run?.artifacts.find((a) => a.kind === 'model');
        if (!model || !run)
          throw new AppError('not-found', `Run ${runId} has no saved model (only a completed run has one).`);
        if (!method || method === run.finalChoice?.method) return exportModelFolder(model.path, dir, run.dataset.path);
        const candidate = run.candidates.find((c) => c.method === method);
        if (!candidate?.modelPath) {
          const saved = run.candidates.filter((c) => c.modelPath).map((c) => c.method);
          throw new AppError(
            'not-found',
            `Run ${run.id} has no saved model for "${method}"; it saved ${saved.length ? saved.join(', ') : 'only its final model'}.`,
          );
        }
        return exportModelFolder(candidate.modelPath, dir, run.dataset.path);
      }
      case 'methods:list': {
        const { describeMethods } = await import('../method/methods/registry');
        return { methods: describeMethods() };
      }
      case 'backends:check': {
        if (this.active || this.starting)
          throw new AppError(
            'busy',
            'A run is training; checking the backends would switch its backend under it. Check them when it has ended.',
          );
        const { checkBackends } = await import('../method/check-backends');
        return { backends: await this.onBackend(() => checkBackends()) };
      }
      case 'run:estimate': {
        if (this.active || this.starting)
          throw new AppError(
            'busy',
            'A run is training; timing steps now would slow it and could switch its backend. Estimate when it has ended.',
          );
        const { dataset: dir, config: partial } = params as EngineCalls['run:estimate']['params'];
        const config = resolveConfig(partial ?? {});
        const { prepared } = await this.prepare(await resolveDatasetArgument(dir, this.options.cacheDir));
        try {
          const { estimateRun } = await import('../method/estimate');
          return await this.onBackend(() => estimateRun(prepared, config));
        } finally {
          prepared.reader.close();
        }
      }
      case 'model:predict': {
        const { modelDir, dir, backend } = params as EngineCalls['model:predict']['params'];
        // Loaded on first use: TensorFlow.js takes ~0.9 s to load, and most calls never need it here.
        const { predictFolder } = await import('../model/predict-folder');
        return predictFolder(
          path.resolve(expandHome(modelDir)),
          await resolveDatasetArgument(dir, this.options.cacheDir),
          backend ?? 'auto',
        );
      }
    }
  }

  /**
   * One run at a time: the check and the reservation happen before the first `await`, so two calls arriving
   * together cannot both pass the check while the first is still preparing its data.
   */
  /**
   * Work that times steps and so switches tfjs's backend (the backend check, a run's estimate), one at a time
   * (two would switch it under each other); a run starts only after it (exclusively, below).
   */
  private onBackend<T>(work: () => Promise<T>): Promise<T> {
    const next = this.backendWork.then(work, work);
    this.backendWork = next.catch(() => undefined);
    return next;
  }

  private backendWork: Promise<unknown> = Promise.resolve();

  private async exclusively<T>(start: () => Promise<T>): Promise<T> {
    if (this.active)
      throw new AppError('busy', `Run ${this.active.runId} is still running; cancel it or wait for it to finish.`);
    if (this.starting)
      throw new AppError(
        'busy',
        'Another run is being started (its data is being prepared); wait for it, or cancel it once it runs.',
      );
    this.starting = true;
    try {
      await this.backendWork;
      return await start();
    } finally {
      this.starting = false;
    }
  }

  private async startRun(params: EngineCalls['run:start']['params']): Promise<{ runId: string }> {
    const config = resolveConfig(params.config ?? {});
    void this.store; // a database that cannot be used is said before the data is prepared
    // Loaded here, not at start: the registry brings TensorFlow.js, which training needs next anyway.
    const { METHODS } = await import('../method/methods/registry');
    checkMethods(
      config,
      METHODS.map((m) => m.id),
    );
    const dataset = await this.prepare(
      await resolveDatasetArgument(params.dataset, this.options.cacheDir),
      params.exclude,
    );
    const runId = crypto.randomUUID();
    const target = params.out ?? defaultModelDir(this.databaseFile, runId);
    const existed = fs.existsSync(target);
    let modelDir: string | null = null;
    try {
      modelDir = claimModelFolder(target, dataset.report.path);
      const checkpointDir = defaultCheckpointDir(this.databaseFile, runId);
      this.store.db.transaction(() => {
        createRun(
          this.store.db,
          runId,
          upsertDataset(this.store.db, dataset.report),
          config,
          dataset.report.leftOut ?? [],
          modelDir,
        );
        recordArtifact(this.store.db, runId, 'checkpoint', checkpointDir);
        if (params.confirmDecision) markConfirmsDecision(this.store.db, runId);
      })();
      this.launch(runId, dataset.prepared, config, modelDir, checkpointDir, params.confirmDecision ?? false);
      return { runId };
    } catch (error) {
      dataset.prepared.reader.close();
      // A run that could not be recorded (a read-only or full database) leaves no folder behind it.
      if (modelDir && !existed) {
        const databaseDir = this.databaseDir;
        removeEmptyFolders(modelDir, isInside(modelDir, databaseDir) ? databaseDir : path.dirname(modelDir));
      }
      throw error;
    }
  }

  private async resumeRun(params: EngineCalls['run:resume']['params']): Promise<{ runId: string }> {
    const run = getRun(this.store.db, params.runId);
    if (!run)
      throw new AppError(
        'not-found',
        `No run "${params.runId}" in the database (or the prefix matches several); runs list shows the ids.`,
      );
    if (!RESUMABLE_STATUSES.includes(run.status))
      throw new AppError(
        'not-resumable',
        `Run ${run.id} is ${run.status}; only an interrupted, cancelled or failed run can be resumed.`,
      );
    // The lease is taken before the (slow) preparation: a second process resuming the same run is refused now.
    const before = claimForResume(this.store.db, run.id);
    if (!before)
      throw new AppError('busy', `Run ${run.id} is being resumed by another process; runs list shows it running.`);
    let dataset: Awaited<ReturnType<EngineService['prepare']>> | null = null;
    try {
      // The same samples left out as when it started: the data (and its fingerprint) is the same.
      dataset = await this.prepare(
        run.dataset.path,
        run.leftOut.map((s) => s.sampleId),
      );
      if (dataset.prepared.meta.fingerprint !== run.dataset.fingerprint) {
        throw new AppError(
          'dataset',
          `The dataset at ${run.dataset.path} has changed since run ${run.id} started (its fingerprint differs), so the run cannot be continued on it. Start a new run instead.`,
        );
      }
      // The default is the folder the run claimed when it started (its --out, or its own); a folder the user
      // names now must be new.
      const modelDir = params.out
        ? claimModelFolder(params.out, run.dataset.path)
        : (claimedModelDir(this.store.db, run.id) ?? defaultModelDir(this.databaseFile, run.id));
      const checkpointDir =
        run.artifacts.find((a) => a.kind === 'checkpoint')?.path ?? defaultCheckpointDir(this.databaseFile, run.id);
      // Asked again only where the original asked and got no answer, and the host can answer (the app).
      this.launch(
        run.id,
        dataset.prepared,
        run.config,
        modelDir,
        checkpointDir,
        params.confirmDecision === true && decisionStillOpen(this.store.db, run.id),
      );
      return { runId: run.id };
    } catch (error) {
      dataset?.prepared.reader.close();
      releaseClaim(this.store.db, run.id, before);
      throw error;
    }
  }

  /**
   * Stops a run: this engine's own at its next batch, or one that another engine process of this machine
   * trains (the pid its row records) by asking that process to stop (SIGTERM; it cancels at its next batch).
   */
  private cancelRun(idOrPrefix: string): EngineCalls['run:cancel']['result'] {
    const runId = resolveRunId(this.store.db, idOrPrefix);
    if (!runId)
      return {
        cancelled: false,
        reason: `No run "${idOrPrefix}" in the database (or the prefix matches several); the run list shows the ids.`,
      };
    if (this.active?.runId === runId) {
      this.active.controller.abort();
      return { cancelled: true, runId };
    }
    const outcome = requestCancel(this.store.db, runId, os.hostname(), process.pid);
    return outcome.ok ? { cancelled: true, runId } : { cancelled: false, runId, reason: outcome.reason };
  }

  /** Preparation progress of `dir` as messages to the host: five a second at most, and the end of each phase. */
  private progressOf(dir: string): (progress: PrepareProgress) => void {
    let last = 0;
    return (progress) => {
      const now = Date.now();
      if (now - last < 200 && progress.done < progress.total) return;
      last = now;
      this.post({ kind: 'dataset-progress', dir, progress });
    };
  }

  /** Validates and decodes `folder` (progress reported under `shownAs`, the name the host gave). */
  private prepareDataset(folder: string, shownAs = folder, noCache = false, exclude: string[] = []) {
    const options = {
      cacheDir: this.options.cacheDir,
      writeCache: !noCache,
      onProgress: this.progressOf(shownAs),
      ...(exclude.length > 0 ? { exclude } : {}),
    };
    return this.options.prepareInThread ? prepareDataset(folder, options) : prepareDatasetInWorker(folder, options);
  }

  private async prepare(dir: string, exclude: string[] = []) {
    const { report, dataset } = await this.prepareDataset(dir, dir, false, exclude);
    if (!dataset)
      throw new AppError(
        'dataset',
        `The dataset at ${report.path} is not usable: ${report.errors[0]?.message ?? 'see dataset:validate'} (${report.errorCount} error${report.errorCount === 1 ? '' : 's'} in all; dataset:validate lists them).`,
      );
    return { report, prepared: dataset };
  }

  /** Trains in the background; the host follows through run-event messages and one run-ended. */
  private launch(
    runId: string,
    dataset: PreparedDataset,
    config: RunConfig,
    modelDir: string,
    checkpointDir: string,
    confirmDecision = false,
  ): void {
    const controller = new AbortController();
    // Training code (TensorFlow.js, ~0.9 s to load) is loaded with the first run, not with the engine: the
    // CLI's quick commands use this service too.
    const done = import('../runs/run-recorded')
      .then(({ runRecorded }) =>
        runRecorded({
          runId,
          db: this.store.db,
          dataset,
          config,
          modelDir,
          checkpointDir,
          signal: controller.signal,
          onEvent: (event) => this.post({ kind: 'run-event', runId, event }),
          ...(confirmDecision
            ? { chooseMethod: (decision: Decision) => this.awaitChoice(decision, controller.signal) }
            : {}),
        }),
      )
      .then((outcome) => {
        if (outcome.status === 'completed')
          this.post({
            kind: 'run-ended',
            runId,
            status: 'completed',
            result: outcome.result,
            modelDir: outcome.modelDir,
          });
        else {
          if (outcome.recordEnd) this.pendingEnds.push(outcome.recordEnd);
          this.post({ kind: 'run-ended', runId, status: outcome.status, error: errorResult(outcome.error).error });
        }
      })
      .catch((error: unknown) => {
        // Whatever went wrong in ending the run, the engine (and, in web mode, the server) goes on serving.
        this.post({
          kind: 'run-ended',
          runId,
          status: 'failed',
          error: errorResult(storeError(error, this.databaseFile) ?? error).error,
        });
      })
      .finally(() => {
        dataset.reader.close();
        this.active = null;
      });
    this.active = { runId, controller, done, choose: null, ruled: null, requested: config.method };
  }

  /** Parks the run at its decision until the host calls `run:choose` (or cancels the run). */
  private awaitChoice(decision: Decision, signal: AbortSignal): Promise<ChosenMethod> {
    return new Promise((resolve, reject) => {
      const active = this.active;
      if (!active) return reject(new AppError('aborted', 'The run was cancelled.'));
      active.ruled = trickMethod(decision);
      const onAbort = () => {
        active.choose = null;
        reject(new AppError('aborted', 'The run was cancelled.'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      active.choose = (method) => {
        active.choose = null;
        signal.removeEventListener('abort', onAbort);
        resolve(method);
      };
    });
  }
}
