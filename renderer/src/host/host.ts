import type { EngineCallName, EngineCalls, HostApi } from '../../../engine/protocol/engine';
import { createWebHost } from './web-host';
import { fromResult } from '../../../engine/protocol/errors';

const TOKEN_KEY = 'modality-studio-token';

/**
 * The desktop app's preload API when there is one, else the web mode's bridge. Its token comes in the URL
 * that `serve` printed; it is moved into this tab's session storage (kept for reloads) and taken out of the
 * address, so it does not stay in the browser's history or reach a screenshot of the address bar.
 */
function findHost(): HostApi {
  if (window.api) return window.api;
  const params = new URLSearchParams(window.location.search);
  const fromUrl = params.get('token');
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    params.delete('token');
    const query = params.toString();
    window.history.replaceState(
      window.history.state,
      '',
      `${window.location.pathname}${query ? `?${query}` : ''}${window.location.hash}`,
    );
  }
  return createWebHost(fromUrl ?? sessionStorage.getItem(TOKEN_KEY) ?? '');
}

export const host: HostApi = findHost();

/** Calls the engine and returns its value, or throws an {@link AppError} with the engine's code and message. */
export async function call<K extends EngineCallName>(
  name: K,
  params: EngineCalls[K]['params'],
): Promise<EngineCalls[K]['result']> {
  return fromResult(await host.call(name, params));
}
