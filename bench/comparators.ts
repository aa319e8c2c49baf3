/**
 * `npm run bench:comparators [-- --seeds N] [-- --datasets a,b] [-- --epochs N] [-- --json]`: our OGM-GE and
 * G-Blending (and late fusion, their baseline) against a PyTorch reference written from their authors' code
 * (bench/reference/comparators.py), on the three synthetic built-ins with the same split, architecture and
 * selection rules. Per dataset and method: test accuracy, mean ± sd over the seeds, ours and the reference's,
 * and whether the difference is inside seed noise; for OGM-GE each modality's mean coefficient k over the
 * modulated steps, for G-Blending each head's weight. This is where the README's comparison of the methods
 * with their reference comes from. Installs Debian's python3-torch with apt-get when it is missing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CandidateResult } from '../engine/protocol/run';
import { datasetsOption, option } from './argv';
import { builtinWithSplit } from './builtin-with-split';
import { runCliJson } from './cli-run';
import { ensureTorch, runPython } from './python';
import { compareSamples, formatStat, type Comparison } from './seed-noise';

const ROOT = path.resolve(import.meta.dirname, '..');
const seeds = Number(option('seeds') ?? '3');
const datasets = datasetsOption();
const epochs = Number(option('epochs') ?? '30');
const json = process.argv.includes('--json');
const log = (line: string) => process.stderr.write(`[bench:comparators] ${line}\n`);

interface ReferenceResult {
  lateFusion: { val: number[]; test: number[] };
  ogmGe: { val: number[]; test: number[]; coefficients: Record<string, number>[] };
  gBlending: { val: number[]; test: number[]; heads: { head: string; weight: number }[][] };
  seconds: number;
  torch: string;
  threads: number;
}

interface OursResult {
  candidates: Record<string, CandidateResult>;
}

/** Our CLI on the folder: late fusion, OGM-GE and G-Blending with `seeds` seeds on wasm (teachers and the decision train too). */
function runOurs(dir: string, home: string): { result: OursResult; seconds: number } {
  fs.rmSync(home, { recursive: true, force: true });
  const methods = ['--backend', 'wasm', '--methods', 'late-fusion,ogm-ge,g-blending', '--seeds', String(seeds)];
  return runCliJson<OursResult>(
    dir,
    [...methods, '--epochs', String(epochs), '--teacher-epochs', String(epochs)],
    home,
  );
}

interface Row {
  dataset: string;
  methods: { method: string; ours: number[]; reference: number[]; comparison: Comparison }[];
  /** OGM-GE: each modality's mean k per seed. */
  coefficients: { modality: string; ours: number[]; reference: number[]; comparison: Comparison }[];
  /** G-Blending: each head's weight per seed. */
  weights: { head: string; ours: number[]; reference: number[]; comparison: Comparison }[];
  seconds: { ours: number; reference: number };
}

function compareDataset(dataset: string, dir: string, work: string): Row {
  log(`${dataset}: ours (wasm, ${seeds} seeds, ${epochs} epochs)…`);
  const ours = runOurs(dir, path.join(work, 'home'));
  log(`${dataset}: the PyTorch reference…`);
  const reference = runPython<ReferenceResult>(path.join(ROOT, 'bench', 'reference', 'comparators.py'), [
    dir,
    String(seeds),
    String(epochs),
  ]);
  const candidate = (id: string) => {
    const found = ours.result.candidates[id];
    if (!found) throw new Error(`Our run of ${dataset} has no ${id} candidate.`);
    return found;
  };
  const methods = (
    [
      ['late-fusion', 'lateFusion'],
      ['ogm-ge', 'ogmGe'],
      ['g-blending', 'gBlending'],
    ] as const
  ).map(([id, key]) => {
    const oursTest = candidate(id).test.perSeed;
    const percent = (values: number[]) => values.map((v) => v * 100);
    return {
      method: candidate(id).label,
      ours: oursTest,
      reference: reference[key].test,
      comparison: compareSamples(percent(oursTest), percent(reference[key].test)),
    };
  });
  const ogm = candidate('ogm-ge').estimated ?? [];
  const modalities = Object.keys(reference.ogmGe.coefficients[0] ?? {}).filter((k) => k !== 'steps');
  const coefficients = modalities.map((modality) => {
    const mine = ogm.map((e) => e.modulation?.find((m) => m.modality === modality)?.meanCoefficient ?? Number.NaN);
    const theirs = reference.ogmGe.coefficients.map((c) => c[modality] ?? Number.NaN);
    return { modality, ours: mine, reference: theirs, comparison: compareSamples(mine, theirs) };
  });
  const blend = candidate('g-blending').estimated ?? [];
  const heads = (reference.gBlending.heads[0] ?? []).map((h) => h.head);
  const weights = heads.map((head) => {
    const mine = blend.map((e) => e.heads?.find((h) => h.head === head)?.weight ?? Number.NaN);
    const theirs = reference.gBlending.heads.map((list) => list.find((h) => h.head === head)?.weight ?? Number.NaN);
    return { head, ours: mine, reference: theirs, comparison: compareSamples(mine, theirs) };
  });
  return { dataset, methods, coefficients, weights, seconds: { ours: ours.seconds, reference: reference.seconds } };
}

const pct = (values: number[]) =>
  formatStat(
    values.map((v) => v * 100),
    1,
  );
const plain = (values: number[]) => formatStat(values, 3);

ensureTorch(log);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ms-bench-comparators-'));
try {
  const rows: Row[] = [];
  for (const dataset of datasets) {
    rows.push(compareDataset(dataset, await builtinWithSplit(dataset, work), work));
  }
  if (json) {
    process.stdout.write(`${JSON.stringify({ seeds, epochs, cpus: os.cpus().length, rows })}\n`);
  } else {
    for (const row of rows) {
      process.stdout.write(
        `\n${row.dataset} (${seeds} seeds, ${epochs} epochs; ours ${row.seconds.ours.toFixed(0)} s with teachers and probes, reference ${row.seconds.reference.toFixed(0)} s)\n`,
      );
      process.stdout.write('| test accuracy % | ours | PyTorch reference | ours − reference |\n|---|---|---|---|\n');
      for (const m of row.methods)
        process.stdout.write(`| ${m.method} | ${pct(m.ours)} | ${pct(m.reference)} | ${m.comparison.words} |\n`);
      for (const c of row.coefficients)
        process.stdout.write(
          `| OGM-GE: mean k of ${c.modality} | ${plain(c.ours)} | ${plain(c.reference)} | ${c.comparison.words} |\n`,
        );
      for (const w of row.weights)
        process.stdout.write(
          `| G-Blending: weight of ${w.head === 'fused' ? 'the fused head' : `${w.head}'s head`} | ${plain(w.ours)} | ${plain(w.reference)} | ${w.comparison.words} |\n`,
        );
    }
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
