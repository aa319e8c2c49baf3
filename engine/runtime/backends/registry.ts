import { cpuBackend } from './cpu/provider';
import { gpuBackend } from './gpu/provider';
import { nativeBackend } from './native/provider';
import type { BackendChoice } from '../../protocol/run';
import type { BackendProvider } from './provider';
import { wasmBackend } from './wasm/provider';
import { webgpuBackend } from './webgpu/provider';

/**
 * Every backend the engine can train on. Adding one is a folder with its provider and a line here. A run's
 * `auto` times the usable ones on its model (choose-backend.ts); this order breaks near-ties there (the first
 * is kept unless another is clearly faster) and is the order tried where nothing is timed (`predict`, whose
 * few samples are not worth timing). WebGPU comes after the plain-JS backend, which always starts, so only
 * a run's measurement picks it.
 */
export const BACKENDS = [
  gpuBackend,
  nativeBackend,
  wasmBackend,
  cpuBackend,
  webgpuBackend,
] as const satisfies readonly BackendProvider[];

export type BackendName = (typeof BACKENDS)[number]['name'];

// The protocol names the same backends (hosts cannot import this registry): a backend added here and not
// there, or the other way round, fails the type check.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const protocolNamesMatch: Same<BackendName, Exclude<BackendChoice, 'auto'>> = true;
void protocolNamesMatch;

export function findBackend(name: string): BackendProvider | undefined {
  return BACKENDS.find((backend) => backend.name === name);
}
