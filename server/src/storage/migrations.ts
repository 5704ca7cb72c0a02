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
  {
    version: 2,
    name: 'meetings: settings, attendance, event log, chat, polls, bans',
    sql: `
      CREATE TABLE meeting_settings (
        room_id TEXT PRIMARY KEY REFERENCES rooms (id) ON DELETE CASCADE,
        lobby INTEGER NOT NULL, locked INTEGER NOT NULL, chat_enabled INTEGER NOT NULL,
        only_chair_unmutes INTEGER NOT NULL, speaking_time_s INTEGER
      );
      CREATE TABLE attendance (
        room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
        peer_id TEXT NOT NULL,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        resume_token_hash TEXT NOT NULL,
        client_id TEXT,
        screen_share INTEGER,
        muted_by_chair INTEGER NOT NULL DEFAULT 0,
        joined_at TEXT NOT NULL,
        left_at TEXT,
        PRIMARY KEY (room_id, peer_id)
      );
      CREATE INDEX attendance_present ON attendance (room_id, left_at);
      CREATE TABLE meeting_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        actor_id TEXT, actor_name TEXT,
        action TEXT NOT NULL,
        target_id TEXT, target_name TEXT,
        details TEXT
      );
      CREATE INDEX meeting_events_room ON meeting_events (room_id, id);
      CREATE TABLE chat_messages (
        id TEXT PRIMARY KEY,
        room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
        at INTEGER NOT NULL, peer_id TEXT NOT NULL, name TEXT NOT NULL, text TEXT NOT NULL,
        deleted_at INTEGER, deleted_by TEXT
      );
      CREATE INDEX chat_room ON chat_messages (room_id, at);
      CREATE TABLE polls (
        id TEXT PRIMARY KEY,
        room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
        question TEXT NOT NULL, options TEXT NOT NULL, multiple INTEGER NOT NULL, anonymous INTEGER NOT NULL,
        live_results INTEGER NOT NULL, created_at INTEGER NOT NULL, closes_at INTEGER, closed INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE poll_answers (
        poll_id TEXT NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
        peer_id TEXT NOT NULL, name TEXT, choices TEXT NOT NULL,
        PRIMARY KEY (poll_id, peer_id)
      );
      CREATE TABLE bans (
        room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
        client_id TEXT NOT NULL,
        PRIMARY KEY (room_id, client_id)
      );
    `,
  },
  {
    version: 3,
    name: 'votes: motions, ledger, turnout, tokens, secret ballots',
    sql: `
      CREATE TABLE motions (
        id TEXT PRIMARY KEY,
        room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
        params TEXT NOT NULL, state TEXT NOT NULL, opened_at INTEGER NOT NULL
      );
      CREATE TABLE ledger_entries (
        motion_id TEXT NOT NULL REFERENCES motions (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL, entry TEXT NOT NULL,
        PRIMARY KEY (motion_id, seq)
      );
      CREATE TABLE vote_turnout (motion_id TEXT NOT NULL, peer_id TEXT NOT NULL, PRIMARY KEY (motion_id, peer_id)) WITHOUT ROWID;
      CREATE TABLE vote_tokens (motion_id TEXT NOT NULL, token_hash TEXT NOT NULL, used INTEGER NOT NULL, PRIMARY KEY (motion_id, token_hash)) WITHOUT ROWID;
      CREATE TABLE secret_ballots (motion_id TEXT NOT NULL, token TEXT NOT NULL, choices TEXT NOT NULL, PRIMARY KEY (motion_id, token)) WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    name: 'minutes: Yjs updates and snapshots, writers',
    sql: `
      CREATE TABLE minutes_updates (
        room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL, update_data BLOB NOT NULL,
        PRIMARY KEY (room_id, seq)
      );
      CREATE TABLE minutes_snapshots (room_id TEXT PRIMARY KEY REFERENCES rooms (id) ON DELETE CASCADE, seq INTEGER NOT NULL, state BLOB NOT NULL);
      CREATE TABLE minutes_writers (room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE, peer_id TEXT NOT NULL, PRIMARY KEY (room_id, peer_id));
    `,
  },
  {
    version: 5,
    name: 'minutes: agenda',
    sql: `CREATE TABLE agendas (room_id TEXT PRIMARY KEY REFERENCES rooms (id) ON DELETE CASCADE, items TEXT NOT NULL);`,
  },
  {
    version: 6,
    name: 'recording: state, event log (consent, start/pause/stop), archive',
    sql: `
      CREATE TABLE recording_state (room_id TEXT PRIMARY KEY REFERENCES rooms (id) ON DELETE CASCADE, state TEXT NOT NULL);
      CREATE TABLE recording_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
        recording_id TEXT NOT NULL, at INTEGER NOT NULL, type TEXT NOT NULL, peer_id TEXT, name TEXT
      );
      CREATE INDEX recording_events_room ON recording_events (room_id, seq);
      CREATE TABLE recordings_archive (
        id TEXT PRIMARY KEY,
        room_id TEXT NOT NULL,
        recording_id TEXT NOT NULL, kind TEXT NOT NULL, filename TEXT NOT NULL, size INTEGER NOT NULL,
        created_at INTEGER NOT NULL, delete_at INTEGER NOT NULL, file TEXT NOT NULL, metadata TEXT NOT NULL
      );
      CREATE INDEX recordings_archive_room ON recordings_archive (room_id);
      CREATE INDEX recordings_archive_delete ON recordings_archive (delete_at);
    `,
  },
  {
    version: 7,
    name: 'phone dial-in: a numeric meeting number and PIN per room',
    sql: `
      ALTER TABLE rooms ADD COLUMN dial_in_id TEXT;
      ALTER TABLE rooms ADD COLUMN dial_in_pin TEXT;
      UPDATE rooms SET dial_in_id = printf('%010d', abs(random()) % 10000000000), dial_in_pin = printf('%06d', abs(random()) % 1000000);
      CREATE UNIQUE INDEX rooms_dial_in ON rooms (dial_in_id);
      ALTER TABLE attendance ADD COLUMN channel TEXT NOT NULL DEFAULT 'browser';
    `,
  },
];
