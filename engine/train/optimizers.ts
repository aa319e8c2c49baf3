import * as tf from '@tensorflow/tfjs';
import type { OptimizerName } from '../protocol/run';

/** SGD's momentum (the paper's SGD recipes, A.2, use momentum 0.9). */
export const SGD_MOMENTUM = 0.9;

/** tfjs's optimizer of a run: Adam with tfjs's defaults, or SGD with momentum. */
export function makeOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  return name === 'adam' ? tf.train.adam(learningRate) : tf.train.momentum(learningRate, SGD_MOMENTUM);
}
