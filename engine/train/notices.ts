import type { RunConfig } from '../protocol/run';
import type { TrainedTeacher } from './teachers';

/**
 * A teacher whose best validation epoch was its last one may not have finished learning; the decision trick
 * and UMT's distillation both rest on the teachers (paper 3.3), so the advice may change with more epochs.
 */
export function teacherNotices(teachers: TrainedTeacher[], config: Pick<RunConfig, 'teacherEpochs'>): string[] {
  const improving = teachers.filter((t) => !t.fit.stoppedEarly && t.fit.bestEpoch === config.teacherEpochs);
  const modalities = [...new Set(improving.map((t) => t.modality))];
  if (modalities.length === 0) return [];
  const seeds = (m: string) => improving.filter((t) => t.modality === m).map((t) => t.seed);
  const which = modalities.map((m) => `${m} (seed${seeds(m).length > 1 ? 's' : ''} ${seeds(m).join(', ')})`).join(', ');
  return [`The teacher${modalities.length > 1 ? 's' : ''} of ${which} ${modalities.length > 1 ? 'were' : 'was'} still improving at the last of ${config.teacherEpochs} epochs: the advice rests on teachers that may be under-trained. More teacher epochs (--teacher-epochs) may change it.`];
}
