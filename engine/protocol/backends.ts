/** What `backends:check` (and `modality-studio doctor`) tells about one backend of the engine. */
export interface BackendCheck {
  name: string;
  usable: boolean;
  /** Why it cannot be used here, and what would make it usable. */
  reason?: string;
  version?: string;
  threads?: number;
  /** webgpu: the adapter, as it describes itself (vendor, architecture, driver). */
  adapter?: { vendor: string; architecture: string; description: string; software?: boolean };
  /** Median milliseconds of the benchmark's MLP training step (batch 64) on it, as training runs it (webgpu: the compiled step). */
  stepMs?: number;
  /** The one `--backend auto` would choose for the benchmark's MLP (the fastest of the ones it times, engine/method/choose-backend.ts). */
  auto?: boolean;
  /** Why `auto` would not time it though it is usable (a software adapter, a fallback-only backend). */
  autoSkips?: string;
}
