import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { AppError } from '../protocol/errors';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const MIGRATION_FILE = /^(\d{4})-[a-z0-9-]+\.sql$/;

/** The numbered SQL files of `dir`, checked to be contiguous from 0001 (append-only, never renumbered). */
export function loadMigrations(dir: string): Migration[] {
  const migrations = fs
    .readdirSync(dir)
    .filter((name) => MIGRATION_FILE.test(name))
    .sort()
    .map((name) => ({
      version: Number(MIGRATION_FILE.exec(name)?.[1]),
      name,
      sql: fs.readFileSync(path.join(dir, name), 'utf8'),
    }));
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`Migration ${m.name} is out of sequence: expected number ${String(i + 1).padStart(4, '0')}.`);
  });
  return migrations;
}

/**
 * Brings the database to the newest schema: each pending file in its own transaction together with
 * `PRAGMA user_version` (nothing async inside), as Signal Desktop does. A database newer than this app is
 * refused, naming both versions. Before migrating an existing database, a copy is kept beside it.
 * Returns the path of that copy, if one was made.
 */
export function migrate(db: Database.Database, migrations: Migration[], file: string | null): string | null {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length;
  if (current > latest) {
    throw new AppError(
      'config',
      `The run database ${file ?? ''} has schema version ${current}, but this version of Modality Studio knows only up to ${latest}. Update Modality Studio, or point it at another database with --db.`,
    );
  }
  if (current === latest) return null;
  let backup: string | null = null;
  if (file && current > 0) {
    backup = `${file}.before-v${latest}-${new Date().toISOString().replace(/[:.]/g, '-')}.bak`;
    db.pragma('wal_checkpoint(TRUNCATE)');
    fs.copyFileSync(file, backup);
  }
  // SQLite's table-rebuild procedure: with foreign keys on, dropping a rebuilt parent table would cascade
  // into its children. The pragma is a no-op inside a transaction, so it is set around them, and each
  // migration is checked to leave no dangling reference before it commits.
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  try {
    for (const migration of migrations.slice(current)) {
      db.transaction(() => {
        db.exec(migration.sql);
        const dangling = db.pragma('foreign_key_check') as unknown[];
        if (dangling.length > 0)
          throw new Error(
            `Migration ${migration.name} left ${dangling.length} dangling references; the database is unchanged.`,
          );
        db.pragma(`user_version = ${migration.version}`);
      })();
    }
  } finally {
    db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
  }
  return backup;
}
