import * as tf from '@tensorflow/tfjs';
import { packageVersion, type BackendProvider } from '../provider';

/** tfjs's plain JavaScript kernels: always there, slowest; the last resort. */
export const cpuBackend: BackendProvider<'cpu'> = {
  name: 'cpu',
  tfBackend: 'cpu',
  installHint: 'reinstall @tensorflow/tfjs (npm ci)',
  // bench/steps-cli.ts: one CNN step of it takes minutes, so timing it would cost a run more than it could save.
  fallbackOnly:
    'plain JavaScript on the same cores as wasm without its kernels (one CNN step takes minutes), used only when no other backend starts',
  async activate() {
    if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not start');
    return { name: 'cpu', tfBackend: 'cpu', version: packageVersion('@tensorflow/tfjs'), threads: 1 };
  },
};
