import { methodLabel, type PhaseRef } from '../../../engine/protocol/run';

export { methodLabel };

/**
 * One key per trained phase, as a JSON array `[phase, modality, model]` (method ids hold ':', so no separator
 * character is safe), with the seed appended for seeds after the run's first: a single-seed run's keys are
 * the same whatever its seed, so runs with different seeds still compare phase by phase.
 */
export function phaseKey(ref: PhaseRef, firstSeed?: number): string {
  const seed = ref.seed !== undefined && firstSeed !== undefined && ref.seed !== firstSeed ? [ref.seed] : [];
  return JSON.stringify([ref.phase, ref.modality ?? '', ref.model ?? '', ...seed]);
}

/** Parses a key back (stored phases come with their parts; live ones are keyed). */
export function parsePhaseKey(key: string): PhaseRef {
  const [phase, modality, model, seed] = JSON.parse(key) as [string, string, string, number | undefined];
  return { phase, ...(modality ? { modality } : {}), ...(model ? { model } : {}), ...(seed !== undefined ? { seed } : {}) };
}

const NAMES: Record<string, string> = {
  teacher: 'Teacher',
  decision: 'Decision classifier',
  probe: 'Linear probe',
  evaluation: 'Evaluation',
};

export function phaseLabel(ref: PhaseRef): string {
  const model = ref.model ? ` (${ref.model.startsWith('weight-') ? `distillation weight ${ref.model.slice(7)}` : `${methodLabel(ref.model)} encoder`})` : '';
  const seed = ref.seed !== undefined ? ` · seed ${ref.seed}` : '';
  return `${NAMES[ref.phase] ?? methodLabel(ref.phase)}${ref.modality ? ` · ${ref.modality}` : ''}${model}${seed}`;
}
