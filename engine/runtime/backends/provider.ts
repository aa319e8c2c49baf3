import { createRequire } from 'node:module';
import type { BackendInfo } from '../../protocol/run';

/** Recorded with every run (the protocol's type): which backend computed its numbers, and on what. */
export type { BackendInfo };

/**
 * One way to run the engine's tensors: what it is called, how to get it when it is missing, and how to make it
 * tfjs's backend. `activate` throws with the reason (in a few words) when it cannot be used here.
 */
export interface BackendProvider<Name extends string = string> {
  /** The key in `--backend`, in the run's record and in the UI. */
  name: Name;
  /** The tfjs backend id it activates; a backend already active under this id is not activated again. */
  tfBackend: string;
  /** What to do to make it usable: `To use it, <installHint>`. */
  installHint: string;
  /**
   * Why `auto` does not time it against the others, when it never should win on any machine (the plain-JS
   * backend: the same cores as wasm without its kernels); `auto` then uses it only when nothing else starts.
   */
  fallbackOnly?: string;
  activate(): Promise<BackendInfo>;
}

const require = createRequire(import.meta.url);

/** An installed package's version, for the run's record. */
export function packageVersion(pkg: string): string {
  return (require(`${pkg}/package.json`) as { version: string }).version;
}
