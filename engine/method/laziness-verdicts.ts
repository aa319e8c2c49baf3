import type { LazinessVerdict, MethodId } from '../protocol/run';
import type { ProbeResult } from './laziness';
import { seedStat } from '../protocol/seed-stat';
import { percentText as pct, pointsNumber as num } from './in-words';
import { bootstrapDifference, withinNoise } from './metrics';
import { teacherId } from './methods/teacher';

/**
 * Each fused model's encoder of each modality against that modality's teacher (paper 3.1, Table 2): lazy when
 * its probe is below the teacher's by more than the noise, that is when the whole bootstrap 95% interval of
 * the difference (test samples and seeds, paired) is below 0.
 */
export function lazinessVerdicts(
  probes: ProbeResult[],
  labels: Record<MethodId, string>,
  resamples: number,
  seed: number,
): LazinessVerdict[] {
  const verdicts: LazinessVerdict[] = [];
  const modalities = [...new Set(probes.map((p) => p.modality))];
  const fusedModels = [...new Set(probes.filter((p) => !p.model.startsWith('teacher:')).map((p) => p.model))];
  for (const model of fusedModels) {
    for (const modality of modalities) {
      const of = (id: MethodId) =>
        probes.filter((p) => p.modality === modality && p.model === id).sort((a, b) => a.seed - b.seed);
      const teacher = of(teacherId(modality));
      const fused = of(model);
      if (teacher.length === 0 || fused.length !== teacher.length) continue;
      const t = seedStat(teacher.map((p) => p.accuracy)).mean;
      const f = seedStat(fused.map((p) => p.accuracy)).mean;
      const interval = bootstrapDifference(
        fused.map((p) => p.correct),
        teacher.map((p) => p.correct),
        resamples,
        seed,
      );
      const verdict = withinNoise(interval) ? 'within-noise' : interval[1] < 0 ? 'lazy' : 'not-lazy';
      const label = labels[model] ?? model;
      const range = `interval ${num(interval[0])} to ${num(interval[1])} pts`;
      const text =
        verdict === 'lazy'
          ? `${modality} is lazy in ${label}: its encoder probes at ${pct(f)}, ${num(t - f)} pts below its teacher's ${pct(t)} (${range}). Joint training let the other modalities do its work.`
          : verdict === 'within-noise'
            ? `${modality} in ${label}: its encoder probes at ${pct(f)} against its teacher's ${pct(t)}, a difference within noise (${range}); no sign of laziness.`
            : `${modality} in ${label}: its encoder probes at ${pct(f)}, above its teacher's ${pct(t)} (${range}); not lazy.`;
      verdicts.push({ modality, model, teacher: t, fused: f, interval, verdict, text });
    }
  }
  return verdicts;
}
