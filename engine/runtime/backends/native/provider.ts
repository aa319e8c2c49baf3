import { tfjsNodeProvider } from '../tfjs-node/tfjs-node-provider';

/** TensorFlow's C library on the CPU, through tfjs-node. */
export const nativeBackend = tfjsNodeProvider(
  'native',
  '@tensorflow/tfjs-node',
  'install @tensorflow/tfjs-node (its install downloads libtensorflow, which needs network access)',
);
