import type * as tf from '@tensorflow/tfjs';
import type { PhaseRef, Recipe } from '../../protocol/run';
import { recipeFitOptions, runRecipe } from '../recipe';
import { phaseOf, seedsFor, sharedFitOptions } from '../context';
import { CacheSource, FeatureSource } from '../../train/data-source';
import { fitModel, type FitOptions } from '../../train/fit';
import { buildFusion } from '../../train/models/networks';
import { inPhase } from '../phase';
import { runModel } from '../../train/predict';
import type { ExtraLoss, GradientHook } from '../../train/loss-terms';
import type { MethodContext, TrainedCandidate } from './method';

export interface FusedTrainingSpec {
  method: string;
  /** The phase it trains in (store rows, progress, checkpoints); its `model` part names a variant. */
  phase: PhaseRef;
  extraLoss?: ExtraLoss;
  /** Weight of the fused head's cross-entropy (G-Blending); 1 when absent. */
  taskLossWeight?: number;
  /** The gradient hook of the built model (OGM-GE reads its head and its encoders' variables). */
  gradientHook?: (model: tf.LayersModel) => GradientHook;
  distillWeight?: number;
  /** One linear head per modality on its features (Auxiliary-CE); their logits follow the features. */
  auxiliaryHeads?: boolean;
  /** A modality-dropout layer on the concatenated features, and which modality each step drops. */
  modalityDropout?: FitOptions['droppedModality'];
  /** How it trains (recipe.ts: the method's declared recipe or the run's); the run's when absent. */
  recipe?: Recipe;
}

/**
 * Trains a fresh late-fusion network (paper 4.3: one encoder per modality, features concatenated, one linear
 * head) with the method's extra loss terms and gradient hook, then runs it once over every sample: its
 * softmax predictions and each encoder's features (for the laziness probes) come back with it.
 */
export async function trainFusedModel(context: MethodContext, spec: FusedTrainingSpec): Promise<TrainedCandidate> {
  const { run } = context;
  const started = Date.now();
  const phase = phaseOf(run, spec.phase);
  const recipe = spec.recipe ?? runRecipe(run.config);
  const seeds = seedsFor(run, [spec.phase.phase, spec.phase.model ?? ''].join(':'));
  const source = new CacheSource(
    run.reader,
    run.modalities.map((_, i) => i),
  );
  const { candidate } = await inPhase(run, spec.phase, async () => {
    const model = buildFusion(
      run.modalities,
      run.classes.length,
      run.config,
      seeds,
      spec.method.replace(/[^A-Za-z0-9_]/g, '_'),
      { auxiliaryHeads: spec.auxiliaryHeads, modalityDropout: Boolean(spec.modalityDropout) },
    );
    try {
      const fit = await fitModel({
        ...sharedFitOptions(run),
        phase,
        model,
        source,
        epochs: run.config.epochs,
        ...recipeFitOptions(recipe),
        seed: seeds.take(),
        extraLoss: spec.extraLoss,
        taskLossWeight: spec.taskLossWeight,
        gradientHook: spec.gradientHook?.(model),
        droppedModality: spec.modalityDropout,
        checkpoint: run.checkpoints?.forPhase(phase),
      });
      const [probabilities, ...rest] = await runModel(model, source, run.all, run.config.batchSize);
      const features = rest.slice(0, run.modalities.length);
      if (!probabilities || features.length !== run.modalities.length)
        throw new Error(
          `${spec.method} returned ${features.length} feature outputs for ${run.modalities.length} modalities.`,
        );
      const candidate: TrainedCandidate = {
        method: spec.method,
        probabilities,
        encoderFeatures: features.map((values) => new FeatureSource(values, values.length / run.all.length)),
        networks: [{ name: 'fused', modalities: run.modalities.map((m) => m.name), model }],
        ownsNetworks: true,
        ...(spec.distillWeight !== undefined ? { distillWeight: spec.distillWeight } : {}),
        recipe,
        trainingMs: 0,
      };
      return { candidate, fit };
    } catch (error) {
      model.dispose();
      throw error;
    }
  });
  return { ...candidate, trainingMs: Date.now() - started };
}
