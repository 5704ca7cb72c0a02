// REST API: create a room (moderator + participant links) and read public room info.
// Responses never contain the moderator key except to the creator.
import { createHash } from 'node:crypto';
import type { RoomRegistry } from '../domain/RoomRegistry.js';
import { logger } from '../log.js';
import type { HttpResponse, TemplatedApp } from '../uws.js';
import { sendText } from './app.js';

const log = logger('api');
const MAX_BODY = 4096;

export interface CreatedRoom {
  roomId: string;
  name: string;
  participantUrl: string;
  moderatorUrl: string;
}

export function roomLinks(publicUrl: string, roomId: string, moderatorKey: string): { participantUrl: string; moderatorUrl: string } {
  const base = publicUrl.replace(/\/$/, '');
  // The moderator key sits in the fragment: browsers never send it to any server in requests.
  return { participantUrl: `${base}/r/${roomId}`, moderatorUrl: `${base}/r/${roomId}#mod=${moderatorKey}` };
}

function json(res: HttpResponse, status: string, body: unknown): void {
  sendText(res, status, JSON.stringify(body), 'application/json');
}

function readBody(res: HttpResponse, onBody: (body: Buffer | null) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  res.onAborted(() => { done = true; });
  res.onData((chunk, isLast) => {
    if (done) return;
    size += chunk.byteLength;
    if (size > MAX_BODY) { done = true; return onBody(null); }
    chunks.push(Buffer.from(chunk.slice(0)));
    if (isLast) { done = true; onBody(Buffer.concat(chunks)); }
  });
}

export interface ApiOptions {
  registry: RoomRegistry;
  links: { publicUrl: string };
  metricsToken?: string | undefined;
  pool?: { workers: readonly { slot: number; load: number; worker: { pid: number } }[] } | undefined;
  connections?: () => number;
}

export function registerApi(app: TemplatedApp, opts: ApiOptions): void {
  app.get('/api/health', (res) => json(res, '200 OK', { ok: true }));

  app.post('/api/rooms', (res) => {
    let aborted = false;
    res.onAborted(() => { aborted = true; });
    readBody(res, (body) => {
      if (body === null) return json(res, '413 Payload Too Large', { error: { code: 'message_too_large', message: `body limit is ${MAX_BODY} bytes` } });
      let name = 'Meeting';
      if (body.length > 0) {
        let parsed: unknown;
        try { parsed = JSON.parse(body.toString('utf8')); } catch {
          return json(res, '400 Bad Request', { error: { code: 'bad_json', message: 'body is not valid JSON' } });
        }
        const n = typeof parsed === 'object' && parsed !== null && 'name' in parsed ? parsed.name : undefined;
        if (n !== undefined && (typeof n !== 'string' || n.trim().length === 0 || n.length > 100)) {
          return json(res, '400 Bad Request', { error: { code: 'bad_request', message: 'name: must be a string of 1..100 characters' } });
        }
        if (typeof n === 'string') name = n.trim();
      }
      opts.registry.create(name).then((room) => {
        if (aborted) return;
        const created: CreatedRoom = { roomId: room.id, name, ...roomLinks(opts.links.publicUrl, room.id, room.record.moderatorKey) };
        json(res, '201 Created', created);
      }, (error: unknown) => {
        log.error('creating a room failed', { error: String(error) });
        if (!aborted) json(res, '500 Internal Server Error', { error: { code: 'internal', message: 'could not create the room' } });
      });
    });
  });

  app.get('/api/rooms/:id', (res, req) => {
    const room = opts.registry.get(req.getParameter(0));
    if (!room) return json(res, '404 Not Found', { error: { code: 'room_not_found', message: 'no such room' } });
    json(res, '200 OK', { roomId: room.id, name: room.record.name, participants: room.peers.size });
  });

  // Operators' view: processes, workers, and every consumer's layer decision and reason.
  // Room ids are secrets (they are the links), so only a short hash of each is shown.
  app.get('/api/metrics', (res, req) => {
    if (!opts.metricsToken) return json(res, '404 Not Found', { error: { code: 'not_found', message: 'metrics are disabled (set THINLINE_METRICS_TOKEN)' } });
    if (req.getHeader('authorization') !== `Bearer ${opts.metricsToken}`) return json(res, '401 Unauthorized', { error: { code: 'forbidden', message: 'bearer token required' } });
    const rooms = [...opts.registry.rooms].filter((r) => r.peers.size > 0).map((r) => ({
      room: createHash('sha256').update(r.id).digest('hex').slice(0, 8),
      peers: r.peers.size,
      subscribers: r.allocator.snapshot(),
    }));
    const mem = process.memoryUsage();
    json(res, '200 OK', {
      uptimeS: Math.round(process.uptime()), rssMb: Math.round(mem.rss / 1e6), connections: opts.connections?.() ?? null,
      workers: opts.pool?.workers.map((w) => ({ slot: w.slot, pid: w.worker.pid, routers: w.load })) ?? [],
      rooms,
    });
  });

  app.any('/api/*', (res) => json(res, '404 Not Found', { error: { code: 'not_found', message: 'no such endpoint' } }));
}
