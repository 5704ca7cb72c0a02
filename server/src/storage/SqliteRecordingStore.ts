// Recording state, event log and archive index in SQLite (see recording/store.ts).
import type { RecordingState } from '../../../protocol/index.js';
import type { ArchiveRow, RecordingEvent, RecordingStore } from '../recording/store.js';
import type { Database } from './database.js';

interface ArchiveDbRow {
  id: string; room_id: string; recording_id: string; kind: string; filename: string; size: number;
  created_at: number; delete_at: number; file: string; metadata: string;
}

function toRow(r: ArchiveDbRow): ArchiveRow {
  return {
    id: r.id, roomId: r.room_id, recordingId: r.recording_id, kind: r.kind === 'audio' ? 'audio' : 'video', filename: r.filename,
    size: r.size, createdAt: r.created_at, deleteAt: r.delete_at, file: r.file, metadata: r.metadata,
  };
}

export class SqliteRecordingStore implements RecordingStore {
  constructor(readonly db: Database) {}

  state(roomId: string): RecordingState | null {
    const r = this.db.prepare('SELECT state FROM recording_state WHERE room_id = ?').get(roomId) as { state: string } | undefined;
    return r ? (JSON.parse(r.state) as RecordingState) : null;
  }

  commit(roomId: string, events: RecordingEvent[], state: RecordingState | null): void {
    this.db.transaction(() => {
      this.#log(roomId, events);
      this.#save(roomId, state);
    })();
  }

  #save(roomId: string, state: RecordingState | null): void {
    if (state === null) this.db.prepare('DELETE FROM recording_state WHERE room_id = ?').run(roomId);
    else this.db.prepare('INSERT INTO recording_state (room_id, state) VALUES (?, ?) ON CONFLICT (room_id) DO UPDATE SET state = excluded.state').run(roomId, JSON.stringify(state));
  }

  #log(roomId: string, events: RecordingEvent[]): void {
    const insert = this.db.prepare('INSERT INTO recording_events (room_id, recording_id, at, type, peer_id, name) VALUES (?, ?, ?, ?, ?, ?)');
    for (const e of events) insert.run(roomId, e.recordingId, e.at, e.type, e.peerId, e.name);
  }

  events(roomId: string, recordingId?: string): RecordingEvent[] {
    const rows = (recordingId
      ? this.db.prepare('SELECT recording_id, at, type, peer_id, name FROM recording_events WHERE room_id = ? AND recording_id = ? ORDER BY seq').all(roomId, recordingId)
      : this.db.prepare('SELECT recording_id, at, type, peer_id, name FROM recording_events WHERE room_id = ? ORDER BY seq').all(roomId)) as
      { recording_id: string; at: number; type: RecordingEvent['type']; peer_id: string | null; name: string | null }[];
    return rows.map((r) => ({ recordingId: r.recording_id, at: r.at, type: r.type, peerId: r.peer_id, name: r.name }));
  }

  readonly archive = {
    add: (row: ArchiveRow): void => {
      this.db.prepare('INSERT INTO recordings_archive (id, room_id, recording_id, kind, filename, size, created_at, delete_at, file, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(row.id, row.roomId, row.recordingId, row.kind, row.filename, row.size, row.createdAt, row.deleteAt, row.file, row.metadata);
    },
    list: (roomId: string): ArchiveRow[] =>
      (this.db.prepare('SELECT * FROM recordings_archive WHERE room_id = ? ORDER BY created_at').all(roomId) as ArchiveDbRow[]).map(toRow),
    get: (id: string): ArchiveRow | undefined => {
      const r = this.db.prepare('SELECT * FROM recordings_archive WHERE id = ?').get(id) as ArchiveDbRow | undefined;
      return r ? toRow(r) : undefined;
    },
    remove: (id: string): void => { this.db.prepare('DELETE FROM recordings_archive WHERE id = ?').run(id); },
    expired: (now: number): ArchiveRow[] =>
      (this.db.prepare('SELECT * FROM recordings_archive WHERE delete_at <= ?').all(now) as ArchiveDbRow[]).map(toRow),
  };
}
