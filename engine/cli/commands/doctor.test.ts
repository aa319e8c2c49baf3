import { describe, expect, it } from 'vitest';
import { formatChecks } from './doctor';

describe('modality-studio doctor', () => {
  it('prints one line per backend, marks the one auto takes and says which ones auto does not time', () => {
    const text = formatChecks([
      { name: 'gpu', usable: false, reason: '@tensorflow/tfjs-node-gpu is not installed; to use it, install it' },
      { name: 'wasm', usable: true, version: '4.22.0', threads: 2, stepMs: 24.04, auto: true },
      { name: 'cpu', usable: true, version: '4.22.0', threads: 1, stepMs: 632.2, autoSkips: 'plain JavaScript' },
      {
        name: 'webgpu',
        usable: true,
        version: '4.22.0',
        threads: 1,
        adapter: { vendor: 'mesa', architecture: 'software', description: 'llvmpipe: Mesa 25.0.7', software: true },
        stepMs: 812.5,
        autoSkips: 'a software adapter (the CPU emulating a GPU)',
      },
    ]);
    expect(text.split('\n')).toEqual([
      "Backends (a run's --backend auto times the usable ones on its own model and takes the fastest):",
      '  gpu     not usable: @tensorflow/tfjs-node-gpu is not installed; to use it, install it',
      '  wasm    usable: version 4.22.0, 2 threads, MLP training step (batch 64) 24.0 ms  ← auto',
      '  cpu     usable: version 4.22.0, 1 thread, MLP training step (batch 64) 632.2 ms (auto does not time it: plain JavaScript)',
      '  webgpu  usable: version 4.22.0, adapter llvmpipe: Mesa 25.0.7 (mesa, software), 1 thread, MLP training step (batch 64) 812.5 ms (auto does not time it: a software adapter (the CPU emulating a GPU))',
      '',
    ]);
  });
});
