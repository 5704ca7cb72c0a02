// Where room records live. SQLite by default (storage/SqliteRoomStore.ts); memory for
// tests that need no files; the interface is what a PostgreSQL store implements for
// multi-node deployments later.
import type { RoomRecord } from './Room.js';

export interface RoomStore {
  loadAll(): RoomRecord[];
  /** Resolves only once the record is durable. */
  insert(record: RoomRecord): Promise<void>;
  /** Records a join (for idle expiry); cheap, one row. */
  touch(id: string, at: string): void;
  setModeratorKeyHash(id: string, hash: string): Promise<void>;
  delete(id: string): Promise<void>;
  setDialInPin(id: string, pin: string): void;
  getSetting(key: string): string | undefined;
  setSetting(key: string, value: string): void;
}

export class MemoryRoomStore implements RoomStore {
  readonly #records = new Map<string, RoomRecord>();
  readonly #settings = new Map<string, string>();
  loadAll(): RoomRecord[] { return [...this.#records.values()].map((r) => ({ ...r })); }
  async insert(record: RoomRecord): Promise<void> { this.#records.set(record.id, { ...record }); }
  touch(id: string, at: string): void { const r = this.#records.get(id); if (r) r.lastJoinAt = at; }
  async setModeratorKeyHash(id: string, hash: string): Promise<void> { const r = this.#records.get(id); if (r) r.moderatorKeyHash = hash; }
  async delete(id: string): Promise<void> { this.#records.delete(id); }
  setDialInPin(id: string, pin: string): void { const r = this.#records.get(id); if (r) r.dialInPin = pin; }
  getSetting(key: string): string | undefined { return this.#settings.get(key); }
  setSetting(key: string, value: string): void { this.#settings.set(key, value); }
}
