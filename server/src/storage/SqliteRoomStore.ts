// Room records in SQLite. One row per room; creating a room is one INSERT (not a rewrite
// of every record), and a join only updates its row's last-join time.
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { hashSecret } from '../domain/secrets.js';
import type { RoomRecord } from '../domain/Room.js';
import type { RoomStore } from '../domain/RoomStore.js';
import { logger } from '../log.js';
import type { Database } from './database.js';

const log = logger('storage');

interface Row { id: string; name: string; moderator_key_hash: string; created_at: string; last_join_at: string; dial_in_id: string; dial_in_pin: string }

export class SqliteRoomStore implements RoomStore {
  readonly #db: Database;
  readonly #insert;
  readonly #touch;
  readonly #setKey;
  readonly #delete;

  constructor(db: Database) {
    this.#db = db;
    this.#insert = db.prepare('INSERT INTO rooms (id, name, moderator_key_hash, created_at, last_join_at, dial_in_id, dial_in_pin) VALUES (@id, @name, @moderatorKeyHash, @createdAt, @lastJoinAt, @dialInId, @dialInPin)');
    this.#touch = db.prepare('UPDATE rooms SET last_join_at = ? WHERE id = ?');
    this.#setKey = db.prepare('UPDATE rooms SET moderator_key_hash = ? WHERE id = ?');
    this.#delete = db.prepare('DELETE FROM rooms WHERE id = ?');
  }

  loadAll(): RoomRecord[] {
    return (this.#db.prepare('SELECT * FROM rooms').all() as Row[]).map((r) => ({
      id: r.id, name: r.name, moderatorKeyHash: r.moderator_key_hash, createdAt: r.created_at, lastJoinAt: r.last_join_at, dialInId: r.dial_in_id, dialInPin: r.dial_in_pin,
    }));
  }

  async insert(record: RoomRecord): Promise<void> { this.#insert.run(record); }
  touch(id: string, at: string): void { this.#touch.run(at, id); }
  async setModeratorKeyHash(id: string, hash: string): Promise<void> { this.#setKey.run(hash, id); }
  async delete(id: string): Promise<void> { this.#delete.run(id); }
  setDialInPin(id: string, pin: string): void { this.#db.prepare('UPDATE rooms SET dial_in_pin = ? WHERE id = ?').run(pin, id); }

  getSetting(key: string): string | undefined {
    return (this.#db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setSetting(key: string, value: string): void {
    this.#db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /**
   * One-time import of the JSON store of earlier versions (data/rooms.json): its plain
   * moderator keys are stored hashed, and the file is renamed so it is never read again.
   */
  importJson(dataDir: string): number {
    const file = join(dataDir, 'rooms.json');
    if (!existsSync(file)) return 0;
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { rooms?: { id: string; name: string; moderatorKey: string; createdAt: string }[] };
    const rooms = parsed.rooms ?? [];
    const insert = this.#db.prepare("INSERT OR IGNORE INTO rooms (id, name, moderator_key_hash, created_at, last_join_at, dial_in_id, dial_in_pin) VALUES (?, ?, ?, ?, ?, printf('%010d', abs(random()) % 10000000000), printf('%06d', abs(random()) % 1000000))");
    this.#db.transaction(() => {
      for (const r of rooms) insert.run(r.id, r.name, hashSecret(r.moderatorKey), r.createdAt, r.createdAt);
    })();
    renameSync(file, `${file}.migrated`);
    log.info('imported rooms from rooms.json', { rooms: rooms.length });
    return rooms.length;
  }
}
