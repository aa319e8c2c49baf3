import fs from 'node:fs';
import { expandHome } from '../util/home-path';
import { findBuiltin, materializeBuiltin } from './builtin/registry';

/** A dataset argument is a folder (`~` is the home folder), or the name of a built-in dataset when no such folder exists. */
export async function resolveDatasetArgument(given: string, cacheDir: string): Promise<string> {
  const argument = expandHome(given);
  if (fs.existsSync(argument)) return argument;
  const builtin = findBuiltin(argument);
  return builtin ? materializeBuiltin(builtin, cacheDir) : argument;
}
