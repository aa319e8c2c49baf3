import type { EngineCallName, EngineCalls, HostApi } from '../../../engine/protocol/engine';
import { createWebHost } from './web-host';

/** A failed engine call, as the UI shows it: the engine's code and its message (which says how to fix it). */
export class HostError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'HostError';
  }
}

const TOKEN_KEY = 'modality-studio-token';

/** The desktop app's preload API when there is one, else the web mode's bridge (token from the URL, kept for reloads). */
function findHost(): HostApi {
  if (window.api) return window.api;
  const fromUrl = new URLSearchParams(window.location.search).get('token');
  if (fromUrl) sessionStorage.setItem(TOKEN_KEY, fromUrl);
  return createWebHost(fromUrl ?? sessionStorage.getItem(TOKEN_KEY) ?? '');
}

export const host: HostApi = findHost();

/** Calls the engine and returns its value, or throws a {@link HostError}. */
export async function call<K extends EngineCallName>(name: K, params: EngineCalls[K]['params']): Promise<EngineCalls[K]['result']> {
  const result = await host.call(name, params);
  if (!result.ok) throw new HostError(result.error.code, result.error.message);
  return result.value;
}
