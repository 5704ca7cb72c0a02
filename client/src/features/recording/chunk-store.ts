// Crash-safe storage of a recording in the browser (IndexedDB via idb): every chunk the
// recorder delivers is written in its own transaction before the next one, so a crash or
// reload loses at most the chunk in flight (about a second). A recording is kept, part by
// part, until it is exported and the moderator discards it. No Svelte here: unit-tested
// in Node against fake-indexeddb.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

export interface StoredRecording {
  id: string;
  roomId: string;
  kind: 'video' | 'audio';
  mime: string;
  /** The part being written (1, then +1 for each resume after an interruption). */
  part: number;
  createdAt: number;
  /** Recorded time of the finished parts plus the current one so far (pauses excluded). */
  durationMs: number;
  bytes: number;
  chunks: number;
  /** Stopped properly (export may still be pending). */
  finished: boolean;
}

interface Chunk { recordingId: string; part: number; seq: number; data: Uint8Array }

interface Schema extends DBSchema {
  recordings: { key: string; value: StoredRecording };
  chunks: { key: number; value: Chunk; indexes: { byRecording: [string, number, number] } };
}

export class ChunkStore {
  readonly #db: IDBPDatabase<Schema>;
  private constructor(db: IDBPDatabase<Schema>) { this.#db = db; }

  static async open(name = 'thinline-recordings'): Promise<ChunkStore> {
    const db = await openDB<Schema>(name, 1, {
      upgrade(d) {
        d.createObjectStore('recordings', { keyPath: 'id' });
        d.createObjectStore('chunks', { autoIncrement: true }).createIndex('byRecording', ['recordingId', 'part', 'seq']);
      },
    });
    return new ChunkStore(db);
  }

  async begin(r: Pick<StoredRecording, 'id' | 'roomId' | 'kind' | 'mime'>): Promise<StoredRecording> {
    const rec: StoredRecording = { ...r, part: 1, createdAt: Date.now(), durationMs: 0, bytes: 0, chunks: 0, finished: false };
    await this.#db.put('recordings', rec);
    return rec;
  }

  /** Starts the next part of an interrupted recording (its own container header follows). */
  async nextPart(id: string): Promise<StoredRecording> {
    const tx = this.#db.transaction('recordings', 'readwrite', { durability: 'strict' });
    const rec = await tx.store.get(id);
    if (!rec) throw new Error(`no stored recording ${id}`);
    const next = { ...rec, part: rec.part + 1, finished: false };
    await tx.store.put(next);
    await tx.done;
    return next;
  }

  /** One chunk, durable before it resolves; `elapsedMs` is the recording's length with it. */
  async append(id: string, data: Uint8Array, elapsedMs: number): Promise<void> {
    const tx = this.#db.transaction(['recordings', 'chunks'], 'readwrite', { durability: 'strict' });
    const recs = tx.objectStore('recordings');
    const rec = await recs.get(id);
    if (!rec) throw new Error(`no stored recording ${id}`);
    await tx.objectStore('chunks').add({ recordingId: id, part: rec.part, seq: rec.chunks, data });
    await recs.put({ ...rec, chunks: rec.chunks + 1, bytes: rec.bytes + data.byteLength, durationMs: Math.max(rec.durationMs, elapsedMs) });
    await tx.done;
  }

  async setDuration(id: string, durationMs: number): Promise<void> {
    const tx = this.#db.transaction('recordings', 'readwrite');
    const rec = await tx.store.get(id);
    if (rec) await tx.store.put({ ...rec, durationMs });
    await tx.done;
  }

  async finish(id: string): Promise<void> {
    const tx = this.#db.transaction('recordings', 'readwrite', { durability: 'strict' });
    const rec = await tx.store.get(id);
    if (rec) await tx.store.put({ ...rec, finished: true });
    await tx.done;
  }

  get(id: string): Promise<StoredRecording | undefined> { return this.#db.get('recordings', id); }

  /** Recordings of this meeting still in this browser (interrupted or not yet discarded). */
  async list(roomId: string): Promise<StoredRecording[]> {
    return (await this.#db.getAll('recordings')).filter((r) => r.roomId === roomId).sort((a, b) => a.createdAt - b.createdAt);
  }

  /** The chunks of each part, in order (index 0 is part 1). */
  async parts(id: string): Promise<Uint8Array[][]> {
    const range = IDBKeyRange.bound([id, 0, 0], [id, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]);
    const chunks = await this.#db.getAllFromIndex('chunks', 'byRecording', range);
    const parts: Uint8Array[][] = [];
    for (const c of chunks) (parts[c.part - 1] ??= []).push(c.data);
    return parts.filter((p) => p && p.length > 0);
  }

  async remove(id: string): Promise<void> {
    const tx = this.#db.transaction(['recordings', 'chunks'], 'readwrite');
    const range = IDBKeyRange.bound([id, 0, 0], [id, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]);
    let cursor = await tx.objectStore('chunks').index('byRecording').openKeyCursor(range);
    while (cursor) { await tx.objectStore('chunks').delete(cursor.primaryKey); cursor = await cursor.continue(); }
    await tx.objectStore('recordings').delete(id);
    await tx.done;
  }

  close(): void { this.#db.close(); }
}

/**
 * What to offer after a reload. Goals: never lose a recording silently, never resume a
 * recording someone else is running. Resume when the server still has this recording
 * (running or interrupted) and its recording browser is gone; otherwise finish it locally.
 */
export type Recovery = { action: 'none' } | { action: 'resume' | 'finish'; recording: StoredRecording };

export function recovery(local: StoredRecording[], server: { id: string; byPeerId: string } | null, selfId: string): Recovery {
  const pending = local.filter((r) => r.chunks > 0);
  const match = server ? pending.find((r) => r.id === server.id) : undefined;
  // Its chunks are here, so this browser recorded it: the recorder on the server is our old self.
  if (match && server && server.byPeerId !== selfId) return { action: 'resume', recording: match };
  if (match) return { action: 'none' };
  const orphan = pending.at(-1);
  return orphan ? { action: 'finish', recording: orphan } : { action: 'none' };
}
