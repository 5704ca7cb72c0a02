// The uWebSockets.js app: static client, REST API and the signaling WebSocket on one port.
// Every callback runs inside a guard (http/guard.ts): untrusted headers are parsed
// defensively, and an exception is answered (HTTP 500, or WebSocket close 1011), logged
// with its route, and never reaches the process.
import { CloseCode } from '../../../protocol/index.js';
import type { Limits } from '../config.js';
import type { AppRegistry as RoomRegistry } from '../signaling/context.js';
import { logger } from '../log.js';
import { Connection } from '../signaling/Connection.js';
import type { HttpResponse, TemplatedApp, Uws, WebSocket } from '../uws.js';
import { registerApi } from './api.js';
import { registerRecordingRoutes } from './recordings.js';
import type { RecordingServices } from '../recording/services.js';
import { clientIp, originAllowed, reply, replyJson, responseHeaders, route, setPublicUrl, validWebSocketKey } from './guard.js';
import { negotiate, StaticFiles } from './static.js';

const log = logger('http');
/** LIBUS_LISTEN_EXCLUSIVE_PORT (the typings only declare it as an enum member). */
const EXCLUSIVE_PORT = 1;

export interface AppOptions {
  uws: Uws;
  registry: RoomRegistry;
  clientDir: string;
  publicUrl: string;
  graceMs: number;
  rateLimit: { perSecond: number; burst: number };
  videoCodec: 'vp8' | 'vp9';
  metricsToken?: string | undefined;
  limits: Limits;
  /** Take the client address from X-Forwarded-For (only behind a proxy you run). */
  trustProxy?: boolean;
  pool?: { workers: readonly { slot: number; load: number; alive: boolean; worker: { pid: number } }[] };
  /** The public key vote results are signed with (published for verifiers). */
  voteKeyPem?: string;
  recordings?: RecordingServices;
  /** The dial-in number shown with invitations. */
  phoneNumber?: string | undefined;
  extraMetrics?: { phone?: () => unknown };
}

interface SocketData { connection: Connection | null; open: boolean; ip: string; refused: string | null }

export interface RunningApp {
  port: number;
  publicUrl: string;
  /** Open signaling connections (for tests and metrics). */
  connections: Set<Connection>;
  /** Open sockets per client address (tests and metrics). */
  socketsByIp: Map<string, number>;
  close(): void;
}

export function startApp(opts: AppOptions, host: string, port: number): Promise<RunningApp> {
  const { uws, limits } = opts;
  const app: TemplatedApp = uws.App();
  const files = new StaticFiles(opts.clientDir);
  if (files.size === 0) log.warn('no built client found: run `npm run build`', { clientDir: opts.clientDir });
  const sockets = new Set<WebSocket<SocketData>>();
  const connections = new Set<Connection>();
  const socketsByIp = new Map<string, number>();
  const links = { publicUrl: opts.publicUrl };
  setPublicUrl(opts.publicUrl);

  const guardWs = (what: string, ws: WebSocket<SocketData>, fn: () => void) => {
    try {
      fn();
    } catch (error) {
      log.error('websocket handler failed', { handler: what, error: error instanceof Error ? error.message : String(error) });
      const data = ws.getUserData();
      if (data.open) {
        data.open = false;
        try { ws.end(CloseCode.ServerError, 'internal: server error'); } catch { /* already gone */ }
      }
    }
  };

  app.ws<SocketData>('/ws', {
    // uWS closes sockets above maxPayloadLength; we allow more so that frames between our
    // own limit (64 KB) and 1 MB get a clear `message_too_large` reply instead.
    maxPayloadLength: 1024 * 1024,
    // Above our own limit (Connection closes at socketBackpressureBytes), so that uWS
    // never drops a message silently before we notice.
    maxBackpressure: limits.socketBackpressureBytes * 4,
    idleTimeout: 32,
    sendPingsAutomatically: true,
    upgrade: (res, req, context) => {
      let done = false;
      res.onAborted(() => { done = true; });
      try {
        const origin = req.getHeader('origin');
        const hostHeader = req.getHeader('host');
        const key = req.getHeader('sec-websocket-key');
        if (!originAllowed(origin, hostHeader, links.publicUrl)) {
          done = true;
          return void reject(res, '403 Forbidden', 'origin_not_allowed', 'this page may not open a meeting connection');
        }
        if (!validWebSocketKey(key)) {
          done = true;
          return void reject(res, '400 Bad Request', 'bad_request', 'Sec-WebSocket-Key must be base64 of 16 bytes');
        }
        const ip = clientIp(res, req, opts.trustProxy ?? false);
        // Over a cap, the socket is still accepted but closed at once with a close code and
        // reason: a browser cannot read an HTTP error on a WebSocket, but it gets those.
        const refused = sockets.size >= limits.sockets ? `too_many_connections: the server is at its limit of ${limits.sockets} connections`
          : (socketsByIp.get(ip) ?? 0) >= limits.socketsPerIp ? `too_many_connections: at most ${limits.socketsPerIp} connections per address` : null;
        done = true;
        res.upgrade<SocketData>({ connection: null, open: true, ip, refused }, key,
          req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context);
      } catch (error) {
        log.error('websocket upgrade failed', { error: error instanceof Error ? error.message : String(error) });
        if (!done) reject(res, '500 Internal Server Error', 'internal', 'upgrade failed');
      }
    },
    open: (ws) => guardWs('open', ws, () => {
      const data = ws.getUserData();
      if (data.refused) {
        data.open = false;
        ws.end(CloseCode.TooManyConnections, data.refused);
        return;
      }
      sockets.add(ws);
      socketsByIp.set(data.ip, (socketsByIp.get(data.ip) ?? 0) + 1);
      // uWS forbids touching a closed socket; `data.open` guards late sends from async handlers.
      data.connection = new Connection({
        send: (text) => {
          if (!data.open) return 0;
          ws.send(text, false);
          return ws.getBufferedAmount();
        },
        close: (code, reason) => { if (data.open) { data.open = false; ws.end(code, reason.slice(0, 120)); } },
      }, {
        registry: opts.registry, graceMs: opts.graceMs, rateLimit: opts.rateLimit, videoCodec: opts.videoCodec, recordings: opts.recordings, phoneNumber: opts.phoneNumber,
        joinTimeoutMs: limits.joinTimeoutMs, maxBackpressureBytes: limits.socketBackpressureBytes,
      });
      connections.add(data.connection);
    }),
    message: (ws, message, isBinary) => guardWs('message', ws, () => {
      ws.getUserData().connection?.onMessage(message, isBinary);
    }),
    close: (ws, code) => {
      const data = ws.getUserData();
      data.open = false;
      if (!sockets.delete(ws)) return;
      const n = (socketsByIp.get(data.ip) ?? 1) - 1;
      if (n <= 0) socketsByIp.delete(data.ip); else socketsByIp.set(data.ip, n);
      const connection = data.connection;
      if (!connection) return;
      connections.delete(connection);
      try {
        connection.onClose(code);
      } catch (error) {
        log.error('websocket close handler failed', { error: error instanceof Error ? error.message : String(error) });
      }
    },
  });

  // Anyone can check a vote report against this key (npm run verify -- report.json --key FILE).
  app.get('/.well-known/thinline-vote-key', route('vote-key', (res) => {
    if (!opts.voteKeyPem) return void replyJson(res, '404 Not Found', { error: { code: 'not_found', message: 'no vote key' } });
    reply(res, '200 OK', [['Content-Type', 'application/x-pem-file'], ['Cache-Control', 'no-cache']], opts.voteKeyPem);
  }));

  if (opts.recordings) registerRecordingRoutes(app, { registry: opts.registry, services: opts.recordings });
  registerApi(app, { registry: opts.registry, links, phoneNumber: opts.phoneNumber, extraMetrics: opts.extraMetrics, metricsToken: opts.metricsToken, pool: opts.pool, connections: () => connections.size, limits, trustProxy: opts.trustProxy ?? false });

  app.get('/*', route('static', (res, req) => {
    const url = req.getUrl();
    const acceptEncoding = req.getHeader('accept-encoding');
    const ifNoneMatch = req.getHeader('if-none-match');
    const file = files.get(url) ?? (url.startsWith('/r/') || url === '/' ? files.index : undefined);
    if (!file) return void replyJson(res, '404 Not Found', { error: { code: 'not_found', message: 'no such page' } });
    const headers: [string, string][] = [['Cache-Control', file.cacheControl], ['ETag', file.etag], ['Vary', 'Accept-Encoding']];
    if (ifNoneMatch === file.etag) return void reply(res, '304 Not Modified', headers, null);
    const { body, encoding } = negotiate(file, acceptEncoding);
    headers.push(['Content-Type', file.type]);
    if (encoding) headers.push(['Content-Encoding', encoding]);
    reply(res, '200 OK', headers, body);
  }));

  // Any other method on any path: a clear answer, not a hanging or dropped connection.
  app.any('/*', route('other', (res) => void replyJson(res, '405 Method Not Allowed', { error: { code: 'method_not_allowed', message: 'only GET here' } })));

  // uWS sets SO_REUSEPORT by default: a second server on the same port would silently get
  // half the connections (and half the rooms). Exclusive: a second server fails to start.
  type ListenWithOptions = (host: string, port: number, options: number, cb: (token: unknown) => void) => void;
  const listen = app.listen.bind(app) as unknown as ListenWithOptions;
  return new Promise((resolve, reject) => {
    listen(host, port, EXCLUSIVE_PORT, (token) => {
      if (!token) return reject(new Error(`cannot listen on ${host}:${port} (port in use?)`));
      const listenSocket = token as Parameters<Uws['us_socket_local_port']>[0];
      const actual = uws.us_socket_local_port(listenSocket);
      // Port 0 (tests): links must name the port the OS picked.
      links.publicUrl = opts.publicUrl.replace(/:0(?=\/|$)/, `:${actual}`);
      setPublicUrl(links.publicUrl);
      resolve({
        port: actual,
        publicUrl: links.publicUrl,
        connections,
        socketsByIp,
        close: () => {
          uws.us_listen_socket_close(listenSocket);
          for (const ws of [...sockets]) { try { ws.end(CloseCode.GoingAway, 'server shutting down'); } catch { /* gone */ } }
        },
      });
    });
  });
}

/** Answers an upgrade we refuse with a JSON error (HTTP, since no WebSocket exists yet). */
function reject(res: HttpResponse, status: string, code: string, message: string): void {
  try {
    res.cork(() => {
      res.writeStatus(status);
      for (const [k, v] of responseHeaders.list) res.writeHeader(k, v);
      res.writeHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ error: { code, message } }), true);
    });
  } catch { /* aborted meanwhile */ }
}
