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
  return {
    phase,
    ...(modality ? { modality } : {}),
    ...(model ? { model } : {}),
    ...(seed !== undefined ? { seed } : {}),
  };
}

const NAMES: Record<string, string> = {
  teacher: 'Teacher',
  decision: 'Decision classifier',
  probe: 'Linear probe',
  evaluation: 'Evaluation',
};

/** The `model` part of a phase: UMT's weight variant, G-Blending's estimation of a head, or a probe's encoder. */
function modelPart(model: string): string {
  if (model.startsWith('weight-')) return `distillation weight ${model.slice('weight-'.length)}`;
  if (model === 'estimate-fused') return "estimating the fused head's weight";
  if (model.startsWith('estimate-head-')) return `estimating ${model.slice('estimate-head-'.length)}'s head weight`;
  return `${methodLabel(model)} encoder`;
}

export function phaseLabel(ref: PhaseRef): string {
  const model = ref.model ? ` (${modelPart(ref.model)})` : '';
  const seed = ref.seed !== undefined ? ` · seed ${ref.seed}` : '';
  return `${NAMES[ref.phase] ?? methodLabel(ref.phase)}${ref.modality ? ` · ${ref.modality}` : ''}${model}${seed}`;
}

const SHARED_PHASES = new Set(['teacher', 'decision', 'probe', 'evaluation']);

/** The method phases among curve keys (late fusion, UMT, Auxiliary-CE, …), in the order they first appear. */
export function methodPhases(keys: string[]): string[] {
  return [...new Set(keys.map((key) => parsePhaseKey(key).phase).filter((phase) => !SHARED_PHASES.has(phase)))];
}

/** What a method's extra loss terms are, for the title of their chart. */
const EXTRA_TERMS: Record<string, string> = {
  umt: "distillation term (weighted MSE to the teachers' features)",
  'aux-ce': "the modality heads' cross-entropies",
  'g-blending': "the modality heads' weighted cross-entropies",
};

export function extraTermTitle(phase: string): string {
  return EXTRA_TERMS[phase] ?? 'extra loss terms';
}
