import { leadInWords, selectionInWords } from '../protocol/decision-words';
import type { CandidateResult, PhaseRef, RunEvent, RunResult } from '../protocol/run';

const percent = (v: number | undefined) => (v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);

import { seedStatText as formatStat } from '../protocol/seed-stat';

export function describePhase(phase: PhaseRef): string {
  const seed = phase.seed !== undefined ? ` (seed ${phase.seed})` : '';
  if (phase.phase === 'teacher') return `teacher ${phase.modality}${seed}`;
  if (phase.phase === 'probe' && phase.modality) return `probe ${phase.model} ${phase.modality}${seed}`;
  return `${[phase.phase, phase.model].filter(Boolean).join(' ')}${seed}`;
}

/** A plain progress line for logs (stderr when it is not a terminal): one per epoch and per decision. */
export function formatEventLine(event: RunEvent): string | null {
  switch (event.type) {
    case 'epoch':
      return `${describePhase(event)} epoch ${event.epoch}: loss ${event.trainLoss.toFixed(4)}${event.trainExtraLoss !== undefined ? ` (fused cross-entropy ${(event.trainLoss - event.trainExtraLoss).toFixed(4)} + ${event.phase === 'umt' ? 'distillation' : 'extra terms'} ${event.trainExtraLoss.toFixed(4)})` : ''}, train ${percent(event.trainAccuracy)}, ${event.model?.startsWith('estimate-') ? 'held-out' : 'val'} ${percent(event.valAccuracy)} (${event.durationMs} ms)`;
    case 'decision':
      return `decision: linear classifier ${percent(event.decision.linearProbeAccuracy)} vs averaged teachers ${percent(event.decision.averagedPredictionAccuracy)} → ${event.decision.method.toUpperCase()}`;
    case 'final':
      return `final model: ${event.final.method} (${event.final.reason})`;
    case 'log':
      return `${event.level}: ${event.message}`;
    case 'started':
      return `backend: ${event.backend.name} (tfjs ${event.backend.tfBackend} ${event.backend.version}, ${event.backend.threads} thread${event.backend.threads === 1 ? '' : 's'}${event.backend.simdKernels ? ', SIMD kernels' : ''})${event.backend.choice ? `; auto chose ${event.backend.choice.reason}` : ''}`;
    default:
      return null;
  }
}

function candidateLine(c: CandidateResult, marks: string): string {
  const weight = c.distillWeight !== undefined ? ` (weight ${c.distillWeight})` : '';
  return `  ${`${c.label}${weight}`.padEnd(26)} ${formatStat(c.val).padStart(14)} ${formatStat(c.test).padStart(14)}  ${marks}`.trimEnd();
}

/** The readable summary of a finished run. */
export function formatRunSummary(result: RunResult, runId: string): string {
  const { decision, final } = result;
  const candidates = Object.values(result.candidates);
  const bestOn = (split: 'val' | 'test') => Math.max(...candidates.map((c) => c[split].mean));
  const seeds = result.seeds.length > 1 ? `, seeds ${result.seeds.join(', ')}: mean ± sd` : '';
  const lines = [
    `Run ${runId} on ${result.dataset.name} (${result.backend.name} backend, ${(result.durationMs / 1000).toFixed(1)} s)`,
    '',
    `Decision trick (validation split): ${decision.method.toUpperCase()}${decision.overridden ? ' (chosen by --method, against the rule)' : ''}`,
    `  linear classifier on frozen teachers  ${percent(decision.linearProbeAccuracy)}`,
    `  average of the teachers' predictions   ${percent(decision.averagedPredictionAccuracy)}`,
    `  difference, bootstrap 95% interval     [${percent(decision.differenceInterval[0])}, ${percent(decision.differenceInterval[1])}]`,
    `  ${leadInWords(decision)}; ${selectionInWords(decision).replace(/^its/, "the classifier's")}`,
    ...Object.entries(decision.sliceAccuracy).map(
      ([m, v]) => `  ${`the classifier's ${m} slice alone`.padEnd(38)} ${percent(v)}`,
    ),
    '',
    `Accuracy of every model (final chosen on validation${seeds}):`,
    `  ${'model'.padEnd(26)} ${'validation'.padStart(14)} ${'test'.padStart(14)}`,
    ...candidates.map((c) =>
      candidateLine(
        c,
        [c.method === final.method ? 'FINAL' : '', c.val.mean === bestOn('val') ? 'best on val' : '']
          .filter(Boolean)
          .join(', '),
      ),
    ),
    '',
    `Final model: ${result.candidates[final.method]?.label ?? final.method}. ${final.reason}`,
    ...result.notices.map((n) => `Note: ${n}`),
    ...Object.values(result.candidates).flatMap((c) =>
      c.weightSearch
        ? [
            `UMT's distillation weight, chosen on validation: ${c.weightSearch.map((w) => `${w.weight} → ${formatStat(w.val)}`).join(', ')}`,
          ]
        : [],
    ),
    ...Object.values(result.candidates).flatMap((c) =>
      (c.estimated ?? []).map(
        (e) =>
          `${c.label} estimated (seed ${e.seed}): ${e.values.map((v) => `${v.label} ${v.value.toFixed(3)}`).join(', ')}`,
      ),
    ),
    '',
    'Modality laziness (linear probe of each encoder on the test split, against its teacher):',
    ...result.lazinessVerdicts.map((v) => `  ${v.text}`),
  ];
  return `${lines.join('\n')}\n`;
}
