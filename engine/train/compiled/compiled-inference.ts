import * as tf from '@tensorflow/tfjs';
import type { DataSource } from '../data-source';
import { encoderKind } from '../../runtime/webgpu/network-layout';
import type { NetworkStepLike } from '../../runtime/webgpu/network-step-like';
import { networkSpecOf } from './network-spec';
import { stepMaker } from '../../runtime/webgpu/step-maker';

/**
 * A trained tfjs model's forward pass on the engine's compiled WebGPU network (inference — features
 * for the decision trick and the probes, test predictions — uses the same engine as training): the weights
 * copied in once, then one submit per batch and one read per 64 batches, instead of tfjs's per-op dispatches.
 */
export class CompiledInference {
  /** `widths`: of each encoder's features among the model's outputs (none for a linear classifier). */
  private constructor(
    private readonly network: NetworkStepLike,
    private readonly widths: number[],
  ) {}

  /** The compiled network, or null where it cannot run this model as tfjs would (another backend, a network it does not compile, no host arrays). */
  static async create(model: tf.LayersModel, batchSize: number, source: DataSource): Promise<CompiledInference | null> {
    const maker = stepMaker();
    const classes = model.outputs[0]?.shape.at(-1);
    if (!maker || !source.arrays || typeof classes !== 'number') return null;
    const spec = networkSpecOf(model, batchSize, classes);
    if (!spec) return null;
    const network = await maker.create({ ...spec, inferenceOnly: true });
    network.setWeights(model.getWeights().map((w) => w.dataSync() as Float32Array));
    // A linear classifier's only output is its logits; a network's are the logits, then each encoder's features.
    const widths = model.outputs.length > 1 ? spec.encoders.map((e) => encoderKind(e).featureDim(e)) : [];
    return new CompiledInference(network, widths);
  }

  /** The model's outputs for these samples, as `runModel` gives them: [probabilities (or logits), features of each encoder, each auxiliary head's logits]. */
  async run(source: DataSource, indices: number[], softmaxFirst: boolean): Promise<Float32Array[]> {
    const arrays = source.arrays?.(indices);
    if (!arrays) throw new Error('This data source gives no host arrays for the compiled WebGPU network.');
    const { logits, features, auxiliaryLogits } = await this.network.infer(arrays, indices.length);
    const classes = logits.length / Math.max(indices.length, 1);
    const width = features.length / Math.max(indices.length, 1);
    const perEncoder = this.widths.map((w) => new Float32Array(indices.length * w));
    for (let i = 0; i < indices.length; i += 1) {
      let column = i * width;
      this.widths.forEach((w, m) => {
        (perEncoder[m] as Float32Array).set(features.subarray(column, column + w), i * w);
        column += w;
      });
    }
    return [softmaxFirst ? softmaxRows(logits, classes) : logits, ...perEncoder, ...auxiliaryLogits];
  }

  dispose(): void {
    this.network.dispose();
  }
}

/** Row-wise softmax of `[rows, classes]` logits (max subtracted first, as tf.softmax). */
function softmaxRows(logits: Float32Array, classes: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let start = 0; start < logits.length; start += classes) {
    const row = logits.subarray(start, start + classes);
    const top = Math.max(...row);
    let total = 0;
    row.forEach((z, j) => {
      out[start + j] = Math.exp(z - top);
      total += out[start + j]!;
    });
    for (let j = 0; j < classes; j += 1) out[start + j]! /= total;
  }
  return out;
}
