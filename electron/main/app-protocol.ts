import path from 'node:path';

/**
 * The window loads the app from `app://modality-studio/`, a privileged scheme of our own, not from file://:
 * a file:// page could read any file: URL and shares its origin with every local file. The scheme serves
 * only the files of the built renderer.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'modality-studio';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/** Registered before the app is ready (Electron's rule): a standard, secure scheme that fetch may use. */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
};

/**
 * True only for the app's own page: scheme, host and path compared exactly after parsing (a prefix test
 * would let `…/index.html.evil` or `…/index.html@evil.example` through). Any #/route of the page is fine.
 */
export function isAppPageUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.host === APP_HOST &&
    parsed.pathname === '/index.html' &&
    parsed.search === '' &&
    parsed.username === '' &&
    parsed.password === ''
  );
}

/** The file under `rendererDir` that an app:// URL names, or null for anything outside it or malformed. */
export function appFileFor(rendererDir: string, url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  let relative: string;
  try {
    relative = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  const root = path.resolve(rendererDir);
  const file = path.resolve(root, `.${relative === '/' ? '/index.html' : relative}`);
  return file.startsWith(root + path.sep) ? file : null;
}
