import type { FinalChoice, RunConfig } from '../protocol/run';
import { pointsNumber as num, pointsText as pts } from './in-words';
import { withinNoise } from './metrics';
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
  return [
    `The teacher${modalities.length > 1 ? 's' : ''} of ${which} ${modalities.length > 1 ? 'were' : 'was'} still improving at the last of ${config.teacherEpochs} epochs: the advice rests on teachers that may be under-trained. More teacher epochs (--teacher-epochs) may change it.`,
  ];
}

/**
 * When the final model (chosen on validation) is not the method the run went on with, say so in plain words,
 * and whether its lead there is more than the noise (the bootstrap interval of the selection).
 */
export function finalNotices(
  final: Pick<FinalChoice, 'method' | 'recommended' | 'overridden' | 'interval'>,
  labels: Record<string, string>,
): string[] {
  if (final.method === final.recommended) return [];
  const chosen = labels[final.method] ?? final.method;
  const recommended = labels[final.recommended] ?? final.recommended;
  const whose = final.overridden ? 'your choice at the decision' : "the decision trick's recommendation";
  const lead =
    final.interval === null
      ? `${chosen} is the best on the validation split.`
      : withinNoise(final.interval)
        ? `${chosen} is better on the validation split, but within noise of it (interval ${num(final.interval[0])} to ${pts(final.interval[1])}): on other data or seeds either could win.`
        : `${chosen} is better on the validation split by more than the noise (interval ${num(final.interval[0])} to ${pts(final.interval[1])}).`;
  return [`The final model is ${chosen}, not ${recommended} (${whose}): ${lead}`];
}
