import type { Split, SplitRule } from '../protocol/dataset';
import { SeededRandom } from '../util/random';

/** Paper-independent defaults of ours: 70/10/20 when no split is given; 1/8 of train as val when only val is missing. */
const DEFAULT_FRACTIONS = { train: 0.7, val: 0.1 } as const;
const VAL_FROM_TRAIN = 1 / 8;

export type SplitResult =
  { ok: true; splits: Split[]; rule: SplitRule } | { ok: false; code: 'bad-split' | 'empty-split'; message: string };

/**
 * Assigns every sample a split. `given[i]` is the manifest's split for sample i (null when it gives none).
 * No splits at all → stratified, seeded 70/10/20; train and test but no val → a stratified, seeded 1/8 of
 * train becomes val; otherwise the manifest's splits are used as they are. Stratified: each class is
 * shuffled and cut separately, so every split keeps the class proportions.
 */
export function assignSplits(labels: string[], given: (Split | null)[], seed: number): SplitResult {
  const result = assignWithoutCheck(labels, given, seed);
  return result.ok ? (emptySplit(result.splits, result.rule) ?? result) : result;
}

const SPLIT_ROLE = {
  train: 'the networks learn from',
  val: 'every choice is made on (early stopping, the decision, the final model); with none, they would be made on nothing',
  test: 'the final evaluation reports',
} as const;

/**
 * The error for a split with no sample, or null. An automatic split can leave one empty: 20 classes of 2
 * samples each give every class 1 training and 1 test sample and 0 validation samples (round(0.2) = 0).
 */
function emptySplit(splits: Split[], rule: SplitRule): SplitResult | null {
  const empty = (['train', 'val', 'test'] as const).find((split) => !splits.includes(split));
  if (!empty) return null;
  const how =
    rule === 'manifest'
      ? 'the split column'
      : rule === 'stratified-70-10-20'
        ? 'the automatic split (70/10/20 within each class)'
        : "the automatic validation split (1/8 of each class's training samples)";
  return {
    ok: false,
    code: 'empty-split',
    message: `${how} leaves the ${empty === 'val' ? 'validation' : empty} split empty (${splits.length} samples); it is the split ${SPLIT_ROLE[empty]}. Add samples (at least 10 per class for an automatic split), or give a split column that puts some samples of each class in ${empty}`,
  };
}

function assignWithoutCheck(labels: string[], given: (Split | null)[], seed: number): SplitResult {
  const present = new Set(given.filter((s): s is Split => s !== null));
  const missing = given.filter((s) => s === null).length;
  if (present.size === 0) {
    const splits = new Array<Split>(labels.length).fill('train');
    for (const members of byClass(
      labels,
      labels.map((_, i) => i),
      seed,
    )) {
      const trainCount = Math.round(members.length * DEFAULT_FRACTIONS.train);
      const valCount = Math.round(members.length * DEFAULT_FRACTIONS.val);
      members.forEach((index, rank) => {
        splits[index] = rank < trainCount ? 'train' : rank < trainCount + valCount ? 'val' : 'test';
      });
    }
    return { ok: true, splits, rule: 'stratified-70-10-20' };
  }
  if (missing > 0) {
    return {
      ok: false,
      code: 'bad-split',
      message: `${missing} sample${missing === 1 ? ' has' : 's have'} no split while the others do; give every sample train, val or test, or none of them to split automatically`,
    };
  }
  const splits = given as Split[];
  if (!present.has('train'))
    return {
      ok: false,
      code: 'empty-split',
      message: 'no sample is in the train split; mark the samples to learn from as train',
    };
  if (!present.has('test'))
    return {
      ok: false,
      code: 'empty-split',
      message:
        'no sample is in the test split; mark some samples as test (the final evaluation needs them), or drop the split column to split automatically',
    };
  if (present.has('val')) return { ok: true, splits: [...splits], rule: 'manifest' };
  const result = [...splits];
  const trainIndexes = splits.flatMap((s, i) => (s === 'train' ? [i] : []));
  for (const members of byClass(labels, trainIndexes, seed)) {
    const valCount = Math.round(members.length * VAL_FROM_TRAIN);
    members.slice(0, valCount).forEach((index) => {
      result[index] = 'val';
    });
  }
  return { ok: true, splits: result, rule: 'val-from-train-1/8' };
}

/** The given sample indexes grouped by label (labels in sorted order), each group shuffled with `seed`. */
function byClass(labels: string[], indexes: number[], seed: number): number[][] {
  const groups = new Map<string, number[]>();
  for (const index of indexes) {
    const label = labels[index] ?? '';
    const group = groups.get(label);
    if (group) group.push(index);
    else groups.set(label, [index]);
  }
  const random = new SeededRandom(seed);
  return [...groups.keys()].sort().map((label) => random.shuffle(groups.get(label) ?? []));
}
