// HTTP side of the uWS app: static client with caching and precompression, REST API.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from '../../server/src/server.js';
import { testServer } from './harness.js';

let server: Server;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'thinline-client-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Thinline</title>');
  const js = 'console.log("thinline");'.repeat(50);
  writeFileSync(join(dir, 'assets', 'app-abc123.js'), js);
  writeFileSync(join(dir, 'assets', 'app-abc123.js.br'), brotliCompressSync(js));
  writeFileSync(join(dir, 'assets', 'app-abc123.js.gz'), gzipSync(js));
  writeFileSync(join(dir, 'assets', 'plain-abc.css'), '.x{color:red}'.repeat(200));
  server = await testServer({ clientDir: dir });
});
afterAll(() => server?.close());

describe('static client', () => {
  it('serves the shell for / and room links, never cached without revalidation', async () => {
    for (const path of ['/', '/r/abcdefgh12345678']) {
      const res = await fetch(server.url + path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
      // connect-src names only ourselves: no ws:/wss: wildcard for any host.
      const connect = /connect-src ([^;]+)/.exec(res.headers.get('content-security-policy')!)![1]!.split(' ');
      expect(connect).toEqual(["'self'", `ws://${new URL(server.url).host}/ws`]);
      expect(await res.text()).toContain('<title>Thinline</title>');
    }
  });

  it('serves hashed assets immutable and precompressed, with ETag revalidation', async () => {
    const url = server.url + '/assets/app-abc123.js';
    const br = await fetch(url, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await br.text()).toContain('thinline');
    const gz = await fetch(url, { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    const etag = br.headers.get('etag')!;
    const again = await fetch(url, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect((await fetch(server.url + '/nope.js')).status).toBe(404);
  });

  it('compresses assets itself when the build has no precompressed files', async () => {
    const res = await fetch(server.url + '/assets/plain-abc.css', { headers: { 'accept-encoding': 'gzip' } });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(await res.text()).toBe('.x{color:red}'.repeat(200));
  });
});

describe('listening', () => {
  it('refuses to share its port with a second server', async () => {
    const port = new URL(server.url).port;
    await expect(testServer({ port: Number(port) })).rejects.toThrow(/cannot listen on 127\.0\.0\.1:\d+/);
  });
});

describe('REST API', () => {
  it('creates rooms with unguessable ids and separate moderator links', async () => {
    const res = await fetch(server.url + '/api/rooms', { method: 'POST', body: JSON.stringify({ name: 'Bauausschuss' }) });
    expect(res.status).toBe(201);
    const room = (await res.json()) as { roomId: string; participantUrl: string; moderatorUrl: string; name: string };
    expect(Buffer.from(room.roomId, 'base64url')).toHaveLength(16);
    expect(room.participantUrl).toBe(`${server.url}/r/${room.roomId}`);
    expect(room.moderatorUrl).toMatch(new RegExp(`^${server.url}/r/${room.roomId}#mod=[A-Za-z0-9_-]{22}$`));
    const info = (await (await fetch(`${server.url}/api/rooms/${room.roomId}`)).json()) as Record<string, unknown>;
    expect(info).toEqual({ roomId: room.roomId, name: 'Bauausschuss', participants: 0 });
    expect(JSON.stringify(info)).not.toContain(room.moderatorUrl.split('#mod=')[1]!);
  });

  it('answers bad requests with an error code', async () => {
    const bad = await fetch(server.url + '/api/rooms', { method: 'POST', body: '{"name":' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('bad_json');
    const huge = await fetch(server.url + '/api/rooms', { method: 'POST', body: 'x'.repeat(10_000) });
    expect(huge.status).toBe(413);
    expect((await fetch(server.url + '/api/rooms/doesnotexist123')).status).toBe(404);
    expect((await fetch(server.url + '/api/nothing')).status).toBe(404);
  });
});
