import { z } from 'zod';
import type { EngineCallName, EngineCalls } from '../protocol/engine';
import { RUN_SORT_COLUMNS } from '../protocol/store';

const none = z.object({}).strict() as z.ZodType<Record<string, never>>;
const tags = z.array(z.string().trim().min(1).max(64)).max(32);
/** Sample ids to leave out of a dataset (as many as a manifest can have rows). */
const sampleIds = z.array(z.string().min(1).max(1024)).max(1_000_000);

/** Every request's params are checked here: a host (and the browser behind the web mode) is trusted with nothing. */
export const PARAMS_SCHEMAS: { [K in EngineCallName]: z.ZodType<EngineCalls[K]['params']> } = {
  'datasets:list': none,
  'dataset:validate': z
    .object({ dir: z.string().min(1), noCache: z.boolean().optional(), exclude: sampleIds.optional() })
    .strict(),
  'dataset:preview': z.object({ dir: z.string().min(1), exclude: sampleIds.optional() }).strict(),
  'run:start': z
    .object({
      dataset: z.string().min(1),
      config: z.record(z.string(), z.unknown()).optional(),
      out: z.string().min(1).optional(),
      confirmDecision: z.boolean().optional(),
      exclude: sampleIds.optional(),
    })
    .strict() as z.ZodType<EngineCalls['run:start']['params']>,
  'run:choose': z.object({ runId: z.string().min(1), method: z.enum(['umt', 'ume']) }).strict(),
  'run:active': none,
  'run:resume': z
    .object({ runId: z.string().min(1), out: z.string().min(1).optional(), confirmDecision: z.boolean().optional() })
    .strict(),
  'run:cancel': z.object({ runId: z.string().min(1) }).strict(),
  'runs:list': z
    .object({
      limit: z.number().int().min(1).max(10_000).optional(),
      offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
      search: z.string().max(200).optional(),
      status: z.enum(['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted']).optional(),
      tag: z.string().max(64).optional(),
      sort: z
        .object({
          column: z.union([z.enum(RUN_SORT_COLUMNS), z.string().regex(/^config\.[A-Za-z]+$/)]),
          direction: z.enum(['asc', 'desc']),
        })
        .strict()
        .optional(),
    })
    .strict() as z.ZodType<EngineCalls['runs:list']['params']>,
  'runs:show': z.object({ id: z.string().min(1) }).strict(),
  'runs:tag': z.object({ id: z.string().min(1), add: tags.optional(), remove: tags.optional() }).strict(),
  'runs:note': z.object({ id: z.string().min(1), note: z.string().max(10_000) }).strict(),
  'runs:delete': z.object({ id: z.string().min(1) }).strict(),
  'runs:prune': z
    .object({
      before: z.string().datetime({ offset: true }).or(z.string().date()).optional(),
      status: z.enum(['queued', 'completed', 'failed', 'cancelled', 'interrupted']).optional(),
      dryRun: z.boolean().optional(),
    })
    .strict(),
  'runs:check': none,
  'runs:export': z.object({ id: z.string().min(1) }).strict(),
  // An export is checked field by field by the import itself; here only its size is bounded (by the body limit).
  'runs:import': z.object({ data: z.unknown() }).strict() as z.ZodType<EngineCalls['runs:import']['params']>,
  'model:export': z
    .object({ runId: z.string().min(1), dir: z.string().min(1), method: z.string().min(1).optional() })
    .strict(),
  'backends:check': none,
  'methods:list': none,
  'run:estimate': z
    .object({ dataset: z.string().min(1), config: z.record(z.string(), z.unknown()).optional() })
    .strict() as z.ZodType<EngineCalls['run:estimate']['params']>,
  'model:predict': z
    .object({
      modelDir: z.string().min(1),
      dir: z.string().min(1),
      backend: z.enum(['auto', 'gpu', 'native', 'wasm', 'cpu', 'webgpu']).optional(),
    })
    .strict(),
};
