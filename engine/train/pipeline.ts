import * as tf from '@tensorflow/tfjs';
import type { PreparedDataset } from '../data/prepare';
import { trickMethod, type ChosenMethod, type Decision, type Evaluation, type RunConfig, type RunEvent, type RunResult } from '../protocol/run';
import { selectBackend } from './backends/select-backend';
import type { CheckpointStore } from './checkpoint';
import { resolveConfig } from './config';
import { labelsAt, type RunContext } from './context';
import { averagePredictions, decide } from './decision';
import { trainFusion } from './fusion';
import { probeLaziness } from './laziness';
import { argmaxRows, evaluatePredictions } from './metrics';
import { SeedSequence, type ModalityInput } from './models/networks';
import { inPhase } from './phase';
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

/** The trained models of a run, for saving; the caller disposes them. */
export interface PipelineModels {
  teachers: { modality: string; model: tf.LayersModel }[];
  lateFusion: tf.LayersModel;
  umt?: tf.LayersModel;
}

/**
 * The whole method on one prepared dataset: teachers → decision trick → UME (always: it costs nothing) and
 * late fusion (the baseline) → UMT when chosen → laziness probes → test evaluation of every model.
 */
export async function runPipeline(dataset: PreparedDataset, partialConfig: Partial<RunConfig>, events: PipelineEvents = {}): Promise<{ result: RunResult; models: PipelineModels }> {
  const started = Date.now();
  const config = resolveConfig(partialConfig);
  const backend = await selectBackend(config.backend);
  if (dataset.meta.classes.length < 2) {
    throw new AppError('dataset', `The dataset ${dataset.meta.name} has ${dataset.meta.classes.length} class in its training split; a classifier needs at least two. Add samples of another class.`);
  }
  const context = createContext(dataset, config, events);
  context.emit({ type: 'started', backend });
  const evaluations: Evaluation[] = [];
  const record = (evaluation: Evaluation) => {
    evaluations.push(evaluation);
    context.emit({ type: 'evaluation', evaluation });
    return evaluation;
  };
  const evaluate = (model: string, probabilities: Float32Array) =>
    record(evaluatePredictions(model, 'test', labelsAt(context, context.test), argmaxRows(probabilities, context.classes.length), context.classes.length));

  const teachers = await trainTeachers(context);
  let lateFusion: tf.LayersModel | undefined;
  let umt: tf.LayersModel | undefined;
  try {
    const decision = await confirmed(context, await decide(context, teachers, config.method), events.chooseMethod);
    const baseline = await trainFusion(context, 'late-fusion', teachers, 0);
    lateFusion = baseline;
    if (decision.method === 'umt') umt = await trainFusion(context, 'umt', teachers, config.distillWeight);
    const fused = [{ name: 'lateFusion' as const, model: baseline }, ...(umt ? [{ name: 'umt' as const, model: umt }] : [])];
    const laziness = await inPhase(context, { phase: 'probe' }, () => probeLaziness(context, teachers, fused));
    const fusedTest = (name: 'lateFusion' | 'umt') => laziness.testProbabilities.get(name) ?? new Float32Array(0);
    const test = await inPhase(context, { phase: 'evaluation' }, async () => {
      const teacherAccuracy: Record<string, number> = {};
      for (const teacher of teachers) teacherAccuracy[teacher.modality] = evaluate(`teacher:${teacher.modality}`, rowsAt(teacher, context.test, context.classes.length)).accuracy;
      const ume = evaluate('ume', averagePredictions(teachers, context.test, context.classes.length));
      const fusion = evaluate('late-fusion', fusedTest('lateFusion'));
      const umtEvaluation = umt ? evaluate('umt', fusedTest('umt')) : undefined;
      const chosen = decision.method === 'umt' && umtEvaluation ? umtEvaluation : ume;
      record({ ...chosen, model: 'final' });
      return { teachers: teacherAccuracy, ume: ume.accuracy, lateFusion: fusion.accuracy, ...(umtEvaluation ? { umt: umtEvaluation.accuracy } : {}), final: chosen.accuracy };
    });
    const result: RunResult = {
      backend,
      config,
      dataset: { name: dataset.meta.name, fingerprint: dataset.meta.fingerprint, classes: dataset.meta.classes, modalities: context.modalities.map((m) => m.name) },
      decision,
      test,
      laziness: laziness.table,
      evaluations,
      durationMs: Date.now() - started,
    };
    return { result, models: { teachers: teachers.map((t) => ({ modality: t.modality, model: t.model })), lateFusion: baseline, ...(umt ? { umt } : {}) } };
  } catch (error) {
    [...teachers.map((t) => t.model), lateFusion, umt].forEach((model) => model?.dispose());
    throw error;
  }
}

/** The decision as the user confirmed or overrode it (paper 4.2: the trick recommends, the user may know better). */
async function confirmed(context: RunContext, decision: Decision, chooseMethod: PipelineEvents['chooseMethod']): Promise<Decision> {
  if (!chooseMethod) return decision;
  const chosen = await chooseMethod(decision);
  if (context.signal?.aborted) throw new AppError('aborted', 'The run was cancelled.');
  if (chosen === decision.method) return decision;
  const changed: Decision = { ...decision, method: chosen, overridden: chosen !== trickMethod(decision) };
  context.emit({ type: 'decision', decision: changed });
  return changed;
}

function createContext(dataset: PreparedDataset, config: RunConfig, events: PipelineEvents): RunContext {
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
    seeds: new SeedSequence(config.seed),
    emit: events.emit ?? (() => undefined),
    signal: events.signal,
    checkpoints: events.checkpoints,
  };
}

function rowsAt(teacher: TrainedTeacher, indices: number[], classes: number): Float32Array {
  const out = new Float32Array(indices.length * classes);
  indices.forEach((index, row) => out.set(teacher.probabilities.subarray(index * classes, (index + 1) * classes), row * classes));
  return out;
}
