// Where room records live. A file store now (links survive restarts); the interface is
// what a database or Redis-backed store will implement for multi-node later.
import { mkdirSync, readFileSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RoomRecord } from './Room.js';

export interface RoomStore {
  loadAll(): RoomRecord[];
  /** Resolves only once the record is durable. */
  save(record: RoomRecord): Promise<void>;
}

export class MemoryRoomStore implements RoomStore {
  readonly #records = new Map<string, RoomRecord>();
  loadAll(): RoomRecord[] { return [...this.#records.values()]; }
  async save(record: RoomRecord): Promise<void> { this.#records.set(record.id, record); }
}

export class FileRoomStore implements RoomStore {
  readonly #file: string;
  readonly #records = new Map<string, RoomRecord>();

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.#file = join(dataDir, 'rooms.json');
    if (existsSync(this.#file)) {
      const parsed = JSON.parse(readFileSync(this.#file, 'utf8')) as { rooms?: RoomRecord[] };
      for (const r of parsed.rooms ?? []) this.#records.set(r.id, r);
    }
  }

  loadAll(): RoomRecord[] { return [...this.#records.values()]; }

  async save(record: RoomRecord): Promise<void> {
    this.#records.set(record.id, record);
    // Write-then-rename with fsync: a crash leaves either the old or the new file.
    const tmp = `${this.#file}.tmp`;
    writeFileSync(tmp, JSON.stringify({ rooms: [...this.#records.values()] }, null, 1));
    const fd = openSync(tmp, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
    renameSync(tmp, this.#file);
  }
}
