import { SeededRandom } from '../../util/random';

/**
 * Generated two-modality vector datasets, our own construction in the spirit of the paper's Appendix A.10
 * (itself after Hessel & Lee, 2020). Every dataset has modalities `a` and `b`, each a 16-feature vector
 * x_m = P_m z_m + 0.05 ε, where z_m is a latent (4-D, 6-D for `mixed`), P_m a fixed random 16×L projection
 * (entries N(0, 1/L)) and ε standard normal noise. Three classes, drawn in equal numbers (rejection
 * sampling), so chance is 1/3. Only the latents differ:
 *
 * - `synthetic-unimodal` (uni-modal features only): unit directions w_c in latent space;
 *   z_a, z_b ~ N(0, I); y = argmax_c w_c·z_a, kept only when argmax_c w_c·z_b gives the same class and both
 *   winning margins exceed 0.3 (as A.10's dataset A). Each modality alone decides y.
 * - `synthetic-paired` (paired features only): a nuisance t ~ N(0, 6² I) shared with opposite signs,
 *   z_a = t + e_a, z_b = −t + e_b with e_a, e_b ~ N(0, I); y = argmax_c w_c·(e_a + e_b) (margin 0.3).
 *   z_a + z_b = e_a + e_b cancels the nuisance, so both modalities together decide y while each alone is
 *   close to chance: the label lives in the pairing.
 * - `synthetic-mixed` (both, as A.10's dataset C): latent dimensions 1–3 carry the paired rule, which tells
 *   classes 1 and 2 apart by sign(v·(e_a + e_b)) under the same cancelling nuisance; dimensions 4–6 carry
 *   class 0 uni-modally, easily in `a` (dimension 4 ≈ +3 for class 0, ~N(0, 1) otherwise) and harder in
 *   `b` (the product of the signs of dimensions 4–6 is positive for class 0 and negative otherwise, each
 *   |value| > 0.3). A uni-modal model finds class 0 and guesses between 1 and 2; a late-fusion model can
 *   find class 0 from `a` alone, so its `b` encoder has no reason to learn b's own evidence: the modality
 *   laziness that UMT's distillation is meant to undo.
 */

export type SyntheticKind = 'unimodal' | 'paired' | 'mixed';

export interface GeneratedVectors {
  labels: string[];
  modalities: { name: string; vectors: Float32Array[] }[];
}

const LATENT = 4;
const MIXED_LATENT = 6;
const FEATURES = 16;
const NUISANCE_SCALE = 6;
const MARGIN = 0.3;
const OBSERVATION_NOISE = 0.05;

export function generateSynthetic(kind: SyntheticKind, samples: number, seed: number): GeneratedVectors {
  const random = new SeededRandom(seed);
  const latent = kind === 'mixed' ? MIXED_LATENT : LATENT;
  const projections = [
    randomMatrix(random, FEATURES, latent, 1 / Math.sqrt(latent)),
    randomMatrix(random, FEATURES, latent, 1 / Math.sqrt(latent)),
  ];
  const directions = Array.from({ length: 3 }, () => unit(Array.from({ length: LATENT }, () => random.normal())));
  const labels: string[] = [];
  const latents: [number[], number[]][] = [];
  const perClass = [0, 0, 0];
  const quota = (c: number) => Math.floor(samples / 3) + (c < samples % 3 ? 1 : 0);
  while (labels.length < samples) {
    const drawn = drawLatents(kind, random, directions);
    if (!drawn || (perClass[drawn.label] ?? 0) >= quota(drawn.label)) continue;
    perClass[drawn.label] = (perClass[drawn.label] ?? 0) + 1;
    labels.push(`class-${drawn.label}`);
    latents.push([drawn.a, drawn.b]);
  }
  return {
    labels,
    modalities: ['a', 'b'].map((name, m) => ({
      name,
      vectors: latents.map((pair) => observe(projections[m] as number[][], pair[m] as number[], random)),
    })),
  };
}

function drawLatents(
  kind: SyntheticKind,
  random: SeededRandom,
  directions: number[][],
): { label: number; a: number[]; b: number[] } | null {
  const gaussian = (scale = 1) => Array.from({ length: LATENT }, () => scale * random.normal());
  if (kind === 'unimodal') {
    const a = gaussian();
    const b = gaussian();
    const [labelA, marginA] = decide(directions, a);
    const [labelB, marginB] = decide(directions, b);
    if (labelA !== labelB || marginA < MARGIN || marginB < MARGIN) return null;
    return { label: labelA, a, b };
  }
  const t = gaussian(NUISANCE_SCALE);
  const ea = gaussian();
  const eb = gaussian();
  const sum = ea.map((v, i) => v + (eb[i] ?? 0));
  if (kind === 'paired') {
    const [label, margin] = decide(directions, sum);
    if (margin < MARGIN) return null;
    return {
      label,
      a: add(t, ea),
      b: add(
        t.map((v) => -v),
        eb,
      ),
    };
  }
  // Mixed: dimensions 0-2 carry the paired rule, 3-5 the uni-modal evidence of class 0.
  const paired = (base: number[]) => [...base.slice(0, 3), 0, 0, 0];
  const a = paired(add(t, ea));
  const b = paired(
    add(
      t.map((v) => -v),
      eb,
    ),
  );
  const isClassZero = random.next() < 1 / 3;
  a[3] = isClassZero ? 3 + random.normal() : random.normal();
  a[4] = random.normal();
  a[5] = random.normal();
  const signs = drawSignPattern(random, isClassZero ? 1 : -1);
  b[3] = signs[0] ?? 0;
  b[4] = signs[1] ?? 0;
  b[5] = signs[2] ?? 0;
  if (isClassZero) return { label: 0, a, b };
  const first = directions[0] ?? [];
  const pairedScore = first.slice(0, 3).reduce((sum2, w, i) => sum2 + w * (sum[i] ?? 0), 0);
  if (Math.abs(pairedScore) < MARGIN) return null;
  return { label: pairedScore > 0 ? 1 : 2, a, b };
}

/** Three normal values, each |v| > MARGIN, whose signs multiply to `sign` (a 3-bit parity: hard to read linearly). */
function drawSignPattern(random: SeededRandom, sign: 1 | -1): number[] {
  for (;;) {
    const values = [random.normal(), random.normal(), random.normal()];
    if (values.some((v) => Math.abs(v) < MARGIN)) continue;
    if (Math.sign(values.reduce((p, v) => p * v, 1)) === sign) return values;
  }
}

/** The class with the largest score, and its margin over the runner-up. */
function decide(directions: number[][], z: number[]): [number, number] {
  const scores = directions.map((w) => w.reduce((s, v, i) => s + v * (z[i] ?? 0), 0));
  const order = scores.map((s, i) => [s, i] as const).sort((x, y) => y[0] - x[0]);
  return [order[0]?.[1] ?? 0, (order[0]?.[0] ?? 0) - (order[1]?.[0] ?? 0)];
}

function observe(projection: number[][], latent: number[], random: SeededRandom): Float32Array {
  return Float32Array.from(
    projection,
    (row) => row.reduce((s, p, j) => s + p * (latent[j] ?? 0), 0) + OBSERVATION_NOISE * random.normal(),
  );
}

function randomMatrix(random: SeededRandom, rows: number, cols: number, scale: number): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => scale * random.normal()));
}

function unit(v: number[]): number[] {
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

function add(x: number[], y: number[]): number[] {
  return x.map((v, i) => v + (y[i] ?? 0));
}
