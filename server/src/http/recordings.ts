// The recordings archive over HTTP. A moderator's browser gets a short-lived token over
// signaling (recordingArchive) and uploads the exported file in chunks at exact offsets
// (resumable: GET the upload to learn where it stands), lists, downloads and deletes.
// Participants never get a token: every route answers them 401/403.
//   POST   /api/recordings/uploads               {recordingId, kind, filename, size}
//   GET    /api/recordings/uploads/:id           -> {offset, size}
//   PUT    /api/recordings/uploads/:id?offset=N  body: the next chunk (<= 4 MB)
//   GET    /api/recordings                       -> {items}
//   GET    /api/recordings/:id/file?token=…      the file (a link the browser can follow)
//   DELETE /api/recordings/:id
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ErrorCode } from '../../../protocol/index.js';
import { AppError } from '../errors.js';
import { logger } from '../log.js';
import { MAX_CHUNK_BYTES } from '../recording/Archive.js';
import { recordedSpans } from '../recording/consent.js';
import type { RecordingServices } from '../recording/services.js';
import type { AppRegistry, AppRoom } from '../signaling/context.js';
import type { HttpRequest, HttpResponse, TemplatedApp } from '../uws.js';
import { aborted, onAbort, replyJson, responseHeaders, route, takeOver } from './guard.js';

const log = logger('recordings');
const UPLOAD_DEADLINE_MS = 180_000;
const META_BODY = 4096;

const STATUS: Partial<Record<ErrorCode, string>> = {
  bad_request: '400 Bad Request', not_found: '404 Not Found', forbidden: '403 Forbidden', invalid_state: '409 Conflict',
  message_too_large: '413 Payload Too Large', rate_limited: '429 Too Many Requests',
};

function fail(res: HttpResponse, error: unknown): void {
  if (error instanceof AppError) return void replyJson(res, STATUS[error.code] ?? '500 Internal Server Error', { error: { code: error.code, message: error.message } });
  log.error('archive request failed', { error: error instanceof Error ? error.message : String(error) });
  replyJson(res, '500 Internal Server Error', { error: { code: 'internal', message: 'the archive could not handle this request' } });
}

/** Reads a body of at most `max` bytes (Content-Length required and checked first). */
function readBody(res: HttpResponse, req: HttpRequest, max: number, onBody: (body: Buffer) => void): void {
  const length = req.getHeader('content-length');
  if (!/^\d{1,10}$/.test(length)) return void replyJson(res, '411 Length Required', { error: { code: 'bad_request', message: 'Content-Length is required' } }, true);
  if (Number(length) > max) return void replyJson(res, '413 Payload Too Large', { error: { code: 'message_too_large', message: `at most ${max} bytes per request` } }, true);
  const expected = Number(length);
  const body = Buffer.allocUnsafe(expected);
  let size = 0;
  let done = false;
  onAbort(res, () => { done = true; });
  res.onData((chunk, isLast) => {
    if (done) return;
    if (size + chunk.byteLength > expected) { done = true; return void replyJson(res, '400 Bad Request', { error: { code: 'bad_request', message: 'body longer than Content-Length' } }, true); }
    Buffer.from(chunk).copy(body, size);
    size += chunk.byteLength;
    if (isLast) {
      done = true;
      if (size !== expected) return void replyJson(res, '400 Bad Request', { error: { code: 'bad_request', message: 'body shorter than Content-Length' } }, true);
      try { onBody(body); } catch (error) { fail(res, error); }
    }
  });
}

export function registerRecordingRoutes(app: TemplatedApp, opts: { registry: AppRegistry; services: RecordingServices }): void {
  const { archive, tokens } = opts.services;

  /** The room a valid token grants; a participant (or a demoted moderator) gets 403. */
  const authorize = (res: HttpResponse, token: string): AppRoom | null => {
    const grant = tokens.verify(token);
    if (!grant) return void replyJson(res, '401 Unauthorized', { error: { code: 'forbidden', message: 'a valid archive token is required (moderators get one in the meeting)' } }), null;
    const room = opts.registry.get(grant.roomId);
    const peer = room?.peers.get(grant.peerId);
    if (!room || (peer && peer.role !== 'moderator')) return void replyJson(res, '403 Forbidden', { error: { code: 'forbidden', message: 'only moderators of this meeting may use its archive' } }), null;
    return room;
  };
  const bearer = (req: HttpRequest): string => {
    const h = req.getHeader('authorization');
    return h.startsWith('Bearer ') ? h.slice(7).trim() : '';
  };

  app.post('/api/recordings/uploads', route('recording-upload-begin', (res, req) => {
    const room = authorize(res, bearer(req));
    if (!room) return;
    readBody(res, req, META_BODY, (body) => {
      let p: { recordingId?: unknown; kind?: unknown; filename?: unknown; size?: unknown };
      try { p = JSON.parse(body.toString('utf8')) as typeof p; } catch { throw new AppError(ErrorCode.BadRequest, 'body is not valid JSON'); }
      if (typeof p !== 'object' || p === null) throw new AppError(ErrorCode.BadRequest, 'body must be an object');
      if (p.kind !== 'video' && p.kind !== 'audio') throw new AppError(ErrorCode.BadRequest, 'kind: must be "video" or "audio"');
      if (typeof p.recordingId !== 'string' || !/^[A-Za-z0-9_-]{8,64}$/.test(p.recordingId)) throw new AppError(ErrorCode.BadRequest, 'recordingId: must be an id');
      if (typeof p.filename !== 'string') throw new AppError(ErrorCode.BadRequest, 'filename: must be a string');
      if (typeof p.size !== 'number') throw new AppError(ErrorCode.BadRequest, 'size: must be a number');
      const events = room.recording.events(p.recordingId);
      if (events.length === 0) throw new AppError(ErrorCode.NotFound, 'recordingId: no such recording in this meeting');
      const end = events.at(-1)!.at;
      const metadata = JSON.stringify({
        meeting: room.record.name, recordingId: p.recordingId, kind: p.kind,
        recordedBy: [...new Set(events.filter((e) => e.type === 'started' || e.type === 'partStarted').map((e) => e.name))],
        startedAt: new Date(events[0]!.at).toISOString(), endedAt: new Date(end).toISOString(),
        events: events.map((e) => ({ at: new Date(e.at).toISOString(), type: e.type, peerId: e.peerId, name: e.name })),
        recorded: recordedSpans(events, end).map((s) => ({ name: s.name, from: new Date(s.from).toISOString(), to: new Date(s.to).toISOString() })),
      }, null, 2);
      const begun = archive.begin({ roomId: room.id, recordingId: p.recordingId, kind: p.kind, filename: p.filename, size: p.size, metadata });
      replyJson(res, '201 Created', begun);
    });
  }));

  app.get('/api/recordings/uploads/:id', route('recording-upload-status', (res, req) => {
    const room = authorize(res, bearer(req));
    if (!room) return;
    try { replyJson(res, '200 OK', archive.status(req.getParameter(0) ?? '', room.id)); } catch (error) { fail(res, error); }
  }));

  app.put('/api/recordings/uploads/:id', route('recording-upload-chunk', (res, req) => {
    const room = authorize(res, bearer(req));
    if (!room) return;
    const id = req.getParameter(0) ?? '';
    const offset = new URLSearchParams(req.getQuery() ?? '').get('offset') ?? '';
    if (!/^\d{1,15}$/.test(offset)) return void replyJson(res, '400 Bad Request', { error: { code: 'bad_request', message: 'offset: a non-negative integer query parameter is required' } });
    readBody(res, req, MAX_CHUNK_BYTES, (body) => {
      replyJson(res, '200 OK', archive.append(id, room.id, Number(offset), body));
    });
  }, UPLOAD_DEADLINE_MS));

  app.get('/api/recordings', route('recording-list', (res, req) => {
    const room = authorize(res, bearer(req));
    if (room) replyJson(res, '200 OK', { items: archive.list(room.id) });
  }));

  app.del('/api/recordings/:id', route('recording-delete', (res, req) => {
    const room = authorize(res, bearer(req));
    if (!room) return;
    try {
      archive.remove(req.getParameter(0) ?? '', room.id);
      replyJson(res, '200 OK', { deleted: true });
    } catch (error) { fail(res, error); }
  }));

  app.get('/api/recordings/:id/file', route('recording-download', (res, req) => {
    const room = authorize(res, new URLSearchParams(req.getQuery() ?? '').get('token') ?? bearer(req));
    if (!room) return;
    let file: ReturnType<typeof archive.file>;
    try { file = archive.file(req.getParameter(0) ?? '', room.id); } catch (error) { return fail(res, error); }
    const fd = openSync(file.path, 'r');
    const size = fstatSync(fd).size;
    if (!takeOver(res)) return void closeSync(fd);
    stream(res, fd, size, file.row.filename, file.row.kind === 'audio' ? 'audio/ogg' : 'video/webm');
  }));
}

/**
 * Streams a file with backpressure (uWS's tryEnd protocol): a piece is read only when the
 * previous one was taken; what the socket did not take is offered again when writable.
 */
function stream(res: HttpResponse, fd: number, size: number, filename: string, type: string): void {
  let next = 0;
  let pending: Buffer | null = null;
  let lastOffset = 0;
  let closed = false;
  const finish = () => { if (!closed) { closed = true; closeSync(fd); } };
  onAbort(res, finish);
  const offer = (piece: Buffer): boolean => {
    let ok = false;
    let done = false;
    res.cork(() => { lastOffset = res.getWriteOffset(); [ok, done] = res.tryEnd(piece, size); });
    if (done) { pending = null; finish(); return true; }
    if (ok) pending = null;
    return ok;
  };
  const pump = (): void => {
    while (!closed && !aborted(res)) {
      if (!pending) {
        const buf = Buffer.allocUnsafe(Math.min(256 * 1024, size - next));
        const n = buf.length > 0 ? readSync(fd, buf, 0, buf.length, next) : 0;
        if (n <= 0) { finish(); return; }
        pending = buf.subarray(0, n);
        next += n;
      }
      if (!offer(pending)) return;
    }
  };
  res.cork(() => {
    res.writeStatus('200 OK');
    for (const [k, v] of responseHeaders.list) res.writeHeader(k, v);
    res.writeHeader('Content-Type', type);
    res.writeHeader('Content-Disposition', `attachment; filename="${filename}"`);
    res.writeHeader('Cache-Control', 'no-store');
  });
  res.onWritable((offset) => {
    if (!pending || closed) return true;
    const ok = offer(pending.subarray(offset - lastOffset));
    if (ok) pump();
    return ok;
  });
  pump();
}
