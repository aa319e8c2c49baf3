import { droppedModality } from '../../train/models/modality-dropout';
import { trainFusedModel } from './fused-training';
import type { TrainingMethod } from './method';

/**
 * Modality dropout (paper A.5, Table 14; ModDrop, Neverova et al. 2015): late fusion in which, at each
 * training step, with probability p (`modalityDropoutRate`, 0.5 as in the paper's table) one modality's
 * features, chosen uniformly, are zeroed before the fused head; none are dropped at evaluation. Trained
 * when asked for (`--methods modality-dropout`).
 */
export const modalityDropout: TrainingMethod = {
  id: 'modality-dropout',
  label: 'Modality dropout',
  reference: 'Du et al. 2023, A.5 Table 14; Neverova et al. 2015 (ModDrop)',
  needsTeachers: false,
  trains: 'one fused network, as long as late fusion',
  loss: (config) =>
    `cross-entropy of the fused head, one modality's features zeroed in a step with probability ${config.modalityDropoutRate}`,
  trainsIn: ({ requested }) => requested.includes('modality-dropout'),
  train: async (context) => {
    const { seed, config, modalities } = context.run;
    return [
      await trainFusedModel(context, {
        method: 'modality-dropout',
        phase: { phase: 'modality-dropout' },
        modalityDropout: ({ epoch, step }) =>
          droppedModality(seed, epoch, step, config.modalityDropoutRate, modalities.length),
      }),
    ];
  },
};
