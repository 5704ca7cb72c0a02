// Numbered schema migrations, applied in order and never edited once released: a new
// change is a new entry. Versions are what `schema_migrations` records.
export interface Migration { version: number; name: string; sql: string }

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'rooms and settings',
    sql: `
      CREATE TABLE rooms (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        moderator_key_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        last_join_at TEXT NOT NULL
      );
      CREATE INDEX rooms_last_join ON rooms (last_join_at);
      CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
];
