import type { PhaseRef } from '../../../engine/protocol/run';

/** One key per trained phase: `teacher:left`, `probe:left:lateFusion`, `umt`. */
export function phaseKey(ref: PhaseRef): string {
  return [ref.phase, ref.modality, ref.model].filter(Boolean).join(':');
}

const NAMES: Record<PhaseRef['phase'], string> = {
  teacher: 'Teacher',
  decision: 'Decision classifier',
  'late-fusion': 'Late fusion',
  umt: 'UMT',
  ume: 'UME',
  probe: 'Linear probe',
  evaluation: 'Test evaluation',
};

const MODELS: Record<string, string> = { teacher: 'teacher encoder', lateFusion: 'late-fusion encoder', umt: 'UMT encoder' };

export function phaseLabel(ref: PhaseRef): string {
  const model = ref.model ? ` (${MODELS[ref.model] ?? ref.model})` : '';
  return `${NAMES[ref.phase]}${ref.modality ? ` · ${ref.modality}` : ''}${model}`;
}

/** Parses a key back (stored phases come with their parts; live ones are keyed). */
export function parsePhaseKey(key: string): PhaseRef {
  const [phase, modality, model] = key.split(':');
  return { phase: phase as PhaseRef['phase'], ...(modality ? { modality } : {}), ...(model ? { model } : {}) };
}
