import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, type Decision } from '../../../engine/protocol/run';
import type { RunSummary } from '../../../engine/protocol/store';
import { planOf, runSecondsLeft, secondsLeft } from './eta';
import { explainDecision } from './explain-decision';
import { duration, percent, runTime } from './format';
import { recentDatasets, rememberDataset } from './recent';
import { parseRoute } from './route';
import { columnValue, DEFAULT_FILTER, runQuery, RUNS_PAGE_SIZE } from './run-table';
import { parseField, SETTING_FIELDS } from './settings';

const decision = (over: Partial<Decision>): Decision => ({
  method: 'umt',
  overridden: false,
  linearProbeAccuracy: 0.9,
  averagedPredictionAccuracy: 0.7,
  sliceAccuracy: { audio: 0.6, video: 0.5 },
  differenceInterval: [0.1, 0.3],
  split: 'val',
  ...over,
});

describe('what the UI says about the decision', () => {
  it('recommends UMT with the numbers when the joint classifier wins, without a caution when the interval excludes 0', () => {
    const text = explainDecision(decision({}), ['audio', 'video'], 50);
    expect(text.recommended).toBe('umt');
    expect(text.reasons.join(' ')).toContain('90.0%');
    expect(text.reasons.join(' ')).toContain('+20.0 pts');
    expect(text.reasons.at(-1)).toBe("Each modality's part of the joint classifier, alone: audio 60.0%, video 50.0%.");
    expect(text.caution).toBeNull();
  });

  it("recommends the trick's method even when the run was overridden, and cautions when the interval includes 0", () => {
    const text = explainDecision(
      decision({
        method: 'umt',
        overridden: true,
        linearProbeAccuracy: 0.7,
        averagedPredictionAccuracy: 0.72,
        differenceInterval: [-0.05, 0.02],
      }),
      ['audio', 'video'],
      50,
    );
    expect(text.recommended).toBe('ume');
    expect(text.headline).toBe('Recommended: UME (uni-modal ensemble)');
    expect(text.caution).toContain('includes zero');
  });

  it('states the distillation weight the run uses, and claims nothing about laziness before the probes measured it', () => {
    const text = explainDecision(decision({}), ['audio', 'video'], 5).reasons.join(' ');
    expect(text).toContain('weight 5 in this run');
    expect(text).not.toContain('weight 50)');
    expect(text).not.toMatch(/no modality's encoder gets lazy/);
    const auto = explainDecision(decision({}), ['audio', 'video'], 'auto').reasons.join(' ');
    expect(auto).toContain('weight chosen on validation among 1, 5, 20 and 50');
    expect(auto).toContain('the final model is the one best on the validation split');
  });
});

describe('the run table', () => {
  const run = (id: string, over: Partial<RunSummary>): RunSummary => ({
    id,
    dataset: 'd',
    method: 'umt',
    seeds: 1,
    status: 'completed',
    final: 0.5,
    startedAt: '2026-01-01T00:00:00Z',
    durationMs: 1,
    waitingMs: 0,
    config: DEFAULT_CONFIG,
    backend: 'wasm',
    overridden: false,
    tags: [],
    ...over,
  });
  it('asks the database for one page of runs, with the search, status and sort of the table', () => {
    expect(runQuery(DEFAULT_FILTER, 0)).toEqual({
      limit: RUNS_PAGE_SIZE,
      offset: 0,
      sort: { column: 'started', direction: 'desc' },
    });
    expect(
      runQuery({ search: '  paired  ', status: 'failed', sortKey: 'config:teacherEpochs', descending: false }, 2),
    ).toEqual({
      limit: RUNS_PAGE_SIZE,
      offset: 2 * RUNS_PAGE_SIZE,
      search: 'paired',
      status: 'failed',
      sort: { column: 'config.teacherEpochs', direction: 'asc' },
    });
    expect(runQuery({ ...DEFAULT_FILTER, sortKey: 'durationMs' }, 0).sort).toEqual({
      column: 'duration',
      direction: 'desc',
    });
    expect(runQuery({ ...DEFAULT_FILTER, sortKey: 'final' }, 0).sort?.column).toBe('final');
  });

  it('shows a setting the user added as a column, lists as text, a run without the setting as missing', () => {
    const withConfig = [
      run('x', { config: { ...DEFAULT_CONFIG, teacherEpochs: 5, mlpHidden: [64, 32] } }),
      run('z', { config: undefined as unknown as RunSummary['config'] }),
    ];
    expect(columnValue(withConfig[0]!, 'config:mlpHidden')).toBe('64, 32');
    expect(columnValue(withConfig[0]!, 'config:teacherEpochs')).toBe(5);
    expect(columnValue(withConfig[1]!, 'config:teacherEpochs')).toBeNull();
    expect(columnValue(withConfig[0]!, 'backend')).toBe('wasm');
  });
});

describe('small things the UI relies on', () => {
  it('estimates the time left from the batches done, and waits for a few batches first', () => {
    expect(secondsLeft(2, 100, 1000)).toBeNull();
    expect(secondsLeft(10, 100, 5000)).toBe(45);
  });

  it("estimates the whole run's time left from the pace so far: the teachers and fused networks still to come", () => {
    const config = { seeds: 1, teacherEpochs: 10, epochs: 10, distillWeight: 50 as const, methods: [] };
    // Two modalities, UMT assumed before the decision: late fusion + UMT.
    const plan = planOf(config, 2, null);
    expect(plan.fusedPerSeed).toBe(2);
    expect(planOf(config, 2, decision({ method: 'ume' })).fusedPerSeed).toBe(1);
    expect(planOf({ ...config, distillWeight: 'auto', methods: ['aux-ce'] }, 2, null).fusedPerSeed).toBe(6);
    // First teacher under way (20 batches of 100 ms), 10 batches an epoch, 60 s left in it: the second teacher
    // (100 batches of 100 ms) and two fused networks at twice a teacher's pace (2 × 100 batches of 200 ms).
    const left = runSecondsLeft(
      plan,
      { batchesPerEpoch: 10, teachersStarted: 1, fusedStarted: 0, currentSecondsLeft: 60 },
      { teacher: { batches: 20, ms: 2000 }, fused: { batches: 0, ms: 0 } },
    );
    expect(left).toBeCloseTo(60 + 10 + 40, 6);
    // A measured fused pace replaces the guess; nothing is known before a few batches.
    expect(
      runSecondsLeft(
        plan,
        { batchesPerEpoch: 10, teachersStarted: 2, fusedStarted: 1, currentSecondsLeft: 5 },
        { teacher: { batches: 200, ms: 20_000 }, fused: { batches: 10, ms: 3000 } },
      ),
    ).toBeCloseTo(5 + 30, 6);
    expect(
      runSecondsLeft(
        plan,
        { batchesPerEpoch: 10, teachersStarted: 1, fusedStarted: 0, currentSecondsLeft: 60 },
        { teacher: { batches: 2, ms: 200 }, fused: { batches: 0, ms: 0 } },
      ),
    ).toBeNull();
  });

  it("shows a run's training time apart from the time it waited for the user's decision", () => {
    expect(runTime({ durationMs: 109_000, waitingMs: 76_000 })).toBe(
      '33 s of training, 1 min 16 s waiting for your decision',
    );
    expect(runTime({ durationMs: 33_000, waitingMs: 0 })).toBe('33 s of training');
  });

  it('formats accuracies and durations for people', () => {
    expect([percent(0.8234), percent(null), duration(65_000), duration(3_720_000)]).toEqual([
      '82.3%',
      '—',
      '1 min 5 s',
      '1 h 2 min',
    ]);
  });

  it('parses settings fields and says what is wrong', () => {
    const field = (key: string) => SETTING_FIELDS.find((f) => f.key === key)!;
    expect(parseField(field('mlpHidden'), '256, 128')).toEqual({ value: [256, 128] });
    expect(parseField(field('mlpHidden'), '256, x').error).toContain('whole numbers');
    expect(parseField(field('teacherEpochs'), '2.5').error).toBe(
      'Teacher epochs must be a whole number from 1 to 10,000; 2.5 is not.',
    );
    // The engine's own limits, in the field's words (not the config key, not CLI options).
    expect(parseField(field('teacherEpochs'), '0').error).toBe(
      'Teacher epochs must be a whole number from 1 to 10,000; 0 is not.',
    );
    expect(parseField(field('learningRate'), '-0.001').error).toBe(
      'Learning rate must be a number above 0 and at most 10; -0.001 is not.',
    );
    expect(parseField(field('learningRate'), '0.01')).toEqual({ value: 0.01 });
    expect(parseField(field('mlpHidden'), '128, 0').error).toBe(
      'MLP hidden widths: expected whole numbers separated by commas, such as 128, 128, each a whole number from 1 to 8,192; 0 is not.',
    );
    expect(parseField(field('method'), 'best').error).toContain('auto, umt, ume');
    expect(parseField(field('distillWeight'), 'auto')).toEqual({ value: 'auto' });
    expect(parseField(field('distillWeight'), '5')).toEqual({ value: 5 });
    expect(parseField(field('distillWeight'), 'lots').error).toBe(
      'Distillation weight must be a number from 0 to 1,000,000 or auto; "lots" is not a number.',
    );
    expect(parseField(field('epochs'), 'auto').error).toBe(
      'Fusion epochs must be a whole number from 1 to 10,000; "auto" is not a number.',
    );
    expect(parseField(field('seeds'), '3')).toEqual({ value: 3 });
  });

  it('routes hashes to pages', () => {
    expect(parseRoute('#/runs/abc')).toEqual({ page: 'run', id: 'abc' });
    expect(parseRoute('#/compare/a,b')).toEqual({ page: 'compare', ids: ['a', 'b'] });
    expect(parseRoute('')).toEqual({ page: 'wizard' });
  });

  it('remembers recent datasets newest first, without repeats, at most 8', () => {
    const store = new Map<string, string>();
    const storage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
    } as Storage;
    for (let i = 0; i < 10; i += 1) rememberDataset(`d${i}`, storage);
    rememberDataset('d5', storage);
    expect(recentDatasets(storage)).toEqual(['d5', 'd9', 'd8', 'd7', 'd6', 'd4', 'd3', 'd2']);
  });
});
