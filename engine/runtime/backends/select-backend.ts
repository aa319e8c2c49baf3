import * as tf from '@tensorflow/tfjs';
import { AppError } from '../../protocol/errors';
import type { BackendInfo, BackendProvider } from './provider';
import { BACKENDS, findBackend, type BackendName } from './registry';

export type { BackendInfo } from './provider';
export type { BackendName } from './registry';
export type BackendChoice = 'auto' | BackendName;

/**
 * What each tfjs backend was activated with, keyed by tfjs's own backend registry: tfjs keeps one active
 * backend per process, so this records what that one is, rather than holding a second notion of "active".
 */
const activated = new WeakMap<object, BackendInfo>();

/**
 * Makes `choice` the tfjs backend (trying each of {@link BACKENDS} in order for `auto`) and says what it got.
 * A backend asked for by name that cannot be used throws an {@link AppError} saying why and what to install.
 */
export async function selectBackend(choice: BackendChoice): Promise<BackendInfo> {
  const current = activeBackend();
  if (current && (choice === 'auto' || choice === current.name)) return current;
  const candidates = choice === 'auto' ? BACKENDS : [findBackend(choice)].filter((b) => b !== undefined);
  if (candidates.length === 0)
    throw new AppError(
      'config',
      `There is no backend "${choice}"; expected auto or one of ${BACKENDS.map((b) => b.name).join(', ')}.`,
    );
  const failures: string[] = [];
  for (const provider of candidates) {
    try {
      return await activateProvider(provider);
    } catch (error) {
      failures.push(`${provider.name}: ${(error as Error).message}`);
    }
  }
  throw new AppError(
    'backend-unavailable',
    choice === 'auto'
      ? `No tfjs backend could be started (${failures.join('; ')}). Reinstall the project's dependencies with npm ci.`
      : `The ${choice} backend is not usable here (${failures[0]}). To use it, ${findBackend(choice)?.installHint}; or pass --backend auto to use the best one available.`,
  );
}

/** Activates one provider and records what it got; throws the provider's own short reason when it cannot. */
export async function activateProvider(provider: BackendProvider): Promise<BackendInfo> {
  const info = await provider.activate();
  activated.set(tf.backend(), info);
  return info;
}

/** Records on the active backend how `auto` chose it, so later runs of the process see the choice (choose-backend.ts). */
export function recordChoice(info: BackendInfo): BackendInfo {
  activated.set(tf.backend(), info);
  return info;
}

/**
 * The backend tfjs is running on, as it was activated here; null before the first selection. Read from the
 * engine's field rather than `tf.backend()`, which would start tfjs's default backend when there is none.
 */
export function activeBackend(): BackendInfo | null {
  const instance = (tf.engine() as unknown as { backendInstance: object | null }).backendInstance;
  return instance ? (activated.get(instance) ?? null) : null;
}
