const KEY = 'modality-studio-recent-datasets';
const KEEP = 8;

/** Datasets the user opened lately (folders or built-in names), newest first. */
export function recentDatasets(storage: Storage = localStorage): string[] {
  try {
    const value = JSON.parse(storage.getItem(KEY) ?? '[]') as unknown;
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string').slice(0, KEEP) : [];
  } catch {
    return [];
  }
}

export function rememberDataset(dataset: string, storage: Storage = localStorage): void {
  storage.setItem(
    KEY,
    JSON.stringify([dataset, ...recentDatasets(storage).filter((d) => d !== dataset)].slice(0, KEEP)),
  );
}
