// Secrets at rest and in logs: the moderator key is stored only as a SHA-256 digest and
// checked in constant time; no log line ever contains a key, a resume token or a room id.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addLogSink, getLogLevel, setLogLevel } from '../../server/src/log.js';
import type { Server } from '../../server/src/server.js';
import { createRoom, joinedClient, TestClient, testServer } from './harness.js';

let server: Server;
const lines: string[] = [];
let stop: () => void;
let level: ReturnType<typeof getLogLevel>;
beforeAll(async () => {
  level = getLogLevel();
  setLogLevel('debug');
  stop = addLogSink((l) => lines.push(l));
  server = await testServer({ metricsToken: 'metrics-secret-token-123' });
});
afterAll(() => { server?.close(); stop(); setLogLevel(level); });

it('stores the moderator key hashed and accepts only the right key', async () => {
  const room = await createRoom(server);
  const key = new URL(room.moderatorUrl).hash.replace('#mod=', '');
  const dbFile = readFileSync(join(server.config.dataDir, 'thinline.db'));
  const wal = (() => { try { return readFileSync(join(server.config.dataDir, 'thinline.db-wal')); } catch { return Buffer.alloc(0); } })();
  expect(Buffer.concat([dbFile, wal]).includes(Buffer.from(key))).toBe(false);
  const row = server.db!.prepare('SELECT moderator_key_hash FROM rooms WHERE id = ?').get(room.roomId) as { moderator_key_hash: string };
  expect(row.moderator_key_hash).toMatch(/^[0-9a-f]{64}$/);

  const c = await TestClient.connect(server);
  const { rtpCapabilities } = await c.ok('routerCapabilities', { roomId: room.roomId });
  const wrong = await c.call('join', { roomId: room.roomId, name: 'M', rtpCapabilities: rtpCapabilities as never, moderatorKey: key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A') });
  expect(wrong.error?.code).toBe('forbidden');
  const right = await c.join({ roomId: room.roomId, name: 'M', rtpCapabilities: rtpCapabilities as never, moderatorKey: key });
  expect(right.role).toBe('moderator');
});

it('checks the metrics token (and says nothing without it)', async () => {
  expect((await fetch(`${server.url}/api/metrics`)).status).toBe(401);
  expect((await fetch(`${server.url}/api/metrics`, { headers: { authorization: 'Bearer metrics-secret-token-12' } })).status).toBe(401);
  const ok = await fetch(`${server.url}/api/metrics`, { headers: { authorization: 'Bearer metrics-secret-token-123' } });
  expect(ok.status).toBe(200);
  expect(Object.keys(await ok.json())).toContain('workers');
});

it('never logs keys, resume tokens or room ids', async () => {
  const room = await createRoom(server);
  const key = new URL(room.moderatorUrl).hash.replace('#mod=', '');
  const a = await joinedClient(server, room.roomId, 'Alice');
  const b = await joinedClient(server, room.roomId, 'Bob');
  b.client.ws.terminate();
  const again = await TestClient.connect(server);
  await again.join({ roomId: room.roomId, name: 'Bob', rtpCapabilities: b.rtpCapabilities as never, resumeToken: b.join.resumeToken });
  await again.call('join', { roomId: room.roomId, name: 'X', rtpCapabilities: b.rtpCapabilities as never, moderatorKey: key });
  await a.client.ok('leave', {});
  await fetch(`${server.url}/api/metrics`, { headers: { authorization: 'Bearer wrong' } });
  expect(lines.length).toBeGreaterThan(3);
  const all = lines.join('\n');
  for (const secret of [key, room.roomId, a.join.resumeToken, b.join.resumeToken, 'metrics-secret-token-123']) expect(all).not.toContain(secret);
});
