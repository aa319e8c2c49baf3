import os from 'node:os';
import path from 'node:path';

/**
 * The app's cache folder, the same one the desktop app uses: `MODALITY_STUDIO_CACHE` when set, otherwise the
 * OS convention (XDG on Linux, ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows). Never the dataset folder.
 */
export function defaultCacheDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.MODALITY_STUDIO_CACHE) return path.resolve(env.MODALITY_STUDIO_CACHE);
  const home = os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'modality-studio');
  if (platform === 'win32')
    return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'modality-studio', 'Cache');
  return path.join(env.XDG_CACHE_HOME ?? path.join(home, '.cache'), 'modality-studio');
}
