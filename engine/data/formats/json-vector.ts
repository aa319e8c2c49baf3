import { float32Expectation, isFloat32Finite } from '../manifest/cells';

export class JsonVectorError extends Error {}

/** A `.json` file holding one flat array of finite numbers. */
export function decodeJsonVector(bytes: Uint8Array): Float32Array {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new JsonVectorError(`it is not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(value) || value.length === 0)
    throw new JsonVectorError('it does not hold a non-empty array of numbers');
  const bad = value.findIndex((entry) => !isFloat32Finite(entry));
  if (bad >= 0)
    throw new JsonVectorError(`entry ${bad} is ${JSON.stringify(value[bad])}; ${float32Expectation(value[bad])}`);
  return Float32Array.from(value as number[]);
}
