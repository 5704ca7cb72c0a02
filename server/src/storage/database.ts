// The embedded database: one SQLite file in the data directory, in WAL mode with full
// fsync on commit (a row is durable once its statement returns), and numbered schema
// migrations applied at start. Feature stores get the handle; none of them opens files.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { logger } from '../log.js';
import { MIGRATIONS } from './migrations.js';

const log = logger('storage');

export type Database = BetterSqlite3.Database;

export const DATABASE_FILE = 'thinline.db';

export function openDatabase(dataDir: string): Database {
  mkdirSync(dataDir, { recursive: true });
  const db = new BetterSqlite3(join(dataDir, DATABASE_FILE));
  db.pragma('journal_mode = WAL');
  // FULL: a commit is fsynced before the statement returns, so "acknowledged" means "on disk".
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

export function openMemoryDatabase(): Database {
  const db = new BetterSqlite3(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

/** Applies every migration newer than the database's version, each in its own transaction. */
export function migrate(db: Database): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  const current = row.v ?? 0;
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(m.version, new Date().toISOString());
    })();
    log.info('schema migration applied', { version: m.version, name: m.name });
  }
  return MIGRATIONS.at(-1)?.version ?? 0;
}
