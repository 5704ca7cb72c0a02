// Minutes in SQLite (see minutes/store.ts).
import type { MinutesStore } from '../minutes/store.js';
import type { Database } from './database.js';

export class SqliteMinutesStore implements MinutesStore {
  constructor(readonly db: Database) {}

  load(roomId: string): { snapshot: Uint8Array | null; updates: Uint8Array[]; seq: number } {
    const snap = this.db.prepare('SELECT seq, state FROM minutes_snapshots WHERE room_id = ?').get(roomId) as { seq: number; state: Buffer } | undefined;
    const rows = this.db.prepare('SELECT seq, update_data FROM minutes_updates WHERE room_id = ? AND seq > ? ORDER BY seq').all(roomId, snap?.seq ?? -1) as { seq: number; update_data: Buffer }[];
    return { snapshot: snap ? new Uint8Array(snap.state) : null, updates: rows.map((r) => new Uint8Array(r.update_data)), seq: rows.at(-1)?.seq ?? snap?.seq ?? -1 };
  }

  append(roomId: string, seq: number, update: Uint8Array): void {
    this.db.prepare('INSERT INTO minutes_updates (room_id, seq, update_data) VALUES (?, ?, ?)').run(roomId, seq, Buffer.from(update));
  }

  snapshot(roomId: string, seq: number, state: Uint8Array): void {
    this.db.transaction(() => {
      this.db.prepare('INSERT INTO minutes_snapshots (room_id, seq, state) VALUES (?, ?, ?) ON CONFLICT (room_id) DO UPDATE SET seq = excluded.seq, state = excluded.state').run(roomId, seq, Buffer.from(state));
      this.db.prepare('DELETE FROM minutes_updates WHERE room_id = ? AND seq <= ?').run(roomId, seq);
    })();
  }

  writers(roomId: string): string[] {
    return (this.db.prepare('SELECT peer_id FROM minutes_writers WHERE room_id = ?').all(roomId) as { peer_id: string }[]).map((r) => r.peer_id);
  }

  setWriter(roomId: string, peerId: string, writer: boolean): void {
    if (writer) this.db.prepare('INSERT OR IGNORE INTO minutes_writers (room_id, peer_id) VALUES (?, ?)').run(roomId, peerId);
    else this.db.prepare('DELETE FROM minutes_writers WHERE room_id = ? AND peer_id = ?').run(roomId, peerId);
  }

  agenda(roomId: string): string[] {
    const r = this.db.prepare('SELECT items FROM agendas WHERE room_id = ?').get(roomId) as { items: string } | undefined;
    return r ? (JSON.parse(r.items) as string[]) : [];
  }

  setAgenda(roomId: string, items: string[]): void {
    this.db.prepare('INSERT INTO agendas (room_id, items) VALUES (?, ?) ON CONFLICT (room_id) DO UPDATE SET items = excluded.items').run(roomId, JSON.stringify(items));
  }
}
