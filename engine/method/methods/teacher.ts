import { methodLabel } from '../../protocol/run';
import type { TrainingMethod } from './method';

export const TEACHER_PREFIX = 'teacher:';

/** The method id of a modality's teacher alone. */
export function teacherId(modality: string): string {
  return `${TEACHER_PREFIX}${modality}`;
}

/**
 * One uni-modal teacher alone (paper 3.3, step 1 of UMT and UME): its encoder and linear head trained on its
 * modality with cross-entropy. Already trained by the time methods run; as a candidate it says what that
 * modality achieves by itself.
 */
export function teacherMethod(modality: string): TrainingMethod {
  return {
    id: teacherId(modality),
    label: methodLabel(teacherId(modality)),
    reference: 'Du et al. 2023, §3.3 (uni-modal teacher)',
    needsTeachers: true,
    trains: 'nothing more: the teacher trained before the decision',
    loss: () => `cross-entropy of ${modality} alone`,
    trainsIn: () => true,
    train: async ({ teachers }) => {
      const teacher = teachers.find((t) => t.modality === modality);
      if (!teacher) throw new Error(`No teacher was trained for modality ${modality}.`);
      return [
        {
          method: teacherId(modality),
          probabilities: teacher.probabilities,
          encoderFeatures: null,
          networks: [{ name: 'teacher', modalities: [modality], model: teacher.model }],
          ownsNetworks: false,
          trainingMs: teacher.trainingMs,
        },
      ];
    },
  };
}
