export type Route =
  { page: 'wizard' } | { page: 'runs' } | { page: 'run'; id: string } | { page: 'compare'; ids: string[] };

/** `#/runs/ID`, `#/compare/A,B`, `#/runs`; anything else is the wizard. */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'runs' && parts[1]) return { page: 'run', id: parts[1] };
  if (parts[0] === 'runs') return { page: 'runs' };
  if (parts[0] === 'compare') return { page: 'compare', ids: (parts[1] ?? '').split(',').filter(Boolean) };
  return { page: 'wizard' };
}
