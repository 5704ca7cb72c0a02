// REST API: create a room (moderator + participant links), read public room info, health
// and the operators' metrics. Responses never contain the moderator key except to the
// creator, once. Every route is guarded (http/guard.ts); request bodies are bounded in
// size (Content-Length checked before reading) and in time (the route deadline).
import { createHash } from 'node:crypto';
import type { Limits } from '../config.js';
import type { DialIn } from '../../../protocol/index.js';
import type { AppRegistry as RoomRegistry } from '../signaling/context.js';
import { secretEquals } from '../domain/secrets.js';
import { logger } from '../log.js';
import { KeyedRateLimiter } from '../signaling/RateLimiter.js';
import { AppError } from '../errors.js';
import type { HttpResponse, TemplatedApp } from '../uws.js';
import { clientIp, isOpen, onAbort, replyJson, route } from './guard.js';

const log = logger('api');
const MAX_BODY = 4096;

export interface CreatedRoom {
  roomId: string;
  name: string;
  lobby: boolean;
  participantUrl: string;
  moderatorUrl: string;
  /** Joining by phone: the number (if configured), the meeting number and its PIN. */
  dialIn: DialIn;
}

export function roomLinks(publicUrl: string, roomId: string, moderatorKey: string): { participantUrl: string; moderatorUrl: string } {
  const base = publicUrl.replace(/\/$/, '');
  // The moderator key sits in the fragment: browsers never send it to any server in requests.
  return { participantUrl: `${base}/r/${roomId}`, moderatorUrl: `${base}/r/${roomId}#mod=${moderatorKey}` };
}

/** Reads a body of at most MAX_BODY bytes; null when it is (or claims to be) larger. */
function readBody(res: HttpResponse, contentLength: string, onBody: (body: Buffer | null) => void): void {
  if (contentLength !== '' && !(/^\d{1,10}$/.test(contentLength) && Number(contentLength) <= MAX_BODY)) return onBody(null);
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  onAbort(res, () => { done = true; });
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
  pool?: { workers: readonly { slot: number; load: number; alive: boolean; worker: { pid: number } }[] } | undefined;
  connections?: () => number;
  limits: Pick<Limits, 'roomsPerIpPerMinute' | 'requestTimeoutMs'>;
  trustProxy: boolean;
  phoneNumber?: string | undefined;
  /** Filled in once the phone gateway runs (it starts after the HTTP app). */
  extraMetrics?: { phone?: () => unknown };
}

export function registerApi(app: TemplatedApp, opts: ApiOptions): void {
  const creations = new KeyedRateLimiter(opts.limits.roomsPerIpPerMinute / 60, opts.limits.roomsPerIpPerMinute);

  app.get('/api/health', route('health', (res) => void replyJson(res, '200 OK', { ok: true })));

  app.post('/api/rooms', route('create-room', (res, req) => {
    const ip = clientIp(res, req, opts.trustProxy);
    if (!creations.take(ip)) {
      return void replyJson(res, '429 Too Many Requests', { error: { code: 'rate_limited', message: `at most ${opts.limits.roomsPerIpPerMinute} new meetings per minute from one address` } });
    }
    readBody(res, req.getHeader('content-length'), (body) => {
      if (body === null) return void replyJson(res, '413 Payload Too Large', { error: { code: 'message_too_large', message: `body limit is ${MAX_BODY} bytes` } }, true);
      let name = 'Meeting';
      let lobby = true;
      if (body.length > 0) {
        let parsed: unknown;
        try { parsed = JSON.parse(body.toString('utf8')); } catch {
          return void replyJson(res, '400 Bad Request', { error: { code: 'bad_json', message: 'body is not valid JSON' } });
        }
        const n = typeof parsed === 'object' && parsed !== null && 'name' in parsed ? parsed.name : undefined;
        if (n !== undefined && (typeof n !== 'string' || n.trim().length === 0 || n.length > 100)) {
          return void replyJson(res, '400 Bad Request', { error: { code: 'bad_request', message: 'name: must be a string of 1..100 characters' } });
        }
        if (typeof n === 'string') name = n.trim();
        const l = typeof parsed === 'object' && parsed !== null && 'lobby' in parsed ? parsed.lobby : undefined;
        if (l !== undefined && typeof l !== 'boolean') return void replyJson(res, '400 Bad Request', { error: { code: 'bad_request', message: 'lobby: must be true or false' } });
        if (typeof l === 'boolean') lobby = l;
      }
      // New meetings are private by default: people wait until a moderator admits them.
      opts.registry.create(name, { lobby }).then(({ room, moderatorKey }) => {
        if (!isOpen(res)) return;
        const created: CreatedRoom = {
          roomId: room.id, name, lobby, ...roomLinks(opts.links.publicUrl, room.id, moderatorKey),
          dialIn: { number: opts.phoneNumber ?? null, id: room.record.dialInId, pin: room.record.dialInPin },
        };
        replyJson(res, '201 Created', created);
      }, (error: unknown) => {
        if (error instanceof AppError) return void replyJson(res, '503 Service Unavailable', { error: { code: error.code, message: error.message } });
        log.error('creating a room failed', { error: String(error) });
        replyJson(res, '500 Internal Server Error', { error: { code: 'internal', message: 'could not create the room' } });
      });
    });
  }, opts.limits.requestTimeoutMs));

  app.get('/api/rooms/:id', route('room-info', (res, req) => {
    const room = opts.registry.get(req.getParameter(0) ?? '');
    if (!room) return void replyJson(res, '404 Not Found', { error: { code: 'room_not_found', message: 'no such room' } });
    replyJson(res, '200 OK', { roomId: room.id, name: room.record.name, participants: room.peers.size });
  }));

  // Operators' view: processes, workers, and every consumer's layer decision and reason.
  // Room ids are secrets (they are the links), so only a short hash of each is shown.
  app.get('/api/metrics', route('metrics', (res, req) => {
    if (!opts.metricsToken) return void replyJson(res, '404 Not Found', { error: { code: 'not_found', message: 'metrics are disabled (set THINLINE_METRICS_TOKEN)' } });
    if (!secretEquals(req.getHeader('authorization'), `Bearer ${opts.metricsToken}`)) {
      return void replyJson(res, '401 Unauthorized', { error: { code: 'forbidden', message: 'bearer token required' } });
    }
    const rooms = [...opts.registry.rooms].filter((r) => r.peers.size > 0).map((r) => ({
      room: createHash('sha256').update(r.id).digest('hex').slice(0, 8),
      peers: r.peers.size,
      subscribers: r.allocator.snapshot(),
      maps: r.allocator.sizes(),
    }));
    const mem = process.memoryUsage();
    replyJson(res, '200 OK', {
      uptimeS: Math.round(process.uptime()), rssMb: Math.round(mem.rss / 1e6), connections: opts.connections?.() ?? null,
      roomsStored: opts.registry.size,
      workers: opts.pool?.workers.map((w) => ({ slot: w.slot, pid: w.worker.pid, routers: w.load, alive: w.alive })) ?? [],
      rooms,
      phone: opts.extraMetrics?.phone?.() ?? null,
    });
  }));

  app.any('/api/*', route('api-other', (res) => void replyJson(res, '404 Not Found', { error: { code: 'not_found', message: 'no such endpoint' } })));
}
