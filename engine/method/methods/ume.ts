import type { TrainedTeacher } from '../teachers';
import type { TrainingMethod } from './method';

/** UME's prediction: the plain average of the teachers' softmax outputs (paper A.2: no weighting, no training). */
export function averagePredictions(teachers: TrainedTeacher[], indices: number[], classes: number): Float32Array {
  const out = new Float32Array(indices.length * classes);
  for (const teacher of teachers) {
    indices.forEach((index, row) => {
      for (let c = 0; c < classes; c += 1)
        out[row * classes + c] =
          (out[row * classes + c] ?? 0) + (teacher.probabilities[index * classes + c] ?? 0) / teachers.length;
    });
  }
  return out;
}

/**
 * Uni-Modal Ensemble (paper 3.3): the teachers, trained alone, predict together by averaging their softmax
 * outputs. Nothing more trains, so every run reports it.
 */
export const ume: TrainingMethod = {
  id: 'ume',
  label: 'UME',
  reference: 'Du et al. 2023, §3.3 (Uni-Modal Ensemble)',
  needsTeachers: true,
  trains: 'nothing: averages the teachers',
  loss: () =>
    "none: the average of the uni-modal teachers' softmax predictions (each teacher trained with cross-entropy)",
  trainsIn: () => true,
  train: async ({ run, teachers }) => [
    {
      method: 'ume',
      probabilities: averagePredictions(teachers, run.all, run.classes.length),
      encoderFeatures: null,
      networks: teachers.map((t) => ({ name: `teacher-${t.modality}`, modalities: [t.modality], model: t.model })),
      ownsNetworks: false,
      trainingMs: 0,
    },
  ],
};
