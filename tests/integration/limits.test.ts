// Every resource a stranger can create is bounded. Each cap, over a real uWS socket:
// the one over it gets a clear error code, the others carry on undisturbed.
import { afterEach, describe, expect, it } from 'vitest';
import type { Server } from '../../server/src/server.js';
import { createRoom, joinedClient, TestClient, testServer, until } from './harness.js';

let server: Server | null = null;
afterEach(() => { server?.close(); server = null; });

async function post(s: Server): Promise<{ status: number; body: any }> {
  const res = await fetch(`${s.url}/api/rooms`, { method: 'POST', body: '{"name":"Cap"}' });
  return { status: res.status, body: await res.json() };
}

describe('caps', () => {
  it('participants per room: the one over the cap gets room_full', async () => {
    server = await testServer({ limits: { participantsPerRoom: 2 } });
    const { roomId } = await createRoom(server);
    const a = await joinedClient(server, roomId, 'A');
    await joinedClient(server, roomId, 'B');
    const c = await TestClient.connect(server);
    const { rtpCapabilities } = await c.ok('routerCapabilities', { roomId });
    const r = await c.call('join', { roomId, name: 'C', rtpCapabilities: rtpCapabilities as never });
    expect(r.error?.code).toBe('room_full');
    expect(r.error?.message).toMatch(/full \(2 participants\)/);
    expect(c.closed).toBe(false);
    expect((await a.client.ok('ping', {})).now).toBeGreaterThan(0);
    expect(server.registry.get(roomId)!.peers.size).toBe(2);
    // A free seat is usable again.
    await a.client.ok('leave', {});
    expect((await c.call('join', { roomId, name: 'C', rtpCapabilities: rtpCapabilities as never })).ok).toBe(true);
  });

  it('sockets per address: the one over the cap is closed with 4029 too_many_connections', async () => {
    server = await testServer({ limits: { socketsPerIp: 3 } });
    const ok = await Promise.all([1, 2, 3].map(() => TestClient.connect(server!)));
    const over = await TestClient.connect(server);
    const closed = await over.closedBy();
    expect(closed.code).toBe(4029);
    expect(closed.reason).toMatch(/^too_many_connections: at most 3 connections per address/);
    for (const c of ok) expect((await c.ok('ping', {})).now).toBeGreaterThan(0);
    // Closing one frees a place.
    ok[0]!.close();
    await until(() => server!.app.socketsByIp.get('127.0.0.1') === 2);
    const again = await TestClient.connect(server);
    expect((await again.ok('ping', {})).now).toBeGreaterThan(0);
  });

  it('sockets in total: the one over the cap is closed with 4029', async () => {
    server = await testServer({ limits: { sockets: 2, socketsPerIp: 100 } });
    const ok = await Promise.all([1, 2].map(() => TestClient.connect(server!)));
    const over = await TestClient.connect(server);
    const closed = await over.closedBy();
    expect(closed.code).toBe(4029);
    expect(closed.reason).toMatch(/limit of 2 connections/);
    for (const c of ok) expect((await c.ok('ping', {})).now).toBeGreaterThan(0);
  });

  it('a socket that never joins is closed after the join timeout; a joined one is not', async () => {
    server = await testServer({ limits: { joinTimeoutMs: 300 } });
    const { roomId } = await createRoom(server);
    const member = await joinedClient(server, roomId, 'Member');
    const idle = await TestClient.connect(server);
    const started = Date.now();
    const closed = await idle.closedBy();
    expect(closed.code).toBe(4008);
    expect(closed.reason).toMatch(/^join_timeout/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(member.client.closed).toBe(false);
    expect((await member.client.ok('ping', {})).now).toBeGreaterThan(0);
  });

  it('room creation is rate-limited per address (429) and total rooms are capped (503 too_many_rooms)', async () => {
    server = await testServer({ limits: { roomsPerIpPerMinute: 3, rooms: 5 } });
    for (let i = 0; i < 3; i++) expect((await post(server)).status).toBe(201);
    const limited = await post(server);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    server.close();

    server = await testServer({ limits: { roomsPerIpPerMinute: 100, rooms: 2 } });
    expect((await post(server)).status).toBe(201);
    expect((await post(server)).status).toBe(201);
    const full = await post(server);
    expect(full.status).toBe(503);
    expect(full.body.error.code).toBe('too_many_rooms');
    expect(server.registry.size).toBe(2);
  });
});

describe('abuse', () => {
  it('oversized frames count toward the rate limit', async () => {
    server = await testServer();
    const c = await TestClient.connect(server);
    const big = JSON.stringify({ id: 1, method: 'ping', data: { pad: 'x'.repeat(70_000) } });
    for (let i = 0; i < 30; i++) c.sendRaw(big);
    await until(() => c.replies.length >= 30);
    expect(c.replies.every((r) => r.error?.code === 'message_too_large')).toBe(true);
    // The burst of 30 is spent: a valid ping right after is refused for the rate.
    const r = await c.call('ping', {});
    expect(r.error?.code).toBe('rate_limited');
  });

  it('a socket that keeps sending refused frames is closed with 1008 and a reason', async () => {
    server = await testServer();
    const { roomId } = await createRoom(server);
    const bystander = await joinedClient(server, roomId, 'Bystander');
    const c = await TestClient.connect(server);
    for (let i = 0; i < 200; i++) c.sendRaw('not json');
    const closed = await c.closedBy();
    expect(closed.code).toBe(1008);
    expect(closed.reason).toMatch(/^policy_violation: too many refused messages/);
    expect((await bystander.client.ok('ping', {})).now).toBeGreaterThan(0);
  });
});

describe('rooms expire and empty rooms cost nothing', () => {
  it('deletes rooms nobody joined for the idle period (and keeps occupied ones)', async () => {
    server = await testServer({ limits: { roomIdleDays: 30 } });
    const idle = await createRoom(server);
    const busy = await createRoom(server);
    await joinedClient(server, busy.roomId, 'Here');
    const db = server.db!;
    const count = () => (db.prepare('SELECT COUNT(*) AS n FROM rooms').get() as { n: number }).n;
    expect(count()).toBe(2);
    expect(await server.registry.sweep(Date.now() + 29 * 86_400_000)).toBe(0);
    expect(await server.registry.sweep(Date.now() + 31 * 86_400_000)).toBe(1);
    expect(server.registry.get(idle.roomId)).toBeUndefined();
    expect(server.registry.get(busy.roomId)).toBeDefined();
    expect(count()).toBe(1);
    expect((await fetch(`${server.url}/api/rooms/${idle.roomId}`)).status).toBe(404);
  });

  it('an empty room releases its router and allocator at once', async () => {
    server = await testServer();
    const { roomId } = await createRoom(server);
    const room = server.registry.get(roomId)!;
    expect(room.active).toBe(false);
    const a = await joinedClient(server, roomId, 'A');
    expect(room.active).toBe(true);
    const { router } = await room.media();
    const allocator = room.allocator;
    await a.client.ok('leave', {});
    expect(room.active).toBe(false);
    expect(allocator.closed).toBe(true);
    await until(() => router.closed);
    expect(server.pool.workers[0]!.load).toBe(0);
  });
});
