/** What `backends:check` (and `modality-studio doctor`) tells about one backend of the engine. */
export interface BackendCheck {
  name: string;
  usable: boolean;
  /** Why it cannot be used here, and what would make it usable. */
  reason?: string;
  version?: string;
  threads?: number;
  /** webgpu: the adapter, as it describes itself (vendor, architecture, driver). */
  adapter?: { vendor: string; architecture: string; description: string };
  /** Median milliseconds of the benchmark's MLP training step (batch 64) on it. */
  stepMs?: number;
}
