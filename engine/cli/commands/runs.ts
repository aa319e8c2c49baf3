import fs from 'node:fs';
import { defaultDataDir } from '../../app-paths';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../errors';
import type { RunSummary } from '../../protocol/store';
import { openStore } from '../../store/open-store';
import { deleteRun, noteRun, requestCancel, tagRun } from '../../store/run-admin';
import { getRun, listRuns } from '../../store/run-reader';
import { epochsCsv, exportRun, importRun } from '../../store/run-transfer';
import type { CliContext } from '../context';
import { registerRunsResume } from './runs-resume';

type DbOption = { db?: string };

/** Runs `work` on the opened store, closing it after, and turns user errors into exit code 1. */
function withStore(context: CliContext, options: DbOption, work: (db: ReturnType<typeof openStore>['db']) => void): void {
  let store: ReturnType<typeof openStore> | null = null;
  try {
    store = openStore(options.db ? path.resolve(options.db) : undefined);
    work(store.db);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    context.stderr.write(`${error.message}\n`);
    context.exitCode = 1;
  } finally {
    store?.db.close();
  }
}

function notFound(context: CliContext, id: string): void {
  context.stderr.write(`No run "${id}" in the database (or the prefix matches several); runs list shows the ids.\n`);
  context.exitCode = 1;
}

function formatList(runs: RunSummary[]): string {
  if (runs.length === 0) return 'No runs yet. Start one with: npx modality-studio run synthetic-mixed\n';
  const rows = runs.map((r) => [r.id.slice(0, 8), r.dataset, r.method.toUpperCase(), r.status, r.final === null ? '—' : `${(r.final * 100).toFixed(1)}%`, r.startedAt?.replace('T', ' ').slice(0, 19) ?? '—', r.durationMs === null ? '—' : `${(r.durationMs / 1000).toFixed(1)} s`, r.tags.join(' ')]);
  const header = ['id', 'dataset', 'method', 'status', 'final', 'started', 'duration', 'tags'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  return `${[header, ...rows].map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n')}\n`;
}

export function registerRuns(program: Command, context: CliContext): void {
  const runs = program.command('runs').description('browse, compare, tag, export and import the runs in the run database');
  const db = (command: Command) => command.option('--db <file>', 'run database (default: $MODALITY_STUDIO_DB, else runs.sqlite in the app data folder)');

  db(runs.command('list').description('list every run, newest first').option('--json', 'print JSON')).action((options: DbOption & { json?: boolean }) => {
    withStore(context, options, (handle) => {
      const list = listRuns(handle);
      context.stdout.write(options.json ? `${JSON.stringify({ runs: list })}\n` : formatList(list));
    });
  });

  db(runs.command('show').description('everything recorded about one run').argument('<id>', 'run id or a unique prefix').option('--json', 'print JSON')).action((id: string, options: DbOption & { json?: boolean }) => {
    withStore(context, options, (handle) => {
      const run = getRun(handle, id);
      if (!run) return notFound(context, id);
      if (options.json) {
        context.stdout.write(`${JSON.stringify(run)}\n`);
        return;
      }
      const lines = [
        `Run ${run.id} — ${run.status}`,
        `  dataset   ${run.dataset.name} (${run.dataset.path}, fingerprint ${run.dataset.fingerprint.slice(0, 12)})`,
        `  method    ${run.method?.toUpperCase() ?? '—'} (requested ${run.methodRequested})`,
        `  final     ${run.final === null ? '—' : `${(run.final * 100).toFixed(1)}%`} test accuracy`,
        `  backend   ${run.backend ? `${run.backend.name} ${run.backend.version}, ${run.backend.threads} threads` : '—'}`,
        `  seed      ${run.seed}`,
        ...(run.error ? [`  error     ${run.error}`] : []),
        ...(run.tags.length ? [`  tags      ${run.tags.join(', ')}`] : []),
        ...(run.note ? [`  note      ${run.note}`] : []),
        '  phases:',
        ...run.phases.map((p) => `    ${[p.name, p.modality, p.model].filter(Boolean).join(' ').padEnd(28)} ${p.status.padEnd(11)} ${p.epochs.length} epochs${p.bestEpoch ? `, best ${p.bestEpoch}` : ''}`),
      ];
      context.stdout.write(`${lines.join('\n')}\n`);
    });
  });

  registerRunsResume(runs, context);

  db(runs.command('export').description('the whole run as JSON on stdout').argument('<id>', 'run id or a unique prefix').option('--csv', 'print the epoch table as CSV instead')).action((id: string, options: DbOption & { csv?: boolean }) => {
    withStore(context, options, (handle) => {
      const exported = exportRun(handle, id);
      context.stdout.write(options.csv ? epochsCsv(exported.run) : `${JSON.stringify(exported, null, 2)}\n`);
    });
  });

  db(runs.command('import').description('add a run exported on another machine').argument('<file>', 'a file written by runs export')).action((file: string, options: DbOption) => {
    let data: unknown;
    try {
      data = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      context.stderr.write(`${file} could not be read as JSON (${(error as Error).message}); give a file written by runs export.\n`);
      context.exitCode = 1;
      return;
    }
    withStore(context, options, (handle) => {
      const { id, renamed, model, dropped } = importRun(handle, data, path.join(defaultDataDir(), 'runs'));
      context.stdout.write(`Imported run ${id}${renamed ? ' (its original id was already in this database, so it got a new one)' : ''}.\n`);
      if (model) context.stdout.write(`Its model was copied to ${model}.\n`);
      for (const line of dropped) context.stderr.write(`Not imported: ${line}\n`);
    });
  });

  db(runs.command('tag').description('add a tag to a run').argument('<id>', 'run id or a unique prefix').argument('<tag>', 'the tag')).action((id: string, tag: string, options: DbOption) => {
    withStore(context, options, (handle) => {
      if (!tagRun(handle, id, tag)) notFound(context, id);
    });
  });

  db(runs.command('cancel').description('stop a running run at its next batch boundary; it is kept, marked cancelled').argument('<id>', 'run id or a unique prefix')).action(async (id: string, options: DbOption) => {
    let target: { id: string; file: string } | null = null;
    withStore(context, options, (handle) => {
      const outcome = requestCancel(handle, id, os.hostname());
      if (!outcome.ok) {
        context.stderr.write(`${outcome.reason}\n`);
        context.exitCode = 1;
        return;
      }
      target = { id: outcome.id, file: handle.name };
    });
    if (!target) return;
    const { id: runId, file } = target as { id: string; file: string };
    // Wait (up to a minute) until the engine has recorded the cancellation.
    for (let waited = 0; waited < 60_000; waited += 250) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const store = openStore(file, { readonly: true });
      const status = getRun(store.db, runId)?.status;
      store.db.close();
      if (status && status !== 'running') {
        context.stdout.write(`Run ${runId} is ${status}.\n`);
        return;
      }
    }
    context.stderr.write(`Run ${runId} was asked to stop but has not recorded it within a minute; check it with runs show.\n`);
    context.exitCode = 1;
  });

  db(runs.command('note').description("set a run's note (an empty text clears it)").argument('<id>', 'run id or a unique prefix').argument('<text>', 'the note')).action((id: string, text: string, options: DbOption) => {
    withStore(context, options, (handle) => {
      if (!noteRun(handle, id, text)) notFound(context, id);
    });
  });

  db(runs.command('delete').description('delete a run and everything recorded about it (model files are kept)').argument('<id>', 'run id or a unique prefix')).action((id: string, options: DbOption) => {
    withStore(context, options, (handle) => {
      const deleted = deleteRun(handle, id);
      if (!deleted) return notFound(context, id);
      context.stdout.write(`Deleted run ${deleted}.\n`);
    });
  });
}
