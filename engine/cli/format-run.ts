import type { PhaseRef, RunEvent, RunResult } from '../protocol/run';

const percent = (v: number | undefined) => (v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);

export function describePhase(phase: PhaseRef): string {
  if (phase.phase === 'teacher') return `teacher ${phase.modality}`;
  if (phase.phase === 'probe' && phase.modality) return `probe ${phase.model} ${phase.modality}`;
  return phase.phase;
}

/** A plain progress line for logs (stderr when it is not a terminal): one per epoch and per decision. */
export function formatEventLine(event: RunEvent): string | null {
  switch (event.type) {
    case 'epoch':
      return `${describePhase(event)} epoch ${event.epoch}: loss ${event.trainLoss.toFixed(4)}, train ${percent(event.trainAccuracy)}, val ${percent(event.valAccuracy)} (${event.durationMs} ms)`;
    case 'decision':
      return `decision: linear classifier ${percent(event.decision.linearProbeAccuracy)} vs averaged teachers ${percent(event.decision.averagedPredictionAccuracy)} → ${event.decision.method.toUpperCase()}`;
    case 'log':
      return `${event.level}: ${event.message}`;
    case 'started':
      return `backend: ${event.backend.name} (tfjs ${event.backend.tfBackend} ${event.backend.version}, ${event.backend.threads} thread${event.backend.threads === 1 ? '' : 's'}${event.backend.simdKernels ? ', SIMD kernels' : ''})`;
    default:
      return null;
  }
}

/** The readable summary of a finished run. */
export function formatRunSummary(result: RunResult, runId: string): string {
  const { decision, test } = result;
  const lines = [
    `Run ${runId} on ${result.dataset.name} (${result.backend.name} backend, ${(result.durationMs / 1000).toFixed(1)} s)`,
    '',
    `Decision (validation split): ${decision.method.toUpperCase()}${decision.overridden ? ' (chosen by --method, against the rule)' : ''}`,
    `  linear classifier on frozen teachers  ${percent(decision.linearProbeAccuracy)}`,
    `  average of the teachers' predictions   ${percent(decision.averagedPredictionAccuracy)}`,
    `  difference, bootstrap 95% interval     [${percent(decision.differenceInterval[0])}, ${percent(decision.differenceInterval[1])}]`,
    ...Object.entries(decision.sliceAccuracy).map(([m, v]) => `  ${`the classifier's ${m} slice alone`.padEnd(38)} ${percent(v)}`),
    '',
    'Test accuracy:',
    ...Object.entries(test.teachers).map(([m, v]) => `  teacher ${m.padEnd(14)} ${percent(v)}`),
    `  UME (averaged)         ${percent(test.ume)}`,
    `  late fusion            ${percent(test.lateFusion)}`,
    ...(test.umt !== undefined ? [`  UMT                    ${percent(test.umt)}`] : []),
    `  final (${decision.method.toUpperCase()})            ${percent(test.final)}`,
    '',
    'Modality laziness (linear probe of each encoder, test accuracy):',
    `  ${'modality'.padEnd(14)} ${'teacher'.padStart(8)} ${'fusion'.padStart(8)} ${'UMT'.padStart(8)}`,
    ...Object.entries(result.laziness).map(([m, row]) => `  ${m.padEnd(14)} ${percent(row.teacher).padStart(8)} ${percent(row.lateFusion).padStart(8)} ${percent(row.umt).padStart(8)}`),
  ];
  return `${lines.join('\n')}\n`;
}
