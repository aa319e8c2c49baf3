import fs from 'node:fs';
import { findBuiltin, materializeBuiltin } from './builtin/registry';

/** A dataset argument is a folder, or the name of a built-in dataset when no such folder exists. */
export async function resolveDatasetArgument(argument: string, cacheDir: string): Promise<string> {
  if (fs.existsSync(argument)) return argument;
  const builtin = findBuiltin(argument);
  return builtin ? materializeBuiltin(builtin, cacheDir) : argument;
}
