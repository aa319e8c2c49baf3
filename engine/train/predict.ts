import * as tf from '@tensorflow/tfjs';
import type { DataSource } from './data-source';
import { applyModel } from './models/networks';
import { CompiledInference } from './compiled/compiled-inference';

/**
 * Runs `model` in inference mode over `indices` in batches and returns each output gathered into one
 * array: output k is `[indices.length, width_k]` row-major. Softmax is applied to output 0 when asked
 * (turning logits into probabilities). On tfjs's WebGPU backend, a network the engine compiles runs on its
 * compiled forward pass (engine/runtime/webgpu) instead of tfjs's per-op kernels.
 */
export async function runModel(
  model: tf.LayersModel,
  source: DataSource,
  indices: number[],
  batchSize: number,
  softmaxFirst = true,
): Promise<Float32Array[]> {
  const compiled = indices.length > 0 ? await CompiledInference.create(model, batchSize, source) : null;
  if (compiled) {
    try {
      return await compiled.run(source, indices, softmaxFirst);
    } finally {
      compiled.dispose();
    }
  }
  const widths = model.outputs.map((o) => (o.shape.at(-1) as number | undefined) ?? 1);
  const results = widths.map((w) => new Float32Array(indices.length * w));
  for (let start = 0; start < indices.length; start += batchSize) {
    const batch = indices.slice(start, start + batchSize);
    const outputs = tf.tidy(() => {
      const list = applyModel(model, source.inputs(batch), false);
      return list.map((t, k) => (k === 0 && softmaxFirst ? tf.softmax(t) : t));
    });
    const data = await Promise.all(outputs.map((t) => t.data() as Promise<Float32Array>));
    outputs.forEach((t) => t.dispose());
    data.forEach((values, k) => results[k]?.set(values, start * (widths[k] ?? 1)));
  }
  return results;
}
