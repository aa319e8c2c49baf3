/**
 * Why a path typed into the UI cannot be used as it is, or null. The UI's paths are on the machine that runs
 * the engine, whose working folder the user does not see: a relative path would silently mean a folder
 * under it, so only absolute paths (`/…`, `C:\…`, `\\server\…`) and home paths (`~`, `~/…`) are
 * taken, and for a dataset the name of a built-in dataset. The CLI keeps resolving relative paths against its
 * own working folder, as command lines do.
 */
export function pathProblem(text: string, what: 'dataset' | 'folder', builtins: readonly string[] = []): string | null {
  const given = text.trim();
  if (given === '')
    return what === 'dataset'
      ? 'Choose a built-in dataset or enter the path of a dataset folder.'
      : 'Enter the path of a folder.';
  if (what === 'dataset' && builtins.includes(given)) return null;
  if (
    given === '~' ||
    /^~[\\/]/.test(given) ||
    given.startsWith('/') ||
    /^[A-Za-z]:[\\/]/.test(given) ||
    given.startsWith('\\\\')
  )
    return null;
  const example = `/home/you/${given.replace(/^\.[\\/]/, '')}`;
  const builtin =
    what === 'dataset' && builtins.length > 0 ? ` (or a built-in dataset's name: ${builtins.join(', ')})` : '';
  return `"${given}" is a relative path, which would be taken from the engine's working folder. Enter the folder's full path${builtin}, starting with / or ~/ for your home folder, for example ${example}.`;
}
