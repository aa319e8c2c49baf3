import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CandidateResult, FinalChoice } from '../engine/protocol/run';
import { cliWith, lastJson } from './helpers/cli';
import { makeTempDir } from './helpers/dataset-folder';

const home = makeTempDir('cli-seeds');
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));
const cli = cliWith({ MODALITY_STUDIO_HOME: home, MODALITY_STUDIO_CACHE: path.join(home, 'cache') });

interface RunJson {
  seeds: number[];
  candidates: Record<string, CandidateResult>;
  final: FinalChoice;
  decision: { method: string };
  test: { final: number; lateFusion: number; ume: number; teachers: Record<string, number> };
}

describe('run --seeds 3 --json', () => {
  it('repeats the method per seed and prints every candidate as mean ± sd with per-seed values, and the final model chosen on validation', () => {
    const run = cli(
      'run',
      'synthetic-mixed',
      '--seeds',
      '3',
      '--seed',
      '1',
      '--epochs',
      '3',
      '--teacher-epochs',
      '3',
      '--probe-epochs',
      '3',
      '--backend',
      'wasm',
      '--json',
      '--db',
      path.join(home, 'runs.sqlite'),
    );
    expect(run.code, run.stderr).toBe(0);
    const json = lastJson<RunJson>(run.stdout);
    expect(json.seeds).toEqual([1, 2, 3]);
    expect(Object.keys(json.candidates)).toEqual(
      expect.arrayContaining(['late-fusion', 'ume', 'teacher:a', 'teacher:b']),
    );
    expect('umt' in json.candidates).toBe(json.decision.method === 'umt');
    for (const c of Object.values(json.candidates)) {
      for (const stat of [c.val, c.test]) {
        expect(stat.perSeed).toHaveLength(3);
        expect(stat.mean).toBeCloseTo(stat.perSeed.reduce((s, v) => s + v, 0) / 3, 12);
        expect(stat.sd).toBeGreaterThanOrEqual(0);
      }
    }
    expect(json.candidates.umt?.distillWeight ?? 50).toBe(50);
    // Today's fields stay: test.final is the final model's mean test accuracy.
    expect(json.test.final).toBe(json.candidates[json.final.method]!.test.mean);
    expect(json.test.lateFusion).toBe(json.candidates['late-fusion']!.test.mean);
    expect(json.final.recommended).toBe(json.decision.method);
    const bestVal = Math.max(...Object.values(json.candidates).map((c) => c.val.mean));
    const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
    // The final model is the validation-best; when it is not the recommendation, the reason names both numbers.
    expect(json.final.val.mean).toBe(bestVal);
    if (json.final.method !== json.final.recommended) {
      expect(json.final.interval).not.toBeNull();
      expect(json.final.reason).toContain(
        `(${pct(json.final.val.mean)} vs ${pct(json.candidates[json.final.recommended]!.val.mean)})`,
      );
    }
    expect(json.final.reason).toContain(pct(json.final.val.mean));
    // The readable summary shows the same table, with the seeds.
    const shown = cli(
      'runs',
      'show',
      lastJson<{ runId: string }>(run.stdout).runId,
      '--db',
      path.join(home, 'runs.sqlite'),
    );
    expect(shown.stdout).toContain('seeds     1, 2, 3');
    expect(shown.stdout).toContain(json.final.reason);
  }, 240_000);

  it('--compare all trains every registered method as a candidate; an unknown --methods id is refused before any data is read', () => {
    const db = path.join(home, 'compare.sqlite');
    const run = cli(
      'run',
      'synthetic-mixed',
      '--compare',
      'all',
      '--epochs',
      '2',
      '--teacher-epochs',
      '2',
      '--probe-epochs',
      '2',
      '--backend',
      'wasm',
      '--json',
      '--db',
      db,
    );
    expect(run.code, run.stderr).toBe(0);
    const json = lastJson<
      RunJson & { config: { methods: string[] }; laziness: Record<string, Record<string, number>> }
    >(run.stdout);
    const fused = ['late-fusion', 'umt', 'aux-ce', 'modality-dropout', 'ogm-ge', 'g-blending'];
    expect(Object.keys(json.candidates)).toEqual([
      'late-fusion',
      'ume',
      'umt',
      'aux-ce',
      'modality-dropout',
      'ogm-ge',
      'g-blending',
      'teacher:a',
      'teacher:b',
    ]);
    expect(json.config.methods).toEqual(['all']);
    for (const c of Object.values(json.candidates))
      expect([c.val.mean, c.test.mean].every((v) => v >= 0 && v <= 1)).toBe(true);
    // The final model is the validation-best of all of them.
    expect(json.final.val.mean).toBe(Math.max(...Object.values(json.candidates).map((c) => c.val.mean)));
    // Every fused method's encoders are probed, keyed by method id, with the old keys beside them.
    for (const modality of ['a', 'b']) {
      const row = json.laziness[modality]!;
      for (const id of [...fused, `teacher:${modality}`]) expect(row[id], `${modality} ${id}`).toBeGreaterThan(0);
      expect(row.teacher).toBe(row[`teacher:${modality}`]);
      expect(row.lateFusion).toBe(row['late-fusion']);
      // `umt` is both the old key and the method id: the loop above checked it.
    }
    // G-Blending's weights, estimated on a held-out part of the training split, are recorded and sum to 1.
    const weights = json.candidates['g-blending']!.estimated![0]!.values;
    expect(weights.map((w) => w.label)).toEqual([
      'weight of the fused head',
      "weight of a's head",
      "weight of b's head",
    ]);
    expect(weights.reduce((s, w) => s + w.value, 0)).toBeCloseTo(1, 9);
    const shown = cli('runs', 'show', lastJson<{ runId: string }>(run.stdout).runId, '--db', db);
    expect(shown.stdout).toContain(
      `G-Blending estimated (seed 0): weight of the fused head ${weights[0]!.value.toFixed(3)}`,
    );
    const unknown = cli('run', 'synthetic-mixed', '--methods', 'aux-ce,ogm', '--db', db);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      'Setting "methods" names "ogm", which is not a training method. Known: late-fusion, ume, umt, aux-ce, modality-dropout, ogm-ge, g-blending',
    );
    expect(cli('run', 'synthetic-mixed', '--compare', 'some', '--db', db).stderr).toContain('--compare takes all');
    // Neither refused run was recorded.
    expect(JSON.parse(cli('runs', 'list', '--json', '--db', db).stdout).runs).toHaveLength(1);
  }, 240_000);
});
