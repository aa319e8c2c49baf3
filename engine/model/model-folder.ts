import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../protocol/errors';
import { isInside } from '../util/folders';
import { WEIGHT_DTYPE_BYTES, weightSpecBytes } from '../util/weight-bytes';

/**
 * Reading a model folder that may have been edited, copied from elsewhere or made up (`predict --model`, an
 * import, an export): every file read is a plain file inside the folder, of a bounded size, opened so that it
 * cannot block. A FIFO named `model-card.json` would make `readFileSync` wait forever (and, in web mode, every
 * call after it); a `weights.bin` linked to /dev/zero would grow memory until the engine dies; a card whose
 * network path is `../other/network`, or a link, would load files from outside the folder.
 */

/** model-card.json and model.json are a few hundred kB for real models. */
export const MAX_JSON_BYTES = 64 * 1024 * 1024;
/** Far above any model this app trains (a CNN teacher is a few MB), far below what would exhaust memory. */
export const MAX_WEIGHTS_BYTES = 2 * 1024 * 1024 * 1024;

/**
 * `relative` as a path inside `root`, or an error: no absolute path, no `..`, and after resolving links it
 * must still be inside `root` (a link inside the folder that points out of it is refused too).
 */
export function pathInsideModel(root: string, relative: string, what: string): string {
  const parts = relative.split(/[\\/]+/);
  if (path.isAbsolute(relative) || /^[A-Za-z]:/.test(relative) || parts.includes('..')) {
    throw new AppError(
      'model-files',
      `${what} is "${relative}", which is not a path inside the model folder ${root}; a model card names its networks by paths inside its own folder (like "network" or "umt/network").`,
    );
  }
  const target = path.join(root, relative);
  if (!isInside(target, root)) {
    throw new AppError(
      'model-files',
      `${what} "${relative}" leads out of the model folder ${root} through a link; a model folder holds its own files (copy them in instead of linking).`,
    );
  }
  return target;
}

/**
 * The bytes of `file`, which must be a plain file (not a link, FIFO or device) of at most `maxBytes`. It is
 * opened without blocking and checked again after opening, so a file swapped for a FIFO meanwhile fails too.
 */
export function readPlainFile(file: string, maxBytes: number, expectedBytes?: number): Buffer {
  let fd: number;
  try {
    const stat = fs.lstatSync(file);
    if (!stat.isFile())
      throw new AppError(
        'model-files',
        `${file} is ${kindOf(stat)}, not a plain file; a model folder holds the plain files modality-studio run wrote.`,
      );
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOFOLLOW ?? 0));
  } catch (error) {
    if (error instanceof AppError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new AppError(
      'model-files',
      `${file} could not be read (${code === 'ENOENT' ? 'it does not exist' : (code ?? (error as Error).message)}); give the model folder that modality-studio run wrote (it holds model-card.json).`,
    );
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile())
      throw new AppError(
        'model-files',
        `${file} is ${kindOf(stat)}, not a plain file; a model folder holds the plain files modality-studio run wrote.`,
      );
    if (stat.size > maxBytes)
      throw new AppError(
        'model-files',
        `${file} holds ${stat.size} bytes, more than the ${maxBytes} a model file of this app can have; it is not a file modality-studio run wrote.`,
      );
    if (expectedBytes !== undefined && stat.size !== expectedBytes) {
      throw new AppError(
        'model-files',
        `${file} holds ${stat.size} bytes, but its model.json describes weights of ${expectedBytes} bytes: the file is ${stat.size < expectedBytes ? 'truncated' : 'from another model'}. Export or save the model again.`,
      );
    }
    const buffer = Buffer.alloc(stat.size);
    let offset = 0;
    while (offset < buffer.length) {
      const read = fs.readSync(fd, buffer, offset, buffer.length - offset, offset);
      if (read === 0)
        throw new AppError(
          'model-files',
          `${file} ended after ${offset} of its ${buffer.length} bytes while it was read (it is being changed?); try again.`,
        );
      offset += read;
    }
    return buffer;
  } finally {
    fs.closeSync(fd);
  }
}

/** `file` parsed as JSON, read with {@link readPlainFile}. */
export function readJsonFile(file: string): unknown {
  const text = readPlainFile(file, MAX_JSON_BYTES).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AppError(
      'model-files',
      `${file} is not valid JSON (${(error as Error).message}); the model folder is damaged. Export or save the model again.`,
    );
  }
}

/** A tfjs layers model's `model.json`, as far as loading it needs. */
export interface ModelJson {
  modelTopology: object;
  weightsManifest: {
    paths: string[];
    weights: { name: string; shape: number[]; dtype?: 'float32' | 'int32' | 'bool' }[];
  }[];
}

/**
 * The files of the network in `root/relative`: `model.json`, checked to be a layers model, and `weights.bin`,
 * which must be exactly as long as model.json's weights, so that a truncated or foreign file is named here
 * instead of failing inside tfjs with a shape message. Needs no tfjs (an import checks a model with it).
 */
export function readNetworkFiles(
  root: string,
  relative: string,
): { dir: string; jsonFile: string; modelJson: ModelJson; weights: Buffer } {
  const dir = pathInsideModel(root, relative, 'A network path');
  const jsonFile = path.join(dir, 'model.json');
  const modelJson = checkModelJson(readJsonFile(jsonFile), jsonFile);
  const expected = weightSpecBytes(
    modelJson.weightsManifest.flatMap((group) => group.weights),
    'float32',
  );
  const weights = readPlainFile(path.join(dir, 'weights.bin'), MAX_WEIGHTS_BYTES, expected);
  return { dir, jsonFile, modelJson, weights };
}

function checkModelJson(json: unknown, file: string): ModelJson {
  const model = json as Partial<ModelJson> | null;
  const specsOk =
    Array.isArray(model?.weightsManifest) &&
    model.weightsManifest.every(
      (group) =>
        Array.isArray(group?.weights) &&
        group.weights.every(
          (w) =>
            typeof w?.name === 'string' &&
            Array.isArray(w.shape) &&
            w.shape.every((d) => Number.isInteger(d) && d >= 0) &&
            (w.dtype === undefined || w.dtype in WEIGHT_DTYPE_BYTES),
        ),
    );
  if (typeof model?.modelTopology !== 'object' || model.modelTopology === null || !specsOk) {
    throw new AppError(
      'model-files',
      `${file} is not a tfjs layers model (expected modelTopology and weightsManifest with each weight's name, shape and dtype); the model folder is damaged. Export or save the model again.`,
    );
  }
  return model as ModelJson;
}

/**
 * Copies a model folder: plain files and folders only. Links, FIFOs and devices are left out, so an edited
 * model folder cannot pull other files along or make the copy block. Returns the files left out.
 */
export function copyModelFolder(source: string, target: string): string[] {
  const skipped: string[] = [];
  fs.cpSync(source, target, {
    recursive: true,
    dereference: false,
    filter: (from) => {
      const stat = fs.lstatSync(from);
      if (stat.isFile() || stat.isDirectory()) return true;
      skipped.push(path.relative(source, from));
      return false;
    },
  });
  return skipped;
}

function kindOf(stat: fs.Stats): string {
  if (stat.isSymbolicLink()) return 'a link';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isDirectory()) return 'a folder';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a plain file';
}
