import { tfjsNodeProvider } from '../tfjs-node/tfjs-node-provider';

/** CUDA through tfjs-node-gpu (libtensorflow 2.9: CUDA 11.2 and cuDNN 8.1). */
export const gpuBackend = tfjsNodeProvider(
  'gpu',
  '@tensorflow/tfjs-node-gpu',
  'install @tensorflow/tfjs-node-gpu (it needs CUDA and cuDNN, and network access to download libtensorflow during npm install)',
);
