// Room records in SQLite: one file in WAL mode, numbered migrations, a one-time import of
// the old rooms.json (plain keys hashed on the way in), and rows that survive a restart.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { MIGRATIONS } from '../../server/src/storage/migrations.js';
import { joinedClient, TestClient, testServer } from './harness.js';

it('imports rooms.json once, hashes its keys, and keeps rooms across restarts', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'thinline-store-'));
  const legacy = { id: 'legacyRoomId0123456789', moderatorKey: 'legacyModeratorKey_0123', name: 'Old council', createdAt: '2026-01-01T00:00:00.000Z' };
  writeFileSync(join(dataDir, 'rooms.json'), JSON.stringify({ rooms: [legacy] }));
  let server = await testServer({ dataDir });
  try {
    expect(existsSync(join(dataDir, 'rooms.json'))).toBe(false);
    expect(existsSync(join(dataDir, 'rooms.json.migrated'))).toBe(true);
    expect(server.db!.pragma('journal_mode', { simple: true })).toBe('wal');
    const version = (server.db!.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number }).v;
    expect(version).toBe(MIGRATIONS.at(-1)!.version);
    const c = await TestClient.connect(server);
    const { rtpCapabilities } = await c.ok('routerCapabilities', { roomId: legacy.id });
    const join1 = await c.join({ roomId: legacy.id, name: 'Chair', rtpCapabilities: rtpCapabilities as never, moderatorKey: legacy.moderatorKey });
    expect(join1.role).toBe('moderator');
    c.close();
    const created = await (await fetch(`${server.url}/api/rooms`, { method: 'POST', body: '{"name":"New","lobby":false}' })).json() as { roomId: string };
    server.close();

    server = await testServer({ dataDir });
    expect(server.registry.get(legacy.id)?.record.name).toBe('Old council');
    expect(server.registry.get(created.roomId)?.record.name).toBe('New');
    // The join above moved the legacy room's last-join time forward (idle expiry).
    expect(Date.parse(server.registry.get(legacy.id)!.record.lastJoinAt)).toBeGreaterThan(Date.parse(legacy.createdAt));
    const again = await joinedClient(server, created.roomId, 'Back');
    expect(again.join.peerId).toBeTruthy();
  } finally {
    server.close();
  }
});
