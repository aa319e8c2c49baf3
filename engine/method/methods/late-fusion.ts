import type { TrainingMethod } from './method';
import { trainFusedModel } from './fused-training';

/** Naive late fusion (paper 4.3): the baseline every run trains, with cross-entropy on the fused head only. */
export const lateFusion: TrainingMethod = {
  id: 'late-fusion',
  label: 'Late fusion',
  reference: 'Du et al. 2023, §4.3 (naive late fusion baseline)',
  needsTeachers: false,
  trains: 'one fused network (an encoder per modality, one linear head), as long as a teacher',
  loss: () => 'cross-entropy of the fused head',
  trainsIn: () => true,
  train: async (context) => [
    await trainFusedModel(context, { method: 'late-fusion', phase: { phase: 'late-fusion' } }),
  ],
};
