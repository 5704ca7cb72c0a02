// One guard around every uWebSockets.js callback. uWS calls into us from C++: an
// exception that escapes ends the process, and writing to a response after the client
// aborted it throws. So every route runs through `route()`, which tracks whether the
// response was aborted or answered, answers 500 (JSON) when the handler throws or
// rejects, and answers 408 when it has not answered within the deadline; replies go
// through `reply()`, which is a no-op once the response is gone.
import { logger } from '../log.js';
import type { HttpRequest, HttpResponse } from '../uws.js';

const log = logger('http');

export interface ResponseState { aborted: boolean; done: boolean; onAbort: (() => void)[]; timer: NodeJS.Timeout | null }
const states = new WeakMap<HttpResponse, ResponseState>();

export const SECURITY_HEADERS_BASE: [string, string][] = [
  ['X-Content-Type-Options', 'nosniff'],
  ['Referrer-Policy', 'no-referrer'],
  ['X-Frame-Options', 'DENY'],
  ['Permissions-Policy', 'camera=(self), microphone=(self), display-capture=(self)'],
];

/** Headers every response carries; the CSP names our own origin only (set at start). */
export const responseHeaders: { list: [string, string][] } = { list: [...SECURITY_HEADERS_BASE] };

/** The CSP for a server reachable at `publicUrl`: connect only to ourselves, including the exact WebSocket URL. */
export function contentSecurityPolicy(publicUrl: string): string {
  let ws = '';
  try {
    const u = new URL(publicUrl);
    ws = ` ${u.protocol === 'https:' ? 'wss:' : 'ws:'}//${u.host}/ws`;
  } catch { /* invalid public URL: 'self' only */ }
  return `default-src 'self'; connect-src 'self'${ws}; img-src 'self' data: blob:; media-src 'self' blob:; ` +
    "style-src 'self' 'unsafe-inline'; worker-src 'self' blob:; script-src 'self' 'wasm-unsafe-eval'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
}

export function setPublicUrl(publicUrl: string): void {
  responseHeaders.list = [...SECURITY_HEADERS_BASE, ['Content-Security-Policy', contentSecurityPolicy(publicUrl)]];
}

export type RouteHandler = (res: HttpResponse, req: HttpRequest) => void | Promise<void>;

/** Wraps a route: nothing it throws reaches uWS, and it always answers exactly once. */
export function route(name: string, handler: RouteHandler, deadlineMs = 15_000): (res: HttpResponse, req: HttpRequest) => void {
  return (res, req) => {
    const state: ResponseState = { aborted: false, done: false, onAbort: [], timer: null };
    states.set(res, state);
    res.onAborted(() => {
      state.aborted = true;
      if (state.timer) clearTimeout(state.timer);
      for (const fn of state.onAbort) { try { fn(); } catch { /* cleanup must not throw */ } }
    });
    const fail = (error: unknown) => {
      log.error('request handler failed', { route: name, error: error instanceof Error ? error.message : String(error) });
      replyJson(res, '500 Internal Server Error', { error: { code: 'internal', message: 'the server could not handle this request' } });
    };
    try {
      const result = handler(res, req);
      if (result instanceof Promise) result.catch(fail);
    } catch (error) {
      fail(error);
    }
    if (!state.done && !state.aborted) {
      // Slow-loris bodies and stuck handlers: the connection is answered and closed.
      state.timer = setTimeout(() => {
        replyJson(res, '408 Request Timeout', { error: { code: 'timeout', message: `no complete request within ${deadlineMs} ms` } }, true);
      }, deadlineMs);
      state.timer.unref();
    }
  };
}

/** Registers cleanup for when the client goes away before we answered. */
export function onAbort(res: HttpResponse, fn: () => void): void {
  states.get(res)?.onAbort.push(fn);
}

/**
 * A handler that streams its answer itself (a download): the guard stops watching the
 * deadline and will not answer for it. False when the client already went away.
 */
export function takeOver(res: HttpResponse): boolean {
  const s = states.get(res);
  if (!s || s.aborted || s.done) return false;
  s.done = true;
  if (s.timer) clearTimeout(s.timer);
  return true;
}

/** True once the client went away (a streaming handler stops writing). */
export function aborted(res: HttpResponse): boolean {
  return states.get(res)?.aborted ?? true;
}

export function isOpen(res: HttpResponse): boolean {
  const s = states.get(res);
  return s !== undefined && !s.aborted && !s.done;
}

/** Writes a complete response unless the request was aborted or already answered. */
export function reply(res: HttpResponse, status: string, headers: [string, string][], body: string | Uint8Array | null, close = false): boolean {
  const s = states.get(res);
  if (!s || s.aborted || s.done) return false;
  s.done = true;
  if (s.timer) clearTimeout(s.timer);
  try {
    res.cork(() => {
      res.writeStatus(status);
      for (const [k, v] of responseHeaders.list) res.writeHeader(k, v);
      for (const [k, v] of headers) res.writeHeader(k, v);
      if (body === null) res.endWithoutBody(undefined, close);
      else res.end(body, close);
    });
  } catch (error) {
    // The socket vanished between our check and the write: nothing left to answer.
    log.debug('response could not be written', { error: (error as Error).message });
  }
  return true;
}

export function replyText(res: HttpResponse, status: string, text: string, type = 'text/plain; charset=utf-8', close = false): boolean {
  return reply(res, status, [['Content-Type', type], ['Cache-Control', 'no-store']], text, close);
}

export function replyJson(res: HttpResponse, status: string, body: unknown, close = false): boolean {
  return replyText(res, status, JSON.stringify(body), 'application/json', close);
}

/** The client's address (uWS gives it as text); behind a trusted proxy, X-Forwarded-For's last hop. */
export function clientIp(res: HttpResponse, req: HttpRequest, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.getHeader('x-forwarded-for').split(',').map((s) => s.trim()).filter(Boolean).at(-1);
    if (forwarded && forwarded.length <= 64) return forwarded;
  }
  return Buffer.from(res.getRemoteAddressAsText()).toString();
}

/**
 * Cross-site WebSocket hijacking: a page from elsewhere must not join. Browsers always
 * send Origin; other clients (tests, bots) may omit it. An Origin that is `null` (sandboxed
 * frames, file:// pages) or unparseable is refused, never thrown on.
 */
export function originAllowed(origin: string, host: string, publicUrl: string): boolean {
  if (origin === '') return true;
  if (origin.length > 2048) return false;
  let originHost: string;
  try {
    const u = new URL(origin);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
    originHost = u.host.toLowerCase();
  } catch {
    return false;
  }
  if (host !== '' && originHost === host.toLowerCase()) return true;
  try { return originHost === new URL(publicUrl).host.toLowerCase(); } catch { return false; }
}

/** A Sec-WebSocket-Key is base64 of 16 bytes (RFC 6455 §4.1). */
export function validWebSocketKey(key: string): boolean {
  return /^[A-Za-z0-9+/]{21}[AQgw]==$/.test(key);
}
