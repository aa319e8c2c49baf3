import fs from 'node:fs';
import path from 'node:path';
import { builtinWithSplit } from './builtin-with-split';
import { runCliJson } from './cli-run';
import { runPython } from './python';

export interface PipelineBudget {
  epochs: number;
  teacherEpochs: number;
  probeEpochs: number;
}

/** The bench's epoch budget for the whole method (README, Performance). */
export const PIPELINE_BUDGET: PipelineBudget = { epochs: 2, teacherEpochs: 2, probeEpochs: 10 };

export interface PipelineTiming {
  ours: number;
  torch: number;
  oursAccuracy: number;
  torchAccuracy: number;
  oursMethod: string;
  torchMethod: string;
  oursTest: Record<string, number>;
  torchTest: Record<string, number>;
}

const ROOT = path.resolve(import.meta.dirname, '..');

/** mnist-halves with the split written into the manifest (bench/builtin-with-split.ts). */
export function mnistHalvesWithSplit(work: string): Promise<string> {
  return builtinWithSplit('mnist-halves', work);
}

/** Our CLI's whole method on the folder (`run --json`, cold cache, so it decodes the PNGs): wall seconds and its result. */
export function timeOurs(
  dir: string,
  work: string,
  budget: PipelineBudget,
  backend: string,
): { seconds: number; result: OursResult } {
  const home = path.join(work, `pipeline-home-${backend}`);
  fs.rmSync(home, { recursive: true, force: true });
  const budgetArgs = ['--epochs', String(budget.epochs), '--teacher-epochs', String(budget.teacherEpochs)];
  return runCliJson<OursResult>(
    dir,
    ['--backend', backend, ...budgetArgs, '--probe-epochs', String(budget.probeEpochs)],
    home,
  );
}

interface OursResult {
  decision: { method: string };
  test: { final: number; lateFusion: number; ume: number; umt?: number; teachers: Record<string, number> };
}

/**
 * The whole method on the same folder, same architecture and epochs: our CLI on wasm against
 * bench/reference/pipeline.py. Wall time of each process.
 */
export function timePipeline(dir: string, work: string, budget: PipelineBudget): PipelineTiming {
  const { seconds: oursSeconds, result } = timeOurs(dir, work, budget, 'wasm');
  const torchStarted = performance.now();
  const torch = runPython<{
    final: number;
    method: string;
    lateFusion: number;
    ume: number;
    umt?: number;
    teachers: number[];
  }>(path.join(ROOT, 'bench', 'reference', 'pipeline.py'), [
    dir,
    String(budget.epochs),
    String(budget.teacherEpochs),
    String(budget.probeEpochs),
  ]);
  const torchSeconds = (performance.now() - torchStarted) / 1000;
  const pick = (t: { lateFusion: number; ume: number; umt?: number }) => ({
    lateFusion: t.lateFusion,
    ume: t.ume,
    ...(t.umt !== undefined ? { umt: t.umt } : {}),
  });
  return {
    ours: oursSeconds,
    torch: torchSeconds,
    oursAccuracy: result.test.final,
    torchAccuracy: torch.final,
    oursMethod: result.decision.method,
    torchMethod: torch.method,
    oursTest: {
      ...pick(result.test),
      ...Object.fromEntries(Object.entries(result.test.teachers).map(([m, a]) => [`teacher:${m}`, a])),
    },
    torchTest: { ...pick(torch), 'teacher:left': torch.teachers[0] ?? NaN, 'teacher:right': torch.teachers[1] ?? NaN },
  };
}
