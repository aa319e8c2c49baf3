import path from 'node:path';
import { expandHome } from '../util/home-path';
import { isAbsentOrEmptyFolder, isInside, makeFolder } from '../util/folders';
import { AppError } from '../protocol/errors';

/**
 * Checks, before a run trains or a model is exported, that `dir` can take a model without harm: it is not
 * inside the dataset folder (which is only ever read), it does not hold anything (nothing is overwritten),
 * and it can be created. Creates it, so that the check and the claim are one step. Returns the absolute path.
 */
export function claimModelFolder(dir: string, datasetRoot: string): string {
  const target = path.resolve(expandHome(dir));
  if (isInside(target, datasetRoot)) {
    throw new AppError(
      'output',
      `${target} is inside the dataset folder ${datasetRoot}, which Modality Studio only reads; choose a folder outside it for the model.`,
    );
  }
  if (!isAbsentOrEmptyFolder(target)) {
    throw new AppError(
      'output',
      `${target} already exists and is not an empty folder; choose a new or empty folder so that nothing in it is overwritten.`,
    );
  }
  try {
    makeFolder(target);
  } catch (error) {
    throw new AppError(
      'output',
      `${target} cannot be created (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); choose a folder you can write.`,
    );
  }
  return target;
}
