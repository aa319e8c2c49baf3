import { cpuBackend } from './cpu/provider';
import { gpuBackend } from './gpu/provider';
import { nativeBackend } from './native/provider';
import type { BackendChoice } from '../../protocol/run';
import type { BackendProvider } from './provider';
import { wasmBackend } from './wasm/provider';
import { webgpuBackend } from './webgpu/provider';

/**
 * Every backend the engine can train on, in the order `auto` tries them (CUDA GPU, native TensorFlow on the
 * CPU, wasm, plain JS). Adding one is a folder with its provider and a line here. WebGPU comes after the
 * plain-JS backend, which always starts, so `auto` never picks it: only `--backend webgpu` does, until `auto`
 * chooses by measuring (issue 13).
 */
export const BACKENDS = [gpuBackend, nativeBackend, wasmBackend, cpuBackend, webgpuBackend] as const satisfies readonly BackendProvider[];

export type BackendName = (typeof BACKENDS)[number]['name'];

// The protocol names the same backends (hosts cannot import this registry): a backend added here and not
// there, or the other way round, fails the type check.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const protocolNamesMatch: Same<BackendName, Exclude<BackendChoice, 'auto'>> = true;
void protocolNamesMatch;

export function findBackend(name: string): BackendProvider | undefined {
  return BACKENDS.find((backend) => backend.name === name);
}
