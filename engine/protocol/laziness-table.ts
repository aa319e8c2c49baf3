import type { LazinessEntry, MethodId } from './run';

/**
 * `run --json`'s `laziness`: for each modality, the mean over seeds of each model's linear-probe accuracy,
 * keyed by method id (`teacher:<modality>`, `late-fusion`, `umt`, `ogm-ge`, …). The keys of runs before
 * method ids existed stay beside them (`teacher`, `lateFusion`, `umt`), so scripts written then still work.
 */
export type LazinessTable = Record<string, Record<string, number>>;

const LEGACY_KEYS: Record<MethodId, string> = { 'late-fusion': 'lateFusion', umt: 'umt' };

export function lazinessTable(entries: LazinessEntry[]): LazinessTable {
  const sums = new Map<string, Map<string, { sum: number; count: number }>>();
  for (const entry of entries) {
    const row = sums.get(entry.modality) ?? new Map<string, { sum: number; count: number }>();
    sums.set(entry.modality, row);
    const cell = row.get(entry.model) ?? { sum: 0, count: 0 };
    row.set(entry.model, { sum: cell.sum + entry.accuracy, count: cell.count + 1 });
  }
  const table: LazinessTable = {};
  for (const [modality, row] of sums) {
    const means: Record<string, number> = {};
    for (const [model, { sum, count }] of row) means[model] = sum / count;
    const teacher = means[`teacher:${modality}`];
    table[modality] = {
      ...(teacher !== undefined ? { teacher } : {}),
      ...Object.fromEntries(
        Object.entries(LEGACY_KEYS).flatMap(([id, key]) => (means[id] !== undefined ? [[key, means[id]]] : [])),
      ),
      ...means,
    };
  }
  return table;
}
