import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test/helpers/dataset-folder';
import { loadLayersModel, saveLayersModel } from '../../model/model-files';
import { DEFAULT_CONFIG } from '../../protocol/run';
import { selectBackend } from '../../runtime/backends/select-backend';
import { droppedModality, ModalityDropout } from './modality-dropout';
import { applyModel, buildFusion, MODALITY_DROPOUT_LAYER, SeedSequence } from './networks';

const work = makeTempDir('modality-dropout');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('modality dropout (paper A.5, Table 14)', () => {
  it('drops one modality, chosen uniformly, in a share `rate` of the steps, the same ones every time', () => {
    const draws = Array.from({ length: 20_000 }, (_, i) =>
      droppedModality(3, 1 + Math.floor(i / 100), i % 100, 0.5, 3),
    );
    const dropped = draws.filter((d) => d !== null);
    expect(dropped.length / draws.length).toBeGreaterThan(0.48);
    expect(dropped.length / draws.length).toBeLessThan(0.52);
    for (const m of [0, 1, 2]) expect(dropped.filter((d) => d === m).length / dropped.length).toBeCloseTo(1 / 3, 1);
    expect(
      Array.from({ length: 20_000 }, (_, i) => droppedModality(3, 1 + Math.floor(i / 100), i % 100, 0.5, 3)),
    ).toEqual(draws);
    expect(Array.from({ length: 1000 }, (_, i) => droppedModality(3, 1, i, 0, 2)).every((d) => d === null)).toBe(true);
    expect(
      Array.from({ length: 1000 }, (_, i) => droppedModality(3, 1, i, 0.2, 2)).filter((d) => d !== null).length,
    ).toBeLessThan(260);
  });

  it("zeroes exactly the chosen modality's slice in training, and nothing at evaluation", () => {
    const layer = new ModalityDropout([2, 3], 'md');
    const x = tf.tensor2d([
      [1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10],
    ]);
    layer.dropped = 1;
    expect((layer.call(x, { training: true }) as tf.Tensor).arraySync()).toEqual([
      [1, 2, 0, 0, 0],
      [6, 7, 0, 0, 0],
    ]);
    layer.dropped = 0;
    expect((layer.call(x, { training: true }) as tf.Tensor).arraySync()).toEqual([
      [0, 0, 3, 4, 5],
      [0, 0, 8, 9, 10],
    ]);
    expect((layer.call(x, { training: false }) as tf.Tensor).arraySync()).toEqual(x.arraySync());
    layer.dropped = null;
    expect((layer.call(x, { training: true }) as tf.Tensor).arraySync()).toEqual(x.arraySync());
    x.dispose();
  });

  it('saves as a linear activation: the reloaded model predicts exactly what the trained one does in inference', async () => {
    await selectBackend('wasm');
    const modalities = [
      { name: 'a', kind: 'vector' as const, shape: [3] },
      { name: 'b', kind: 'vector' as const, shape: [2] },
    ];
    const model = buildFusion(modalities, 2, { ...DEFAULT_CONFIG, mlpHidden: [4] }, new SeedSequence(5), 'md', {
      modalityDropout: true,
    });
    (model.getLayer(MODALITY_DROPOUT_LAYER) as ModalityDropout).dropped = 0;
    const inputs = [tf.tensor2d([[1, 2, 3]]), tf.tensor2d([[4, 5]])];
    const before = (applyModel(model, inputs, false)[0] as tf.Tensor).arraySync();
    const dir = path.join(work, 'saved');
    await saveLayersModel(model, dir);
    expect(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')).not.toContain('ModalityDropout');
    const loaded = await loadLayersModel(work, 'saved');
    expect((applyModel(loaded, inputs, false)[0] as tf.Tensor).arraySync()).toEqual(before);
    [model, loaded].forEach((m) => m.dispose());
    inputs.forEach((t) => t.dispose());
  });
});
