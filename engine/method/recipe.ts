import type { Recipe, RunConfig } from '../protocol/run';
import { SGD_MOMENTUM } from '../runtime/optimizer-settings';

/** The run's own recipe, from its settings: what the teachers, the probes' features and most methods train with. */
export function runRecipe(config: Pick<RunConfig, 'optimizer' | 'learningRate' | 'weightDecay' | 'schedule'>): Recipe {
  return {
    optimizer: config.optimizer,
    learningRate: config.learningRate,
    momentum: config.optimizer === 'sgd' ? SGD_MOMENTUM : 0,
    weightDecay: config.weightDecay,
    schedule: config.schedule,
    ...(config.schedule === 'step' ? { stepShare: 0.5 } : {}),
  };
}

/**
 * The recipe a method trains with: the one it declares, or the run's when it declares none or the run puts
 * every method on one recipe (`--recipe shared`, for a like-for-like comparison).
 */
export function recipeFor(
  declared: Recipe | undefined,
  config: Pick<RunConfig, 'optimizer' | 'learningRate' | 'weightDecay' | 'schedule' | 'recipe'>,
): Recipe {
  return declared && config.recipe === 'method' ? declared : runRecipe(config);
}

/** The fit options a recipe sets. */
export function recipeFitOptions(recipe: Recipe) {
  return {
    optimizer: recipe.optimizer,
    learningRate: recipe.learningRate,
    ...(recipe.optimizer === 'sgd' ? { momentum: recipe.momentum } : {}),
    weightDecay: recipe.weightDecay,
    schedule: recipe.schedule,
    ...(recipe.stepShare !== undefined ? { stepShare: recipe.stepShare } : {}),
  };
}
