// Test harness: a real server (mediasoup worker + uWebSockets.js on an ephemeral port)
// and WebSocket clients speaking the real protocol.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { afterAll, beforeAll } from 'vitest';
import WebSocket from 'ws';
import type { JoinedData, Method, Notification, NotificationName, Notifications, RequestData, ResponseData } from '../../protocol/index.js';
import { loadConfig, type ConfigOverrides } from '../../server/src/config.js';
import { startServer, type Server, type ServerDeps } from '../../server/src/server.js';
import { mediaCodecs } from '../../server/src/media/codecs.js';

/** A real media worker and router for a test file's tests (closed after them), without a server. */
export function useRouter(): () => types.Router {
  let worker: types.Worker | undefined;
  let router: types.Router | undefined;
  beforeAll(async () => {
    worker = await mediasoup.createWorker({ logLevel: 'warn' });
    router = await worker.createRouter({ mediaCodecs });
  });
  afterAll(() => worker?.close());
  return () => router!;
}

export async function testServer(overrides: ConfigOverrides = {}, deps: ServerDeps = {}): Promise<Server> {
  const config = loadConfig({}, {
    host: '127.0.0.1', port: 0, publicUrl: 'http://127.0.0.1:0', rtcPortBase: 0, numWorkers: 1,
    dataDir: mkdtempSync(join(tmpdir(), 'thinline-')), clientDir: '/nonexistent', ...overrides,
    // Tests create many rooms from one address; the per-address limit has its own test.
    limits: { roomsPerIpPerMinute: 10_000, ...overrides.limits },
  });
  return startServer(config, deps);
}

/** A room without a waiting room unless `lobby` is asked for (most tests are about other things). */
export async function createRoom(server: Server, opts: { lobby?: boolean } = {}): Promise<{ roomId: string; moderatorUrl: string; participantUrl: string; moderatorKey: string }> {
  const res = await fetch(`${server.url}/api/rooms`, { method: 'POST', body: JSON.stringify({ name: 'Test', lobby: opts.lobby ?? false }) });
  if (res.status !== 201) throw new Error(`create room: ${res.status}`);
  const created = (await res.json()) as { roomId: string; moderatorUrl: string; participantUrl: string };
  return { ...created, moderatorKey: new URL(created.moderatorUrl).hash.replace('#mod=', '') };
}

export type Reply = { id: number | null; ok: boolean; data?: any; error?: { code: string; message: string } };

/** Waits for a condition by polling, never by sleeping a fixed time. */
export async function until<T>(fn: () => T | undefined | false, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 5));
  }
}

export class TestClient {
  readonly ws: WebSocket;
  readonly replies: Reply[] = [];
  readonly notifications: Notification[] = [];
  closed = false;
  closeCode: number | null = null;
  closeReason = '';
  #nextId = 1;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as Reply | Notification;
      if ('notification' in msg) this.notifications.push(msg);
      else this.replies.push(msg);
    });
    ws.on('close', (code, reason) => { this.closed = true; this.closeCode = code; this.closeReason = String(reason); });
  }

  static async connect(server: { url: string }, headers: Record<string, string> = {}): Promise<TestClient> {
    const ws = new WebSocket(server.url.replace('http', 'ws') + '/ws', { headers });
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
    return new TestClient(ws);
  }

  /** Resolves with the close code and reason once the server closes this socket. */
  async closedBy(timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
    if (this.closed) return { code: this.closeCode ?? 0, reason: this.closeReason };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket was not closed')), timeoutMs);
      this.ws.once('close', (code, reason) => { clearTimeout(timer); resolve({ code, reason: String(reason) }); });
    });
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** Sends a request and returns its reply (success or error). */
  async call<M extends Method>(method: M, data: RequestData<M> | Record<string, unknown>): Promise<Reply & { data?: ResponseData[M] }> {
    const id = this.#nextId++;
    this.ws.send(JSON.stringify({ id, method, data }));
    return until(() => this.replies.find((r) => r.id === id), 10_000, `reply to ${method}`);
  }

  /** Joins and expects to be in (not waiting). */
  async join(data: RequestData<'join'>): Promise<JoinedData> {
    const r = await this.ok('join', data);
    if (r.status !== 'joined') throw new Error(`join: expected to be in, got ${r.status}`);
    return r;
  }

  /** Like call, but throws on an error reply. */
  async ok<M extends Method>(method: M, data: RequestData<M>): Promise<ResponseData[M]> {
    const r = await this.call(method, data);
    if (!r.ok) throw new Error(`${method} failed: ${r.error?.code} ${r.error?.message}`);
    return r.data as ResponseData[M];
  }

  async notified<K extends NotificationName>(name: K, match: (d: Notifications[K]) => boolean = () => true): Promise<Notifications[K]> {
    const n = await until(() => this.notifications.find((x) => x.notification === name && match(x.data as Notifications[K])), 10_000, `notification ${name}`);
    return n.data as Notifications[K];
  }

  has(name: NotificationName): boolean {
    return this.notifications.some((n) => n.notification === name);
  }

  close(): void {
    this.ws.close();
  }
}

// Hand-written RTP parameters of the kind a browser sends: Opus, and VP8 with 3 simulcast streams.
export const OPUS_PARAMS = {
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 }, rtcpFeedback: [] }],
  headerExtensions: [],
  encodings: [{ ssrc: 11111111 }],
  rtcp: { cname: 'test' },
};
export function vp8Params(ssrcBase: number) {
  return {
    codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: {}, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] }],
    headerExtensions: [],
    encodings: [{ ssrc: ssrcBase }, { ssrc: ssrcBase + 1 }, { ssrc: ssrcBase + 2 }],
    rtcp: { cname: 'test' },
  };
}
export const FAKE_DTLS = { role: 'client' as const, fingerprints: [{ algorithm: 'sha-256', value: 'AB:'.repeat(31) + 'AB' }] };

/** Joins `roomId` (as moderator with `moderatorKey`) and sets up send + recv transports. */
export async function joinedClient(server: Server, roomId: string, name: string, extra: { moderatorKey?: string; clientId?: string } = {}) {
  const client = await TestClient.connect(server);
  const { rtpCapabilities } = await client.ok('routerCapabilities', { roomId });
  const join = await client.join({ roomId, name, rtpCapabilities: rtpCapabilities as never, ...extra });
  const send = await client.ok('createTransport', { direction: 'send' });
  const recv = await client.ok('createTransport', { direction: 'recv' });
  return { client, join, send, recv, rtpCapabilities };
}

/** Sends raw bytes over TCP and collects whatever comes back until the server closes or `ms` pass. */
export async function rawHttp(server: Server, chunks: (string | Buffer)[], opts: { ms?: number; keepOpen?: boolean; gapMs?: number } = {}): Promise<string> {
  const { connect } = await import('node:net');
  const port = server.app.port;
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let out = '';
    const finish = () => { clearTimeout(timer); socket.destroy(); resolve(out); };
    const timer = setTimeout(finish, opts.ms ?? 2000);
    socket.on('data', (d) => { out += d.toString('latin1'); });
    socket.on('close', finish);
    socket.on('error', finish);
    socket.on('connect', async () => {
      for (const c of chunks) {
        if (socket.destroyed) break;
        socket.write(c);
        if (opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
      }
      if (!opts.keepOpen) socket.end();
    });
  });
}

/** The server still answers HTTP and a fresh participant can join a room. */
export async function serverHealthy(server: Server, roomId: string): Promise<void> {
  const health = await fetch(`${server.url}/api/health`);
  if (health.status !== 200) throw new Error(`health: ${health.status}`);
  const c = await TestClient.connect(server);
  const { rtpCapabilities } = await c.ok('routerCapabilities', { roomId });
  const join = await c.join({ roomId, name: 'Probe', rtpCapabilities: rtpCapabilities as never });
  if (!join.peerId) throw new Error('join failed');
  await c.ok('leave', {});
  c.close();
}
