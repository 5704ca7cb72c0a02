// The recordings archive: files under <dataDir>/recordings with a JSON sidecar (metadata:
// who recorded, the consent log, who was recorded when), indexed in SQLite. Uploads come
// in chunks at an exact offset, so a broken connection resumes where it stopped; each
// chunk is on disk (fsynced) before it is acknowledged. Bounded: file size, uploads in
// progress, idle uploads dropped; archived files are deleted when their retention ends.
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, type ArchivedRecording, type RecordingKind } from '../../../protocol/index.js';
import { AppError } from '../errors.js';
import { secretId } from '../domain/ids.js';
import { logger } from '../log.js';
import { logId } from '../domain/secrets.js';
import type { ArchiveRow, RecordingStore } from './store.js';

const log = logger('archive');
const DAY = 86_400_000;
const UPLOAD_IDLE_MS = 10 * 60_000;
export const MAX_CHUNK_BYTES = 4 * 1024 * 1024;

export interface ArchiveOptions {
  dir: string;
  store: RecordingStore['archive'];
  maxBytes: number;
  retentionDays: number;
  maxUploads: number;
}

interface Upload {
  id: string; roomId: string; recordingId: string; kind: RecordingKind; filename: string; size: number;
  offset: number; fd: number; path: string; metadata: string; touchedAt: number;
}

/** A safe file name: our own characters and the extension that matches the kind. */
export function archiveFilename(name: string, kind: RecordingKind): string | null {
  const ext = kind === 'audio' ? '.ogg' : '.webm';
  if (!name.endsWith(ext) || name.length > 120 || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) return null;
  return name;
}

export class Archive {
  readonly #opts: ArchiveOptions;
  readonly #uploads = new Map<string, Upload>();
  readonly #timer: NodeJS.Timeout;

  constructor(opts: ArchiveOptions) {
    this.#opts = opts;
    mkdirSync(opts.dir, { recursive: true });
    this.#timer = setInterval(() => { try { this.sweep(Date.now()); } catch (error) { log.error('archive sweep failed', { error: String(error) }); } }, 60_000);
    this.#timer.unref();
  }

  get maxBytes(): number { return this.#opts.maxBytes; }
  get uploadsInProgress(): number { return this.#uploads.size; }

  begin(p: { roomId: string; recordingId: string; kind: RecordingKind; filename: string; size: number; metadata: string }): { uploadId: string; offset: number } {
    const filename = archiveFilename(p.filename, p.kind);
    if (!filename) throw new AppError(ErrorCode.BadRequest, `filename: letters, digits, . _ - and the extension ${p.kind === 'audio' ? '.ogg' : '.webm'}`);
    if (!Number.isSafeInteger(p.size) || p.size < 1) throw new AppError(ErrorCode.BadRequest, 'size: must be a positive integer');
    if (p.size > this.#opts.maxBytes) throw new AppError(ErrorCode.MessageTooLarge, `size: at most ${this.#opts.maxBytes} bytes per recording`);
    this.#dropIdle(Date.now());
    if (this.#uploads.size >= this.#opts.maxUploads) throw new AppError(ErrorCode.RateLimited, `at most ${this.#opts.maxUploads} uploads at once; try again shortly`);
    const id = secretId();
    const path = join(this.#opts.dir, `${id}.part`);
    const fd = openSync(path, 'wx', 0o600);
    this.#uploads.set(id, { id, roomId: p.roomId, recordingId: p.recordingId, kind: p.kind, filename, size: p.size, offset: 0, fd, path, metadata: p.metadata, touchedAt: Date.now() });
    return { uploadId: id, offset: 0 };
  }

  status(uploadId: string, roomId: string): { offset: number; size: number } {
    const u = this.#upload(uploadId, roomId);
    return { offset: u.offset, size: u.size };
  }

  /** Writes one chunk at `offset` (must be where the upload stands); the last one files the recording. */
  append(uploadId: string, roomId: string, offset: number, data: Buffer): { offset: number; recording?: ArchivedRecording } {
    const u = this.#upload(uploadId, roomId);
    if (offset !== u.offset) throw new AppError(ErrorCode.InvalidState, `offset: the upload stands at ${u.offset}, not ${offset}`);
    if (data.length === 0 || data.length > MAX_CHUNK_BYTES) throw new AppError(ErrorCode.BadRequest, `chunk: 1..${MAX_CHUNK_BYTES} bytes`);
    if (u.offset + data.length > u.size) throw new AppError(ErrorCode.BadRequest, `chunk: goes past the announced size ${u.size}`);
    let written = 0;
    while (written < data.length) written += writeSync(u.fd, data, written, data.length - written, u.offset + written);
    fsyncSync(u.fd);
    u.offset += data.length;
    u.touchedAt = Date.now();
    if (u.offset < u.size) return { offset: u.offset };
    return { offset: u.offset, recording: this.#finish(u) };
  }

  #finish(u: Upload): ArchivedRecording {
    closeSync(u.fd);
    this.#uploads.delete(u.id);
    const ext = u.kind === 'audio' ? 'ogg' : 'webm';
    const file = `${u.id}.${ext}`;
    renameSync(u.path, join(this.#opts.dir, file));
    writeFileSync(join(this.#opts.dir, `${u.id}.json`), u.metadata, { mode: 0o600, flush: true });
    const createdAt = Date.now();
    const row: ArchiveRow = {
      id: u.id, roomId: u.roomId, recordingId: u.recordingId, kind: u.kind, filename: u.filename, size: u.size,
      createdAt, deleteAt: createdAt + this.#opts.retentionDays * DAY, file, metadata: u.metadata,
    };
    this.#opts.store.add(row);
    log.info('recording archived', { room: logId(u.roomId), bytes: u.size });
    return publicView(row);
  }

  list(roomId: string): ArchivedRecording[] { return this.#opts.store.list(roomId).map(publicView); }

  /** The file of an archived recording of this room (a path under the archive directory). */
  file(id: string, roomId: string): { path: string; row: ArchivedRecording } {
    const row = this.#opts.store.get(id);
    if (!row || row.roomId !== roomId) throw new AppError(ErrorCode.NotFound, 'no such recording in this meeting');
    return { path: join(this.#opts.dir, row.file), row: publicView(row) };
  }

  remove(id: string, roomId: string): void {
    const row = this.#opts.store.get(id);
    if (!row || row.roomId !== roomId) throw new AppError(ErrorCode.NotFound, 'no such recording in this meeting');
    this.#delete(row);
  }

  /** Retention: archived recordings past their date are deleted (file, sidecar, row). */
  sweep(now: number): number {
    this.#dropIdle(now);
    const expired = this.#opts.store.expired(now);
    for (const row of expired) this.#delete(row);
    if (expired.length) log.info('recordings deleted after their retention period', { count: expired.length });
    return expired.length;
  }

  #delete(row: ArchiveRow): void {
    rmSync(join(this.#opts.dir, row.file), { force: true });
    rmSync(join(this.#opts.dir, `${row.id}.json`), { force: true });
    this.#opts.store.remove(row.id);
  }

  #dropIdle(now: number): void {
    for (const u of this.#uploads.values()) {
      if (now - u.touchedAt < UPLOAD_IDLE_MS) continue;
      this.#abort(u);
    }
  }

  #abort(u: Upload): void {
    this.#uploads.delete(u.id);
    try { closeSync(u.fd); } catch { /* already closed */ }
    rmSync(u.path, { force: true });
  }

  #upload(uploadId: string, roomId: string): Upload {
    const u = this.#uploads.get(uploadId);
    if (!u || u.roomId !== roomId) throw new AppError(ErrorCode.NotFound, 'uploadId: no such upload in progress (finished, expired or never begun)');
    return u;
  }

  close(): void {
    clearInterval(this.#timer);
    for (const u of [...this.#uploads.values()]) this.#abort(u);
  }
}

function publicView(r: ArchiveRow): ArchivedRecording {
  return { id: r.id, recordingId: r.recordingId, kind: r.kind, filename: r.filename, size: r.size, createdAt: r.createdAt, deleteAt: r.deleteAt };
}
