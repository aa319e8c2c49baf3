import { afterAll, describe, expect, it } from 'vitest';
import { weightedHeadLosses } from '../engine/method/methods/aux-ce';
import { trainFusedModel } from '../engine/method/methods/fused-training';
import type { TrainingMethod } from '../engine/method/methods/method';
import { registerMethod } from '../engine/method/methods/registry';
import { tempFolders } from './helpers/dataset-folder';
import { inProcessEngine } from './helpers/in-process-engine';
import { webgpuForTests } from './helpers/webgpu-adapter';

/**
 * A method that exists only in this test: late fusion with a linear head per modality whose cross-entropies
 * are added at a fixed weight of ½ (Auxiliary-CE at another weight), built from the terms the engine has. It
 * joins the registry and nothing else: the engine's calls, the pipeline, the store and the settings step's
 * list of methods must find it there.
 */
const halfAuxiliary: TrainingMethod = {
  id: 'half-aux',
  label: 'Half auxiliary CE',
  reference: 'a test of the method registry',
  needsTeachers: false,
  trains: 'one fused network with a head per modality, as long as late fusion',
  loss: () => 'cross-entropy of the fused head + ½ × Σ cross-entropy of each modality head',
  trainsIn: ({ requested }) => requested.includes('half-aux'),
  train: async (context) => [
    await trainFusedModel(context, {
      method: 'half-aux',
      phase: { phase: 'half-aux' },
      auxiliaryHeads: true,
      extraLoss: weightedHeadLosses(
        context.run.labels,
        context.run.classes.length,
        context.run.modalities.map(() => 0.5),
      ),
    }),
  ],
};

const gpu = await webgpuForTests();
const folders = tempFolders();
const unregister = registerMethod(halfAuxiliary);
const engine = inProcessEngine(folders.make('registered-home'));
afterAll(async () => {
  unregister();
  await engine.close();
  folders.removeAll();
});

async function runWith(backend: 'wasm' | 'webgpu') {
  const { runId } = await engine.call('run:start', {
    dataset: 'synthetic-mixed',
    config: { backend, methods: ['half-aux'], epochs: 3, teacherEpochs: 3, probeEpochs: 3, bootstrapSamples: 200 },
  });
  const end = await engine.waitFor((m) => m.kind === 'run-ended' && m.runId === runId);
  if (end.kind !== 'run-ended' || end.status !== 'completed')
    throw new Error(`The run did not complete: ${JSON.stringify(end)}`);
  return { runId, result: end.result };
}

describe('a method registered from outside the registry file', () => {
  it('is offered to the settings step and trains end to end on wasm: in the result, its laziness probes and the store', async () => {
    const { methods } = await engine.call('methods:list', {});
    expect(methods.find((m) => m.id === 'half-aux')).toMatchObject({ label: 'Half auxiliary CE', optional: true });
    const { runId, result } = await runWith('wasm');
    expect(result.candidates['half-aux']?.test.mean).toBeGreaterThan(0.5);
    expect(result.laziness.some((row) => row.model === 'half-aux')).toBe(true);
    const stored = await engine.call('runs:show', { id: runId });
    expect(stored.candidates.find((c) => c.method === 'half-aux')).toMatchObject({ label: 'Half auxiliary CE' });
    expect(stored.phases.some((p) => p.name === 'half-aux' && p.epochs.length > 0)).toBe(true);
  }, 180_000);

  it.skipIf(gpu === null)(
    'trains on the compiled WebGPU step too',
    async () => {
      engine.messages.splice(0);
      const { result } = await runWith('webgpu');
      const compiled = engine.messages.some(
        (m) =>
          m.kind === 'run-event' &&
          m.event.type === 'log' &&
          m.event.message.startsWith('half-aux: training on the compiled WebGPU step'),
      );
      expect(compiled).toBe(true);
      expect(result.candidates['half-aux']?.test.mean).toBeGreaterThan(0.5);
    },
    300_000,
  );
});
