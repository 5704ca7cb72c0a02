// The uWebSockets.js app: static client, REST API and the signaling WebSocket on one port.
import type { RoomRegistry } from '../domain/RoomRegistry.js';
import { logger } from '../log.js';
import { Connection } from '../signaling/Connection.js';
import type { HttpResponse, TemplatedApp, Uws, WebSocket } from '../uws.js';
import { registerApi } from './api.js';
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
  pool?: { workers: readonly { slot: number; load: number; worker: { pid: number } }[] };
}

interface SocketData { connection: Connection | null; open: boolean }

// Room links carry their secret in the URL: never leak it through Referer.
export const SECURITY_HEADERS: [string, string][] = [
  ['X-Content-Type-Options', 'nosniff'],
  ['Referrer-Policy', 'no-referrer'],
  ['X-Frame-Options', 'DENY'],
  ['Content-Security-Policy',
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data: blob:; media-src 'self' blob:; " +
    "style-src 'self' 'unsafe-inline'; worker-src 'self' blob:; script-src 'self' 'wasm-unsafe-eval'; frame-ancestors 'none'"],
  ['Permissions-Policy', 'camera=(self), microphone=(self), display-capture=(self)'],
];

export interface RunningApp {
  port: number;
  publicUrl: string;
  /** Open signaling connections (for tests and metrics). */
  connections: Set<Connection>;
  close(): void;
}

export function startApp(opts: AppOptions, host: string, port: number): Promise<RunningApp> {
  const { uws } = opts;
  const app: TemplatedApp = uws.App();
  const files = new StaticFiles(opts.clientDir);
  if (files.size === 0) log.warn('no built client found: run `npm run build`', { clientDir: opts.clientDir });
  const sockets = new Set<WebSocket<SocketData>>();
  const connections = new Set<Connection>();

  app.ws<SocketData>('/ws', {
    // uWS closes sockets above maxPayloadLength; we allow more so that frames between our
    // own limit (64 KB) and 1 MB get a clear `message_too_large` reply instead.
    maxPayloadLength: 1024 * 1024,
    maxBackpressure: 1024 * 1024,
    idleTimeout: 32,
    sendPingsAutomatically: true,
    upgrade: (res, req, context) => {
      const origin = req.getHeader('origin');
      const hostHeader = req.getHeader('host');
      // Cross-site WebSocket hijacking: a browser page from elsewhere must not join.
      if (origin && hostHeader && new URL(origin).host !== hostHeader) {
        res.writeStatus('403 Forbidden').end('origin not allowed');
        return;
      }
      res.upgrade<SocketData>({ connection: null, open: true }, req.getHeader('sec-websocket-key'),
        req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context);
    },
    open: (ws) => {
      sockets.add(ws);
      const data = ws.getUserData();
      // uWS forbids touching a closed socket; `data.open` guards late sends from async handlers.
      data.connection = new Connection({
        send: (text) => { if (data.open) ws.send(text, false); },
        close: (code, reason) => { if (data.open) { data.open = false; ws.end(code, reason); } },
      }, { registry: opts.registry, graceMs: opts.graceMs, rateLimit: opts.rateLimit, videoCodec: opts.videoCodec });
      connections.add(data.connection);
    },
    message: (ws, message, isBinary) => {
      ws.getUserData().connection?.onMessage(message, isBinary);
    },
    close: (ws) => {
      sockets.delete(ws);
      const data = ws.getUserData();
      data.open = false;
      if (data.connection) {
        connections.delete(data.connection);
        data.connection.onClose();
      }
    },
  });

  const links = { publicUrl: opts.publicUrl };
  registerApi(app, { registry: opts.registry, links, metricsToken: opts.metricsToken, pool: opts.pool, connections: () => connections.size });

  app.get('/*', (res, req) => {
    const url = req.getUrl();
    const acceptEncoding = req.getHeader('accept-encoding');
    const ifNoneMatch = req.getHeader('if-none-match');
    const file = files.get(url) ?? (url.startsWith('/r/') || url === '/' ? files.index : undefined);
    if (!file) return sendText(res, '404 Not Found', 'not found');
    res.cork(() => {
      res.writeStatus(ifNoneMatch === file.etag ? '304 Not Modified' : '200 OK');
      for (const [k, v] of SECURITY_HEADERS) res.writeHeader(k, v);
      res.writeHeader('Cache-Control', file.cacheControl);
      res.writeHeader('ETag', file.etag);
      res.writeHeader('Vary', 'Accept-Encoding');
      if (ifNoneMatch === file.etag) return void res.endWithoutBody();
      const { body, encoding } = negotiate(file, acceptEncoding);
      res.writeHeader('Content-Type', file.type);
      if (encoding) res.writeHeader('Content-Encoding', encoding);
      res.end(body);
    });
  });

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
      resolve({
        port: actual,
        publicUrl: links.publicUrl,
        connections,
        close: () => {
          uws.us_listen_socket_close(listenSocket);
          for (const ws of [...sockets]) ws.end(1001, 'server shutting down');
        },
      });
    });
  });
}

export function sendText(res: HttpResponse, status: string, text: string, type = 'text/plain; charset=utf-8'): void {
  res.cork(() => {
    res.writeStatus(status);
    for (const [k, v] of SECURITY_HEADERS) res.writeHeader(k, v);
    res.writeHeader('Content-Type', type);
    res.writeHeader('Cache-Control', 'no-store');
    res.end(text);
  });
}
