import * as tf from '@tensorflow/tfjs';
import { packageVersion, type BackendProvider } from '../provider';

/** tfjs's plain JavaScript kernels: always there, slowest; the last resort. */
export const cpuBackend: BackendProvider<'cpu'> = {
  name: 'cpu',
  tfBackend: 'cpu',
  installHint: 'reinstall @tensorflow/tfjs (npm ci)',
  async activate() {
    if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not start');
    return { name: 'cpu', tfBackend: 'cpu', version: packageVersion('@tensorflow/tfjs'), threads: 1 };
  },
};
