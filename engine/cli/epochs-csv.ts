import type { StoredRun } from '../protocol/store';

/** The epoch table of a run as CSV: one row per phase and epoch. */
export function epochsCsv(run: StoredRun): string {
  const lines = ['seed,phase,modality,model,epoch,train_loss,train_extra_loss,train_accuracy,val_loss,val_accuracy,learning_rate,duration_ms'];
  for (const phase of run.phases) {
    for (const e of phase.epochs) lines.push([phase.seed, phase.name, phase.modality ?? '', phase.model ?? '', e.epoch, e.trainLoss, e.trainExtraLoss ?? '', e.trainAccuracy, e.valLoss, e.valAccuracy, e.learningRate, e.durationMs].join(','));
  }
  return `${lines.join('\n')}\n`;
}
