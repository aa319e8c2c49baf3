import * as tf from '@tensorflow/tfjs';
import { SeededRandom } from '../../util/random';

/**
 * Modality dropout (paper A.5, Table 14; ModDrop, Neverova et al. 2015) on the concatenated features of a
 * fused model: in training, the slice of the modality chosen for the current step is multiplied by 0 (so its
 * encoder gets no gradient from that step); in inference it is the identity. The choice is set from outside
 * before each step ({@link droppedModality}), so it is reproducible and a resumed run draws the same ones.
 * Saved as a linear Activation layer, which is what it is in inference: saved models load anywhere.
 */
export class ModalityDropout extends tf.layers.Layer {
  static className = 'ModalityDropout';
  /** The modality whose features the next training step zeroes, or null for none. */
  dropped: number | null = null;

  constructor(
    private readonly sizes: number[],
    name: string,
  ) {
    super({ name });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor;
    const dropped = this.dropped;
    if (kwargs.training !== true || dropped === null) return x.clone();
    const mask = tf.tensor1d(this.sizes.flatMap((size, m) => new Array<number>(size).fill(m === dropped ? 0 : 1)));
    return tf.mul(x, mask);
  }

  override getClassName(): string {
    return 'Activation';
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), activation: 'linear' };
  }
}

/**
 * Which modality a training step drops: with probability `rate` one of the `modalities`, chosen uniformly,
 * else none. A pure function of (seed, epoch, step), so resumed and unbroken runs drop the same ones.
 */
export function droppedModality(
  seed: number,
  epoch: number,
  step: number,
  rate: number,
  modalities: number,
): number | null {
  const random = new SeededRandom(
    (Math.imul(seed, 1_000_003) + Math.imul(epoch, 100_003) + Math.imul(step, 7919)) >>> 0,
  );
  random.next();
  if (random.next() >= rate) return null;
  return random.int(modalities);
}
