import * as tf from '@tensorflow/tfjs';
import { AppError } from '../protocol/errors';
import type { ModelCard } from './model-card';
import { loadLayersModel } from './model-files';

export type LoadedNetwork = ModelCard['networks'][number] & { model: tf.LayersModel };

/**
 * Loads every network a card names and checks each against the card: one input per modality it reads, of
 * that modality's shape, and one probability per class. A card edited to name 2 classes for a 3-class
 * network would otherwise slice the probabilities with the wrong stride and print wrong labels.
 */
export async function loadCardNetworks(modelDir: string, card: ModelCard): Promise<LoadedNetwork[]> {
  const loaded: LoadedNetwork[] = [];
  try {
    for (const [i, network] of card.networks.entries()) {
      const model = await loadLayersModel(modelDir, network.path);
      loaded.push({ ...network, model });
      const problem = mismatch(card, network, model);
      if (problem)
        throw new AppError(
          'model-files',
          `The network ${network.path} in ${modelDir} does not fit its model card (networks.${i}): ${problem}. The card was edited or belongs to another model; export or save the model again.`,
        );
    }
    return loaded;
  } catch (error) {
    loaded.forEach((n) => n.model.dispose());
    throw error;
  }
}

function mismatch(card: ModelCard, network: ModelCard['networks'][number], model: tf.LayersModel): string | null {
  if (model.inputs.length !== network.modalities.length) {
    return `it has ${model.inputs.length} input${model.inputs.length === 1 ? '' : 's'}, the card gives it ${network.modalities.length} modalit${network.modalities.length === 1 ? 'y' : 'ies'} (${network.modalities.join(', ')})`;
  }
  for (const [j, name] of network.modalities.entries()) {
    const expected = card.modalities.find((m) => m.name === name)?.shape ?? [];
    const actual = model.inputs[j]?.shape.slice(1) ?? [];
    if (actual.length !== expected.length || actual.some((d, k) => d !== null && d !== expected[k])) {
      return `its input ${j + 1} takes [${actual.join(', ')}], but modality "${name}" is [${expected.join(', ')}]`;
    }
  }
  const output = model.outputs[0]?.shape ?? [];
  const classes = output[output.length - 1];
  if (classes !== card.classes.length)
    return `it predicts ${classes ?? 'no'} classes, but the card names ${card.classes.length} (${card.classes
      .slice(0, 10)
      .map((c) => JSON.stringify(c))
      .join(', ')}${card.classes.length > 10 ? ', …' : ''})`;
  return null;
}
