import { SeededRandom } from '../util/random';

/**
 * A seeded, stratified part of `indices` held out: within each class, `share` of its samples (rounded; a class
 * of one sample keeps it). Both parts keep the order of `indices`, so the batches do not depend on the draw.
 */
export function stratifiedHoldout(
  indices: number[],
  labels: ArrayLike<number>,
  share: number,
  seed: number,
): { fit: number[]; heldOut: number[] } {
  const byClass = new Map<number, number[]>();
  for (const index of indices) {
    const label = labels[index] ?? 0;
    const members = byClass.get(label);
    if (members) members.push(index);
    else byClass.set(label, [index]);
  }
  const random = new SeededRandom(seed);
  const heldOut = new Set<number>();
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = random.shuffle([...(byClass.get(label) ?? [])]);
    const count =
      members.length < 2 ? 0 : Math.min(members.length - 1, Math.max(1, Math.round(members.length * share)));
    members.slice(0, count).forEach((index) => heldOut.add(index));
  }
  return { fit: indices.filter((i) => !heldOut.has(i)), heldOut: indices.filter((i) => heldOut.has(i)) };
}
