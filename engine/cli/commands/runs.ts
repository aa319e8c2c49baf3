import fs from 'node:fs';
import type { Command } from 'commander';
import { RUN_SORT_COLUMNS, type RunQuery, type RunStatus, type RunSummary, type StoredRun } from '../../protocol/store';
import readline from 'node:readline/promises';
import { InvalidArgumentError } from 'commander';
import { seedStatText as formatStat } from '../../protocol/seed-stat';
import { methodLabel } from '../../protocol/run';
import type { CliContext } from '../context';
import { epochsCsv } from '../epochs-csv';
import { withLocalEngine } from '../with-engine';
import { registerRunsResume } from './runs-resume';

type DbOption = { db?: string };

const positiveInteger = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
  return n;
};

/** Asks a yes/no question at a terminal; anywhere else the answer is no. */
async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) return false;
  const prompt = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}

/** `--sort column[:asc|desc]`; the column is checked by the engine. */
function sortOption(value: string): NonNullable<RunQuery['sort']> {
  const [column = '', direction = 'desc'] = value.split(':');
  if (direction !== 'asc' && direction !== 'desc')
    throw new InvalidArgumentError(`expected COLUMN, COLUMN:asc or COLUMN:desc, got "${value}"`);
  return { column: column as NonNullable<RunQuery['sort']>['column'], direction };
}

function formatList(runs: RunSummary[]): string {
  if (runs.length === 0) return 'No runs yet. Start one with: npx modality-studio run synthetic-mixed\n';
  const rows = runs.map((r) => [
    r.id.slice(0, 8),
    r.dataset,
    methodLabel(r.method),
    r.status,
    r.final === null ? '—' : `${(r.final * 100).toFixed(1)}%`,
    r.startedAt?.replace('T', ' ').slice(0, 19) ?? '—',
    r.durationMs === null ? '—' : `${(r.durationMs / 1000).toFixed(1)} s`,
    r.tags.join(' '),
  ]);
  const header = ['id', 'dataset', 'final model', 'status', 'accuracy', 'started', 'duration', 'tags'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  return `${[header, ...rows]
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}

export function registerRuns(program: Command, context: CliContext): void {
  const runs = program
    .command('runs')
    .description('browse, compare, tag, export and import the runs in the run database');
  const db = (command: Command) =>
    command.option(
      '--db <file>',
      'run database (default: $MODALITY_STUDIO_DB, else runs.sqlite in the app data folder)',
    );

  db(
    runs
      .command('list')
      .description('list the runs, newest first, a page at a time (found, filtered and sorted by the database)')
      .option('--limit <n>', 'at most n runs (default: 50 on a terminal, every run otherwise)', positiveInteger)
      .option('--offset <n>', 'skip the first n runs of the list', positiveInteger)
      .option(
        '--search <words>',
        "runs whose row shows every word: dataset, final model, status, tag, note, id, or 'override'",
      )
      .option('--status <status>', 'completed, running, failed, cancelled, interrupted or queued')
      .option('--tag <tag>', 'runs with this tag')
      .option(
        '--sort <column>',
        `sort by ${RUN_SORT_COLUMNS.join(', ')} or config.SETTING, with :asc or :desc (default desc)`,
        sortOption,
      )
      .option('--json', 'print JSON: {runs, total}'),
  ).action(
    (
      options: DbOption & {
        json?: boolean;
        limit?: number;
        offset?: number;
        search?: string;
        status?: string;
        tag?: string;
        sort?: RunQuery['sort'];
      },
    ) =>
      withLocalEngine(context, options, async (engine) => {
        const limit = options.limit ?? ((context.stdout as { isTTY?: boolean }).isTTY ? 50 : undefined);
        const query = {
          ...(limit !== undefined ? { limit } : {}),
          ...(options.offset !== undefined ? { offset: options.offset } : {}),
          ...(options.search ? { search: options.search } : {}),
          ...(options.status ? { status: options.status as RunQuery['status'] } : {}),
          ...(options.tag ? { tag: options.tag } : {}),
          ...(options.sort ? { sort: options.sort } : {}),
        };
        const page = await engine.call('runs:list', query);
        if (options.json) {
          context.stdout.write(`${JSON.stringify(page)}\n`);
          return;
        }
        context.stdout.write(formatList(page.runs));
        const shown = (options.offset ?? 0) + page.runs.length;
        if (shown < page.total)
          context.stdout.write(`${page.total - shown} more of ${page.total} runs: --offset ${shown}\n`);
      }),
  );

  db(
    runs
      .command('show')
      .description('everything recorded about one run')
      .argument('<id>', 'run id or a unique prefix')
      .option('--json', 'print JSON'),
  ).action((id: string, options: DbOption & { json?: boolean }) =>
    withLocalEngine(context, options, async (engine) => {
      const run = await engine.call('runs:show', { id });
      context.stdout.write(options.json ? `${JSON.stringify(run)}\n` : formatRun(run));
    }),
  );

  registerRunsResume(runs, context);

  db(
    runs
      .command('export')
      .description('the whole run as JSON on stdout')
      .argument('<id>', 'run id or a unique prefix')
      .option('--csv', 'print the epoch table as CSV instead'),
  ).action((id: string, options: DbOption & { csv?: boolean }) =>
    withLocalEngine(context, options, async (engine) => {
      const exported = await engine.call('runs:export', { id });
      context.stdout.write(options.csv ? epochsCsv(exported.run) : `${JSON.stringify(exported, null, 2)}\n`);
    }),
  );

  db(
    runs
      .command('import')
      .description('add a run exported on another machine')
      .argument('<file>', 'a file written by runs export'),
  ).action(async (file: string, options: DbOption) => {
    let data: unknown;
    try {
      data = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      context.stderr.write(
        `${file} could not be read as JSON (${(error as Error).message}); give a file written by runs export.\n`,
      );
      context.exitCode = 1;
      return;
    }
    await withLocalEngine(context, options, async (engine) => {
      const { id, renamed, model, dropped } = await engine.call('runs:import', { data });
      context.stdout.write(
        `Imported run ${id}${renamed ? ' (its original id was already in this database, so it got a new one)' : ''}.\n`,
      );
      if (model) context.stdout.write(`Its model was copied to ${model}.\n`);
      for (const line of dropped) context.stderr.write(`Not imported: ${line}\n`);
    });
  });

  db(
    runs
      .command('tag')
      .description('add a tag to a run')
      .argument('<id>', 'run id or a unique prefix')
      .argument('<tag>', 'the tag'),
  ).action((id: string, tag: string, options: DbOption) =>
    withLocalEngine(context, options, async (engine) => {
      await engine.call('runs:tag', { id, add: [tag] });
    }),
  );

  db(
    runs
      .command('cancel')
      .description('stop a running run at its next batch boundary; it is kept, marked cancelled')
      .argument('<id>', 'run id or a unique prefix'),
  ).action((id: string, options: DbOption) =>
    withLocalEngine(context, options, async (engine) => {
      const outcome = await engine.call('run:cancel', { runId: id });
      if (!outcome.cancelled || !outcome.runId) {
        context.stderr.write(`${outcome.reason ?? `Run ${id} could not be cancelled.`}\n`);
        context.exitCode = 1;
        return;
      }
      // Wait (up to a minute) until the engine that trains it has recorded the cancellation.
      for (let waited = 0; waited < 60_000; waited += 250) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        const { status } = await engine.call('runs:show', { id: outcome.runId });
        if (status !== 'running') {
          context.stdout.write(`Run ${outcome.runId} is ${status}.\n`);
          return;
        }
      }
      context.stderr.write(
        `Run ${outcome.runId} was asked to stop but has not recorded it within a minute; check it with runs show.\n`,
      );
      context.exitCode = 1;
    }),
  );

  db(
    runs
      .command('note')
      .description("set a run's note (an empty text clears it)")
      .argument('<id>', 'run id or a unique prefix')
      .argument('<text>', 'the note'),
  ).action((id: string, text: string, options: DbOption) =>
    withLocalEngine(context, options, async (engine) => {
      await engine.call('runs:note', { id, note: text });
    }),
  );

  db(
    runs
      .command('delete')
      .description(
        'delete a run, or every run matching --before and --status, and everything recorded about them (model files are kept)',
      )
      .argument('[id]', 'run id or a unique prefix')
      .option('--before <date>', 'runs created before this date (2026-11-01) or time (ISO 8601)')
      .option('--status <status>', 'runs with this status: failed, cancelled, interrupted, completed or queued')
      .option('--yes', 'delete without asking (needed when not at a terminal)'),
  ).action((id: string | undefined, options: DbOption & { before?: string; status?: string; yes?: boolean }) =>
    withLocalEngine(context, options, async (engine) => {
      if (id) {
        const { id: deleted } = await engine.call('runs:delete', { id });
        context.stdout.write(`Deleted run ${deleted}.\n`);
        return;
      }
      const filter = {
        ...(options.before ? { before: options.before } : {}),
        ...(options.status ? { status: options.status as RunStatus } : {}),
      };
      const { matched } = await engine.call('runs:prune', { ...filter, dryRun: true });
      const which = [
        options.before ? `created before ${options.before}` : '',
        options.status ? `${options.status}` : '',
      ]
        .filter(Boolean)
        .join(', ');
      if (matched === 0) {
        context.stdout.write(`No run matches (${which}); nothing deleted.\n`);
        return;
      }
      if (
        !options.yes &&
        !(await confirm(
          `${matched} run${matched === 1 ? '' : 's'} match (${which}). Delete ${matched === 1 ? 'it' : 'them'}? [y/N] `,
        ))
      ) {
        context.stdout.write(
          `${matched} run${matched === 1 ? '' : 's'} match (${which}); nothing deleted. Add --yes to delete without asking.\n`,
        );
        return;
      }
      const { deleted } = await engine.call('runs:prune', filter);
      context.stdout.write(`Deleted ${deleted} run${deleted === 1 ? '' : 's'} (${which}).\n`);
    }),
  );

  db(
    runs
      .command('check')
      .description("check the run database with SQLite's quick_check, and say how large it is")
      .option('--json', 'print JSON'),
  ).action((options: DbOption & { json?: boolean }) =>
    withLocalEngine(context, options, async (engine) => {
      const check = await engine.call('runs:check', {});
      if (options.json) {
        context.stdout.write(`${JSON.stringify(check)}\n`);
        return;
      }
      const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
      context.stdout.write(
        [
          check.ok
            ? 'The run database is sound (quick_check: ok).'
            : `The run database has problems (quick_check):\n  ${check.problems.join('\n  ')}`,
          `${mb(check.bytes)} for ${check.runs} run${check.runs === 1 ? '' : 's'} and ${check.epochRows} epoch rows${check.bytesPerRun === null ? '' : `: ${(check.bytesPerRun / 1000).toFixed(1)} kB a run`}${check.bytesPerEpochRow === null ? '' : `, ${check.bytesPerEpochRow} bytes an epoch row`}.`,
        ].join('\n') + '\n',
      );
      if (!check.ok) context.exitCode = 1;
    }),
  );
}

function formatRun(run: StoredRun): string {
  const lines = [
    `Run ${run.id} — ${run.status}`,
    `  dataset   ${run.dataset.name} (${run.dataset.path}, fingerprint ${run.dataset.fingerprint.slice(0, 12)})`,
    `  decision  ${run.method?.toUpperCase() ?? '—'} (requested ${run.methodRequested})`,
    `  final     ${run.finalChoice ? `${run.candidates.find((c) => c.method === run.finalChoice?.method)?.label ?? run.finalChoice.method}, ` : ''}${run.final === null ? '—' : `${(run.final * 100).toFixed(1)}%`} test accuracy`,
    ...(run.finalChoice ? [`  why       ${run.finalChoice.reason}`] : []),
    `  backend   ${run.backend ? `${run.backend.name} ${run.backend.version}, ${run.backend.threads} threads` : '—'}`,
    `  seed${run.seeds.length > 1 ? 's' : ' '}     ${run.seeds.join(', ')}`,
    ...(run.candidates.length
      ? [
          '  models (validation, test):',
          ...run.candidates.map(
            (c) => `    ${c.label.padEnd(26)} ${formatStat(c.val).padStart(14)} ${formatStat(c.test).padStart(14)}`,
          ),
        ]
      : []),
    ...run.candidates.flatMap((c) =>
      (c.estimated ?? []).flatMap((e) => [
        `  ${c.label} estimated (seed ${e.seed}): ${e.values.map((v) => `${v.label} ${v.value.toFixed(3)}`).join(', ')}`,
        ...(e.heads ?? []).map(
          (h) =>
            `    head ${h.head.padEnd(12)} train loss ${h.trainLoss0.toFixed(3)} → ${h.trainLossN.toFixed(3)}, held-out ${h.heldOutLoss0.toFixed(3)} → ${h.heldOutLossN.toFixed(3)}, weight ${h.weight.toFixed(3)}`,
        ),
      ]),
    ),
    ...run.notices.map((n) => `  note: ${n}`),
    ...(run.error ? [`  error     ${run.error}`] : []),
    ...(run.tags.length ? [`  tags      ${run.tags.join(', ')}`] : []),
    ...(run.note ? [`  note      ${run.note}`] : []),
    '  phases:',
    ...run.phases.map(
      (p) =>
        `    ${[p.name, p.modality, p.model, run.seeds.length > 1 ? `seed ${p.seed}` : ''].filter(Boolean).join(' ').padEnd(28)} ${p.status.padEnd(11)} ${p.epochs.length} epochs${p.bestEpoch ? `, best ${p.bestEpoch}` : ''}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}
