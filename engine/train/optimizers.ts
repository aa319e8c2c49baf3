import * as tf from '@tensorflow/tfjs';
import type { OptimizerName } from '../protocol/run';
import { SGD_MOMENTUM } from '../runtime/optimizer-settings';

/** tfjs's optimizer of a run: Adam with tfjs's defaults, or SGD with momentum (0.9 unless a recipe says). */
export function makeOptimizer(name: OptimizerName, learningRate: number, momentum = SGD_MOMENTUM): tf.Optimizer {
  return name === 'adam' ? tf.train.adam(learningRate) : tf.train.momentum(learningRate, momentum);
}
