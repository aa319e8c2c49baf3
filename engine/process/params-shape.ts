/**
 * What every request's params must be before its schema reads them. A zod record drops a `__proto__` key
 * (and makes it the object's prototype), so `{"config": {"__proto__": {…}}}` would start a default run
 * instead of failing; a value nested 200,000 deep overflows the stack of any recursive walk after it
 * (zod's, JSON.stringify's). Both are found here without recursion.
 */

/** A request nests less than 10 deep (an imported run 9); the limit leaves room. */
export const MAX_PARAMS_DEPTH = 40;

/** Why `params` cannot be a request's params, naming where, or null. */
export function paramsShapeProblem(params: unknown): string | null {
  const stack: { value: unknown; where: string; depth: number }[] = [{ value: params, where: 'params', depth: 0 }];
  while (stack.length > 0) {
    const { value, where, depth } = stack.pop() as (typeof stack)[number];
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_PARAMS_DEPTH)
      return `${where} nests more than ${MAX_PARAMS_DEPTH} levels deep; no request of the engine does`;
    if (Array.isArray(value)) {
      // By index, without listing keys: a list of a million sample ids (`exclude`) took 0.5 s as Object.keys.
      for (let i = 0; i < value.length; i += 1) {
        const child: unknown = value[i];
        if (typeof child === 'object' && child !== null)
          stack.push({ value: child, where: `${where}[${i}]`, depth: depth + 1 });
      }
      continue;
    }
    for (const key of Object.keys(value)) {
      if (key === '__proto__') return `${where} has a key "__proto__", which is not a setting or field of any request`;
      const child = (value as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null)
        stack.push({ value: child, where: `${where}.${key}`, depth: depth + 1 });
    }
  }
  return null;
}
