/**
 * One backend's step timings, in a process of its own (a process has one tfjs backend):
 * `tsx bench/steps-cli.ts BACKEND RUNS STEPS` prints `{"mlp": {...}, "cnn": {...}}` as its last line.
 */
import type { BackendName } from '../engine/train/backends/select-backend';
import { SHAPES } from './step-shapes';
import { timeSteps, type StepTiming } from './steps';

const [backend = 'wasm', runs = '5', steps = '10'] = process.argv.slice(2);
const result: Record<string, StepTiming> = {};
for (const shape of SHAPES) {
  // The plain-JS cpu backend is ~100x slower on convolutions: a short sample is enough to say so.
  const slow = backend === 'cpu' && shape.name === 'cnn';
  result[shape.name] = slow ? await timeSteps(shape, 'cpu', 1, 1, 1) : await timeSteps(shape, backend as BackendName, Number(runs), Number(steps));
}
process.stdout.write(`${JSON.stringify(result)}\n`);
