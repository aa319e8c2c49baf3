import { z } from 'zod';
import type { EngineCallName, EngineCalls } from '../protocol/engine';

const none = z.object({}).strict() as z.ZodType<Record<string, never>>;
const tags = z.array(z.string().trim().min(1).max(64)).max(32);

/** Every request's params are checked here: a host (and the browser behind the web mode) is trusted with nothing. */
export const PARAMS_SCHEMAS: { [K in EngineCallName]: z.ZodType<EngineCalls[K]['params']> } = {
  'datasets:list': none,
  'dataset:validate': z.object({ dir: z.string().min(1) }).strict(),
  'dataset:preview': z.object({ dir: z.string().min(1) }).strict(),
  'run:start': z.object({
    dataset: z.string().min(1),
    config: z.record(z.string(), z.unknown()).optional(),
    out: z.string().min(1).optional(),
    confirmDecision: z.boolean().optional(),
  }).strict() as z.ZodType<EngineCalls['run:start']['params']>,
  'run:choose': z.object({ runId: z.string().min(1), method: z.enum(['umt', 'ume']) }).strict(),
  'run:active': none,
  'run:resume': z.object({ runId: z.string().min(1), out: z.string().min(1).optional() }).strict(),
  'run:cancel': z.object({ runId: z.string().min(1) }).strict(),
  'runs:list': none,
  'runs:show': z.object({ id: z.string().min(1) }).strict(),
  'runs:tag': z.object({ id: z.string().min(1), add: tags.optional(), remove: tags.optional() }).strict(),
  'runs:delete': z.object({ id: z.string().min(1) }).strict(),
  'runs:export': z.object({ id: z.string().min(1) }).strict(),
  'model:export': z.object({ runId: z.string().min(1), dir: z.string().min(1) }).strict(),
};
