import type Database from 'better-sqlite3';
import { AppError } from '../protocol/errors';
import { methodLabel } from '../protocol/run';
import { SETTINGS } from '../protocol/settings';
import type { RunPage, RunQuery, RunSortColumn, RunSummary } from '../protocol/store';

/** The final model's method as the row shows it: the final choice, else the decision's, else the one asked for. */
const METHOD = 'COALESCE(f.method, r.method_final, r.method_requested)';
const FROM = `FROM runs r JOIN datasets d ON d.id = r.dataset_id LEFT JOIN final_choices f ON f.run_id = r.id
  LEFT JOIN decisions dc ON dc.run_id = r.id`;

/** What each sortable column sorts by (NULLs last either way, so unfinished runs do not crowd the top). */
const SORT_EXPRESSIONS: Record<string, string> = {
  started: 'r.started_at',
  dataset: 'd.name COLLATE NOCASE',
  method: `method_label(${METHOD}) COLLATE NOCASE`,
  status: 'r.status',
  final: 'r.final_accuracy',
  duration: 'r.duration_ms',
  seeds: 'r.seeds',
  backend: "json_extract(r.backend_json, '$.name')",
};

function sortExpression(column: RunSortColumn): string {
  const known = SORT_EXPRESSIONS[column];
  if (known) return known;
  const setting = column.startsWith('config.') ? column.slice('config.'.length) : '';
  if (!Object.hasOwn(SETTINGS, setting)) {
    throw new AppError(
      'bad-request',
      `Cannot sort runs by "${column}": expected one of ${Object.keys(SORT_EXPRESSIONS).join(', ')}, or config.SETTING with a setting's id (config.epochs).`,
    );
  }
  return `json_extract(r.config_json, '$.${setting}')`;
}

/** LIKE's wildcards in a user's word, taken literally. */
const likePattern = (word: string) => `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The WHERE clause of a query and its parameters. Each search word must match something the row shows: the
 * dataset's name, the final model (id or label), the status, a tag, the note or the id; a word that starts
 * `override` also matches a run whose trick the user overrode (the row's badge).
 */
function filter(query: RunQuery): { where: string; params: Record<string, string | number> } {
  const clauses: string[] = [];
  const params: Record<string, string | number> = {};
  if (query.status) {
    clauses.push('r.status = @status');
    params.status = query.status;
  }
  if (query.tag) {
    clauses.push('EXISTS (SELECT 1 FROM tags t WHERE t.run_id = r.id AND t.tag = @tag)');
    params.tag = query.tag;
  }
  const words = (query.search ?? '').toLowerCase().split(/\s+/).filter(Boolean).slice(0, 10);
  words.forEach((word, i) => {
    const name = `w${i}`;
    params[name] = likePattern(word);
    const matches = [
      `lower(d.name) LIKE @${name} ESCAPE '\\'`,
      `lower(r.id) LIKE @${name} ESCAPE '\\'`,
      `lower(${METHOD}) LIKE @${name} ESCAPE '\\'`,
      `lower(method_label(${METHOD})) LIKE @${name} ESCAPE '\\'`,
      `r.status LIKE @${name} ESCAPE '\\'`,
      `lower(r.note) LIKE @${name} ESCAPE '\\'`,
      `EXISTS (SELECT 1 FROM tags t WHERE t.run_id = r.id AND lower(t.tag) LIKE @${name} ESCAPE '\\')`,
      ...(word.length >= 4 && ['override', 'overridden'].some((badge) => badge.startsWith(word))
        ? ['COALESCE(dc.overridden, 0) = 1']
        : []),
    ];
    clauses.push(`(${matches.join(' OR ')})`);
  });
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

const labelled = new WeakSet<Database.Database>();

/** SQL's `method_label(id)`: a method in the words a row shows (search matches "auxiliary"), added once per connection. */
function withMethodLabels(db: Database.Database): void {
  if (labelled.has(db)) return;
  db.function('method_label', { deterministic: true }, (id: unknown) => methodLabel(String(id ?? '')));
  labelled.add(db);
}

interface SummaryRow {
  id: string;
  dataset: string;
  method: string;
  seeds: number;
  status: RunSummary['status'];
  final_accuracy: number | null;
  started_at: string | null;
  duration_ms: number | null;
  waiting_ms: number;
  config_json: string;
  backend: string | null;
  overridden: number;
  tags: string;
}

/**
 * A page of the run list, found, filtered, sorted and counted by the database (not the host): the page's ids
 * first, ordered and cut on cheap columns, then only those rows read whole (config, tags), so a page of 50
 * costs the same with 100 runs or 100,000.
 */
export function listRuns(db: Database.Database, query: RunQuery = {}): RunPage {
  withMethodLabels(db);
  const { where, params } = filter(query);
  const total = (db.prepare(`SELECT COUNT(*) AS n ${FROM} ${where}`).get(params) as { n: number }).n;
  const direction = query.sort?.direction === 'asc' ? 'ASC' : 'DESC';
  const sortBy = query.sort ? sortExpression(query.sort.column) : null;
  const order = sortBy
    ? `${sortBy} IS NULL, ${sortBy} ${direction}, r.created_at DESC, r.id`
    : 'r.created_at DESC, r.id';
  const ids = db
    .prepare(`SELECT r.id ${FROM} ${where} ORDER BY ${order} LIMIT @limit OFFSET @offset`)
    .all({ ...params, limit: query.limit ?? -1, offset: query.offset ?? 0 }) as { id: string }[];
  const read = db.prepare(
    `SELECT r.id, d.name AS dataset, ${METHOD} AS method, r.seeds, r.status, r.final_accuracy, r.started_at, r.duration_ms,
      r.waiting_ms, r.config_json, json_extract(r.backend_json, '$.name') AS backend, COALESCE(dc.overridden, 0) AS overridden,
      (SELECT json_group_array(tag) FROM (SELECT tag FROM tags t WHERE t.run_id = r.id ORDER BY tag)) AS tags
    ${FROM} WHERE r.id = ?`,
  );
  const runs = ids.map(({ id }) => summary(read.get(id) as SummaryRow));
  return { runs, total };
}

function summary(r: SummaryRow): RunSummary {
  return {
    id: r.id,
    dataset: r.dataset,
    method: r.method,
    seeds: r.seeds,
    status: r.status,
    final: r.final_accuracy,
    startedAt: r.started_at,
    durationMs: r.duration_ms,
    waitingMs: r.waiting_ms,
    config: JSON.parse(r.config_json) as RunSummary['config'],
    backend: r.backend,
    overridden: r.overridden === 1,
    tags: JSON.parse(r.tags) as string[],
  };
}
