import type Database from 'better-sqlite3';
import type { StoreCheck } from '../protocol/store';

/**
 * SQLite's quick_check (the structure of every page and index, without the slower full integrity_check), and
 * the database's size: in all (pages × page size), per run, and per epoch row (the pages of the epochs table and
 * its key, by the dbstat table, over its rows). Epoch rows are most of a run's bytes: one per trained epoch.
 */
export function checkStore(db: Database.Database): StoreCheck {
  const report = (db.pragma('quick_check') as { quick_check: string }[]).map((row) => row.quick_check);
  const ok = report.length === 1 && report[0] === 'ok';
  const pages = db.pragma('page_count', { simple: true }) as number;
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  const runs = count('runs');
  const epochRows = count('epochs');
  const epochBytes =
    (
      db
        .prepare(
          "SELECT COALESCE(SUM(pgsize), 0) AS bytes FROM dbstat WHERE name IN (SELECT name FROM sqlite_schema WHERE tbl_name = 'epochs')",
        )
        .get() as { bytes: number } | undefined
    )?.bytes ?? 0;
  const bytes = pages * pageSize;
  return {
    ok,
    problems: ok ? [] : report.slice(0, 20),
    bytes,
    runs,
    epochRows,
    bytesPerRun: runs > 0 ? Math.round(bytes / runs) : null,
    bytesPerEpochRow: epochRows > 0 ? Math.round(epochBytes / epochRows) : null,
  };
}
