// Whatever the internet sends to the HTTP port, the server answers (or drops that one
// connection) and keeps serving everyone else. After each hostile request: /api/health
// answers and a fresh participant can join.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from '../../server/src/server.js';
import { createRoom, rawHttp, serverHealthy, testServer, until } from './harness.js';

let server: Server;
let roomId: string;
beforeAll(async () => {
  server = await testServer({ limits: { requestTimeoutMs: 600 } });
  ({ roomId } = await createRoom(server));
});
afterAll(() => server?.close());

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const upgrade = (headers: Record<string, string>, host: string | null = '127.0.0.1') =>
  `GET /ws HTTP/1.1\r\n${host === null ? '' : `Host: ${host}\r\n`}Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n` +
  Object.entries({ 'Sec-WebSocket-Key': KEY, ...headers }).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n';

describe('hostile upgrades', () => {
  it.each([
    // The reported crash: `new URL('null')` threw inside the upgrade handler and killed the process.
    ['Origin: null (sandboxed iframe, file:// page)', { Origin: 'null' }, /^HTTP\/1\.1 403/],
    ['Origin: file://', { Origin: 'file:///home/user/x.html' }, /^HTTP\/1\.1 403/],
    ['Origin: garbage', { Origin: 'http://[::1' }, /^HTTP\/1\.1 403/],
    ['Origin: another site', { Origin: 'https://evil.example' }, /^HTTP\/1\.1 403/],
    ['Origin: 10 KB long', { Origin: 'http://' + 'a'.repeat(10_000) + '.example' }, /^(HTTP\/1\.1 (403|431|400) |$)/],
    // uWS itself treats a request without a valid key as plain GET (404 from our router).
    ['a bad Sec-WebSocket-Key', { 'Sec-WebSocket-Key': 'not-a-key' }, /^HTTP\/1\.1 40[04]/],
    ['an empty Sec-WebSocket-Key', { 'Sec-WebSocket-Key': '' }, /^HTTP\/1\.1 40[04]/],
  ])('%s is refused and nothing else happens', async (_what, headers, expected) => {
    const answer = await rawHttp(server, [upgrade(headers)]);
    expect(answer.split('\r\n')[0] ?? '').toMatch(expected);
    if (answer.startsWith('HTTP/1.1 4')) expect(answer).toMatch(/\{"error":\{"code":"[a-z_]+"/);
    await serverHealthy(server, roomId);
  });

  it('an upgrade without Host is answered or dropped, never thrown on', async () => {
    const url = new URL(server.url);
    for (const headers of [{ Origin: `http://${url.host}` }, { Origin: 'null' }, {}] as Record<string, string>[]) {
      const answer = await rawHttp(server, [upgrade(headers, null)], { ms: 300 });
      if (answer) expect(answer).toMatch(/^HTTP\/1\.1 (101|4\d\d)/);
    }
    await serverHealthy(server, roomId);
  });

  it('an upgrade from our own origin is accepted', async () => {
    const url = new URL(server.url);
    const answer = await rawHttp(server, [upgrade({ Origin: `http://${url.host}` }, url.host)], { ms: 300, keepOpen: true });
    expect(answer).toMatch(/^HTTP\/1\.1 101/);
  });
});

describe('hostile HTTP requests', () => {
  it.each([
    ['a bogus method', ['BREW /coffee HTTP/1.1\r\nHost: x\r\n\r\n']],
    ['DELETE on the API', ['DELETE /api/rooms HTTP/1.1\r\nHost: x\r\n\r\n']],
    ['a path traversal', ['GET /../../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n']],
    ['an encoded NUL in the path', ['GET /r/%00%00 HTTP/1.1\r\nHost: x\r\n\r\n']],
    ['a 6 KB path', [`GET /api/rooms/${'A'.repeat(6000)} HTTP/1.1\r\nHost: x\r\n\r\n`]],
    ['no Host header', ['GET /api/health HTTP/1.1\r\n\r\n']],
    ['binary garbage', [Buffer.from([0, 1, 2, 3, 255, 254, 13, 10, 13, 10])]],
    ['a request line only', ['GET\r\n\r\n']],
    ['HTTP/0.9', ['GET /\r\n']],
    ['a huge Content-Length with a tiny body', ['POST /api/rooms HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n{}']],
    ['a body over the limit', ['POST /api/rooms HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n' + 'x'.repeat(5000)]],
    ['a negative Content-Length', ['POST /api/rooms HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n']],
    ['chunked garbage', ['POST /api/rooms HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n']],
    ['invalid JSON', ['POST /api/rooms HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n{{{{{']],
  ])('%s gets an answer or a closed connection, never a crash', async (_what, chunks) => {
    const answer = await rawHttp(server, chunks);
    if (answer) expect(answer).toMatch(/^HTTP\/1\.1 [1-5]\d\d/);
    await serverHealthy(server, roomId);
  });

  it('answers an oversized Content-Length at once with 413', async () => {
    const answer = await rawHttp(server, ['POST /api/rooms HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n'], { keepOpen: true });
    expect(answer).toMatch(/^HTTP\/1\.1 413/);
    expect(answer).toContain('"code":"message_too_large"');
  });

  it('answers a slow-loris body with 408 after the request deadline and frees the connection', async () => {
    const started = Date.now();
    const answer = await rawHttp(server, ['POST /api/rooms HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"na', 'm', 'e'], { gapMs: 200, keepOpen: true, ms: 3000 });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(Date.now() - started).toBeLessThan(2500);
    await serverHealthy(server, roomId);
  });

  it('survives a request aborted mid-body (no write to a dead response)', async () => {
    for (let i = 0; i < 5; i++) await rawHttp(server, ['POST /api/rooms HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"name":'], { ms: 50 });
    // The deadline passes for all of them while their responses are gone.
    await new Promise((r) => setTimeout(r, 800));
    await serverHealthy(server, roomId);
  });

  it('aborted upgrades and half-open sockets leave nothing behind', async () => {
    await Promise.all(Array.from({ length: 10 }, () => rawHttp(server, [upgrade({}).slice(0, 40)], { ms: 50 })));
    await serverHealthy(server, roomId);
    await until(() => server.app.connections.size === 0, 5000, 'every test socket to be closed');
  });
});
