import type * as tf from '@tensorflow/tfjs';
import type { PreparedDataset } from '../data/prepare';
import {
  runSeeds,
  trickMethod,
  type CandidateResult,
  type ChosenMethod,
  type Decision,
  type Evaluation,
  type MethodId,
  type Recipe,
  type RunConfig,
  type RunEvent,
  type RunResult,
} from '../protocol/run';
import { backendForRun } from './choose-backend';
import type { CheckpointStore } from '../train/checkpoint';
import { checkMethods, requestedMethods, resolveConfig } from './config';
import { labelsAt, type RunContext } from './context';
import { decide, decisionEvidence } from './decision';
import { runRecipe } from './recipe';
import { probeLaziness, type ProbeResult } from './laziness';
import { lazinessVerdicts } from './laziness-verdicts';
import { accuracyOf, argmaxRows, correctness, evaluatePredictions } from './metrics';
import type { CandidateNetwork, TrainedCandidate, TrainingMethod } from './methods/method';
import { METHODS, methodsFor } from './methods/registry';
import type { ModalityInput } from '../train/models/networks';
import { inPhase } from './phase';
import { seedStat } from '../protocol/seed-stat';
import { selectFinal } from './select-final';
import { finalNotices, teacherNotices } from './notices';
import { trainTeachers, type TrainedTeacher } from './teachers';
import { AppError } from '../protocol/errors';

export interface PipelineEvents {
  emit?: (event: RunEvent) => void;
  /** Checked at every batch boundary; an aborted run throws an AppError with code `aborted`. */
  signal?: AbortSignal;
  /** Each trained phase saves its state here every epoch and continues from what it finds (resume). */
  checkpoints?: CheckpointStore;
  /**
   * Asked after the decision trick, before any fused model trains: the method to go on with. A method other
   * than the decision's is recorded as an override (a new `decision` event). Rejects to stop the run.
   */
  chooseMethod?: (decision: Decision) => Promise<ChosenMethod>;
}

/** The trained networks of the run's first seed, one entry per candidate, for saving. */
export interface PipelineModels {
  seed: number;
  candidates: { method: MethodId; label: string; loss: string; networks: CandidateNetwork[] }[];
  /** Disposes every network (each once: UME and the teachers share theirs). */
  dispose(): void;
}

interface CandidateRuns {
  method: TrainingMethod;
  /** Per seed, the candidate kept (for UMT with `--distill-weight auto`: the validation-best weight's). */
  perSeed: TrainedCandidate[];
  weightSearch?: CandidateResult['weightSearch'];
}

/**
 * The whole method on one prepared dataset, for each of the run's seeds: teachers → decision trick (on the
 * mean over seeds) → every method the run trains (late fusion, UME, UMT when chosen, each teacher alone) →
 * laziness probes → validation and test evaluation of every candidate → the final model, chosen on
 * validation (engine/method/select-final.ts).
 */
export async function runPipeline(
  dataset: PreparedDataset,
  partialConfig: Partial<RunConfig>,
  events: PipelineEvents = {},
): Promise<{ result: RunResult; models: PipelineModels }> {
  const started = Date.now();
  const config = resolveConfig(partialConfig);
  const known = METHODS.map((m) => m.id);
  checkMethods(config, known);
  if (dataset.meta.classes.length < 2) {
    throw new AppError(
      'dataset',
      `The dataset ${dataset.meta.name} has ${dataset.meta.classes.length} class in its training split; a classifier needs at least two. Add samples of another class.`,
    );
  }
  const seeds = runSeeds(config);
  const contexts = seeds.map((seed) => createContext(dataset, config, seed, events));
  const first = contexts[0] as RunContext;
  const backend = await backendForRun(config.backend, {
    modalities: first.modalities,
    config,
    classes: first.classes.length,
    batch: config.batchSize,
  });
  first.emit({ type: 'started', backend });
  const modalities = first.modalities.map((m) => m.name);
  const teachers: TrainedTeacher[][] = [];
  const runs: CandidateRuns[] = [];
  const networks = new Networks();
  try {
    for (const context of contexts) {
      teachers.push(await trainTeachers(context));
      networks.own((teachers.at(-1) as TrainedTeacher[]).map((t) => t.model));
    }
    const evidence = [];
    for (const [s, context] of contexts.entries())
      evidence.push(await decisionEvidence(context, teachers[s] as TrainedTeacher[]));
    const ruled = decide(evidence, config.method, config);
    first.emit({ type: 'decision', decision: ruled });
    const asked = Date.now();
    const decision = await confirmed(first, ruled, events.chooseMethod);
    // The wait for the user's answer is the run's, not its training's: reported apart, so the training time is the machine's, not the user's.
    const waitingMs = events.chooseMethod ? Date.now() - asked : 0;

    const requested = requestedMethods(config, known);
    const methods = methodsFor(modalities).filter((m) => m.trainsIn({ goOn: decision.method, requested }));
    for (const method of methods) runs.push({ method, perSeed: [] });
    const variants = new Map<MethodId, TrainedCandidate[][]>();
    for (const [s, context] of contexts.entries()) {
      for (const run of runs) {
        const trained = await run.method.train({ run: context, teachers: teachers[s] as TrainedTeacher[] });
        variants.set(run.method.id, [...(variants.get(run.method.id) ?? []), trained]);
        networks.own(trained.flatMap((c) => c.networks.map((n) => n.model)));
        // Only the first seed's networks are saved; later seeds keep their predictions and features.
        if (s > 0) networks.release(trained.flatMap((c) => c.networks.map((n) => n.model)));
      }
      if (s > 0) networks.release((teachers[s] as TrainedTeacher[]).map((t) => t.model));
    }
    for (const run of runs) keepBestVariant(run, variants.get(run.method.id) ?? [], first, networks);

    const probes: ProbeResult[] = [];
    const evaluations: Evaluation[] = [];
    for (const [s, context] of contexts.entries()) {
      await inPhase(context, { phase: 'probe' }, async () => {
        probes.push(
          ...(await probeLaziness(
            context,
            teachers[s] as TrainedTeacher[],
            runs.map((r) => r.perSeed[s] as TrainedCandidate),
          )),
        );
        return {};
      });
      await inPhase(context, { phase: 'evaluation' }, async () => {
        for (const run of runs) {
          for (const split of ['val', 'test'] as const) {
            const evaluation = evaluateCandidate(context, run.perSeed[s] as TrainedCandidate, split);
            evaluations.push(evaluation);
            context.emit({ type: 'evaluation', evaluation });
          }
        }
        return {};
      });
    }

    const labels = Object.fromEntries(runs.map((r) => [r.method.id, r.method.label]));
    const candidates = Object.fromEntries(
      runs.map((run): [MethodId, CandidateResult] => [
        run.method.id,
        candidateResult(run, evaluations, seeds, runRecipe(first.config)),
      ]),
    );
    const selection = selectFinal(
      runs.map((run) => ({
        method: run.method.id,
        label: run.method.label,
        valCorrect: run.perSeed.map((c, s) => correctOn(contexts[s] as RunContext, c, 'val')),
      })),
      { method: decision.method, overridden: decision.overridden },
      config.bootstrapSamples,
      config.seed,
      config.finalRule,
    );
    const chosen = candidates[selection.method] as CandidateResult;
    const final = {
      ...selection,
      recommended: decision.method,
      overridden: decision.overridden,
      val: chosen.val,
      test: chosen.test,
    };
    first.emit({ type: 'final', final });
    const testMean = (id: MethodId) => candidates[id]?.test.mean;
    const umtTest = testMean('umt');
    const result: RunResult = {
      backend,
      config,
      dataset: {
        name: dataset.meta.name,
        fingerprint: dataset.meta.fingerprint,
        classes: dataset.meta.classes,
        modalities,
      },
      decision,
      seeds,
      candidates,
      final,
      test: {
        teachers: Object.fromEntries(modalities.map((m) => [m, testMean(`teacher:${m}`) ?? 0])),
        ume: testMean('ume') ?? 0,
        lateFusion: testMean('late-fusion') ?? 0,
        ...(umtTest !== undefined ? { umt: umtTest } : {}),
        final: chosen.test.mean,
      },
      results: evaluations.flatMap((e) => [
        { seed: e.seed, model: e.model, split: e.split, metric: 'accuracy' as const, value: e.accuracy },
        { seed: e.seed, model: e.model, split: e.split, metric: 'macro-f1' as const, value: e.macroF1 },
      ]),
      laziness: probes.map(({ correct: _correct, ...entry }) => entry),
      lazinessVerdicts: lazinessVerdicts(probes, labels, config.bootstrapSamples, config.seed),
      notices: [...finalNotices(final, labels), ...teacherNotices(teachers.flat(), config)],
      evaluations,
      durationMs: Date.now() - started,
      waitingMs,
    };
    const saved = runs.map((run) => ({
      method: run.method.id,
      label: run.method.label,
      loss: run.method.loss(config, run.perSeed[0]?.distillWeight),
      networks: (run.perSeed[0] as TrainedCandidate).networks,
    }));
    const handed = networks.handOver(saved.flatMap((c) => c.networks.map((n) => n.model)));
    return { result, models: { seed: first.seed, candidates: saved, dispose: () => handed.releaseAll() } };
  } finally {
    networks.releaseAll();
  }
}

/** The networks a run holds, each disposed exactly once (UME and the teacher candidates share the teachers'). */
class Networks {
  private readonly held = new Set<tf.LayersModel>();
  private readonly released = new WeakSet<tf.LayersModel>();

  own(models: tf.LayersModel[]): void {
    models.filter((m) => !this.released.has(m)).forEach((m) => this.held.add(m));
  }

  release(models: tf.LayersModel[]): void {
    for (const model of new Set(models)) {
      if (!this.held.delete(model)) continue;
      this.released.add(model);
      model.dispose();
    }
  }

  releaseAll(): void {
    this.release([...this.held]);
  }

  /** Moves these networks to a new holder (the caller's), releasing none of them here. */
  handOver(models: tf.LayersModel[]): Networks {
    const next = new Networks();
    for (const model of models) {
      if (this.held.delete(model)) next.held.add(model);
    }
    return next;
  }
}

/**
 * A method trained several ways per seed (UMT's distillation weights): keeps, for every seed, the variant
 * whose mean validation accuracy over seeds is best, records each variant's, and disposes the others.
 */
function keepBestVariant(
  run: CandidateRuns,
  perSeed: TrainedCandidate[][],
  context: RunContext,
  networks: Networks,
): void {
  const count = perSeed[0]?.length ?? 0;
  if (count === 0) throw new Error(`${run.method.id} trained nothing.`);
  const stats = Array.from({ length: count }, (_, v) =>
    seedStat(perSeed.map((variants) => accuracyOf(correctOn(context, variants[v] as TrainedCandidate, 'val')))),
  );
  const means = stats.map((s) => s.mean);
  const best = means.indexOf(Math.max(...means));
  if (count > 1) run.weightSearch = stats.map((val, v) => ({ weight: perSeed[0]?.[v]?.distillWeight ?? 0, val }));
  run.perSeed = perSeed.map((variants) => variants[best] as TrainedCandidate);
  perSeed.forEach((variants) =>
    variants.forEach((c, v) => {
      if (v !== best && c.ownsNetworks) networks.release(c.networks.map((n) => n.model));
    }),
  );
}

function candidateResult(
  run: CandidateRuns,
  evaluations: Evaluation[],
  seeds: number[],
  runs: Recipe,
): CandidateResult {
  const of = (split: 'val' | 'test') =>
    seedStat(
      evaluations
        .filter((e) => e.model === run.method.id && e.split === split)
        .sort((a, b) => a.seed - b.seed)
        .map((e) => e.accuracy),
    );
  const weight = run.perSeed[0]?.distillWeight;
  return {
    method: run.method.id,
    label: run.method.label,
    val: of('val'),
    test: of('test'),
    ...(weight !== undefined ? { distillWeight: weight } : {}),
    ...(run.weightSearch ? { weightSearch: run.weightSearch } : {}),
    recipe: run.perSeed[0]?.recipe ?? runs,
    ...(run.perSeed.some((c) => c.estimated)
      ? {
          estimated: run.perSeed.map((c, s) => ({
            seed: seeds[s] ?? s,
            values: c.estimated ?? [],
            ...(c.heads ? { heads: c.heads } : {}),
            ...(c.modulation ? { modulation: c.modulation } : {}),
          })),
        }
      : {}),
    trainingMs: run.perSeed.reduce((s, c) => s + c.trainingMs, 0),
  };
}

function splitOf(context: RunContext, split: 'val' | 'test'): number[] {
  return split === 'val' ? context.val : context.test;
}

function predictedOn(context: RunContext, candidate: TrainedCandidate, split: 'val' | 'test'): Int32Array {
  const classes = context.classes.length;
  const indices = splitOf(context, split);
  const rows = new Float32Array(indices.length * classes);
  indices.forEach((index, row) =>
    rows.set(candidate.probabilities.subarray(index * classes, (index + 1) * classes), row * classes),
  );
  return argmaxRows(rows, classes);
}

function correctOn(context: RunContext, candidate: TrainedCandidate, split: 'val' | 'test'): Uint8Array {
  return correctness(labelsAt(context, splitOf(context, split)), predictedOn(context, candidate, split));
}

function evaluateCandidate(context: RunContext, candidate: TrainedCandidate, split: 'val' | 'test'): Evaluation {
  const evaluation = evaluatePredictions(
    candidate.method,
    split,
    labelsAt(context, splitOf(context, split)),
    predictedOn(context, candidate, split),
    context.classes.length,
  );
  return { ...evaluation, seed: context.seed };
}

/** The decision as the user confirmed or overrode it (paper 4.2: the trick recommends, the user may know better). */
async function confirmed(
  context: RunContext,
  decision: Decision,
  chooseMethod: PipelineEvents['chooseMethod'],
): Promise<Decision> {
  if (!chooseMethod) return decision;
  const chosen = await chooseMethod(decision);
  if (context.signal?.aborted) throw new AppError('aborted', 'The run was cancelled.');
  if (chosen === decision.method) return decision;
  const changed: Decision = { ...decision, method: chosen, overridden: chosen !== trickMethod(decision) };
  context.emit({ type: 'decision', decision: changed });
  return changed;
}

function createContext(dataset: PreparedDataset, config: RunConfig, seed: number, events: PipelineEvents): RunContext {
  const { meta } = dataset;
  const modalities: ModalityInput[] = meta.modalities.map((m) => ({ name: m.name, kind: m.kind, shape: m.shape }));
  const byIndex = (split: string) => meta.splits.flatMap((s, i) => (s === split ? [i] : []));
  return {
    reader: dataset.reader,
    modalities,
    classes: meta.classes,
    labels: Int32Array.from(meta.labels),
    train: byIndex('train'),
    val: byIndex('val'),
    test: byIndex('test'),
    all: meta.sampleIds.map((_, i) => i),
    config,
    seed,
    emit: events.emit ?? (() => undefined),
    signal: events.signal,
    checkpoints: events.checkpoints,
  };
}
