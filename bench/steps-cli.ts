/**
 * One backend's step timings, in a process of its own (a process has one tfjs backend):
 * `tsx bench/steps-cli.ts BACKEND RUNS STEPS` prints `{"mlp": {...}, "cnn": {...} | null}` as its last line.
 */
import type { BackendName } from '../engine/runtime/backends/select-backend';
import { SHAPES } from '../engine/train/step-shapes';
import { timeSteps, type StepTiming } from '../engine/method/step-timing';

const [backend = 'wasm', runs = '5', steps = '10'] = process.argv.slice(2);
const result: Record<string, StepTiming | null> = {};
for (const shape of SHAPES) {
  // tfjs's plain-JS cpu backend has no optimised kernels: one CNN step takes minutes (measured: the cpu
  // part of a first benchmark run took 9 minutes), which would blow the benchmark's 20-minute budget. Its MLP
  // step is measured briefly; its CNN step is reported as not measured.
  if (backend === 'cpu') result[shape.name] = shape.name === 'cnn' ? null : await timeSteps(shape, 'cpu', 1, 3, 1);
  else result[shape.name] = await timeSteps(shape, backend as BackendName, Number(runs), Number(steps));
}
process.stdout.write(`${JSON.stringify(result)}\n`);
