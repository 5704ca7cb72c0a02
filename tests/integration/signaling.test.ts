// Join, produce, consume and close through a real mediasoup worker and a real uWS socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from '../../server/src/server.js';
import { createRoom, FAKE_DTLS, joinedClient, OPUS_PARAMS, TestClient, testServer, until, vp8Params } from './harness.js';

let server: Server;
beforeAll(async () => { server = await testServer(); });
afterAll(() => server?.close());

describe('a call through the SFU', () => {
  it('joins, produces, consumes and closes', async () => {
    const { roomId } = await createRoom(server);
    const a = await joinedClient(server, roomId, 'Alice');
    const b = await joinedClient(server, roomId, 'Bob');
    expect(a.join.peers).toEqual([]);
    expect(b.join.peers.map((p) => p.name)).toEqual(['Alice']);
    expect(b.join.resumeToken).toMatch(/^[A-Za-z0-9_-]{22}$/);
    await a.client.notified('peerJoined', (d) => d.peer.name === 'Bob');

    await a.client.ok('connectTransport', { transportId: a.send.id, dtlsParameters: FAKE_DTLS });
    const mic = await a.client.ok('produce', { transportId: a.send.id, kind: 'audio', source: 'mic', rtpParameters: OPUS_PARAMS });
    const cam = await a.client.ok('produce', { transportId: a.send.id, kind: 'video', source: 'camera', rtpParameters: vp8Params(2000) });
    const announced = await b.client.notified('newProducer', (d) => d.producer.id === cam.producerId);
    expect(announced).toEqual({ peerId: a.join.peerId, producer: { id: cam.producerId, kind: 'video', source: 'camera', paused: false } });

    const consumed = await b.client.ok('consume', { transportId: b.recv.id, producerId: cam.producerId });
    expect(consumed).toMatchObject({ producerId: cam.producerId, peerId: a.join.peerId, kind: 'video', source: 'camera' });
    const audio = await b.client.ok('consume', { transportId: b.recv.id, producerId: mic.producerId });
    await b.client.ok('resumeConsumer', { consumerId: consumed.consumerId });
    await b.client.ok('updateTiles', { tiles: [{ consumerId: consumed.consumerId, height: 180, visible: true, pinned: false }] });
    const foreign = await b.client.call('updateTiles', { tiles: [{ consumerId: cam.producerId, height: 180, visible: true, pinned: false }] });
    expect(foreign.error?.code).toBe('not_found');

    await a.client.ok('setProducerPaused', { producerId: mic.producerId, paused: true });
    await b.client.notified('producerPaused', (d) => d.producerId === mic.producerId && d.paused);
    await b.client.notified('consumerState', (d) => d.consumerId === audio.consumerId && d.paused && d.reason === 'producer');

    await a.client.ok('closeProducer', { producerId: cam.producerId });
    await b.client.notified('producerClosed', (d) => d.producerId === cam.producerId);
    await b.client.notified('consumerClosed', (d) => d.consumerId === consumed.consumerId);
    const peer = server.registry.get(roomId)!.peer(b.join.peerId);
    expect(peer.consumers.has(consumed.consumerId)).toBe(false);

    await a.client.ok('leave', {});
    await b.client.notified('peerLeft', (d) => d.peerId === a.join.peerId);
    expect(server.registry.get(roomId)!.peers.size).toBe(1);
    a.client.close();
    b.client.close();
  });

  it('resumes a dropped session within the grace period without a leave/join', async () => {
    const { roomId } = await createRoom(server);
    const a = await joinedClient(server, roomId, 'Alice');
    const b = await joinedClient(server, roomId, 'Bob');
    await a.client.notified('peerJoined');
    b.client.ws.terminate();
    await until(() => server.registry.get(roomId)!.peer(b.join.peerId).connected === false);
    const again = await TestClient.connect(server);
    const resumed = await again.join({ roomId, name: 'Bob', rtpCapabilities: b.rtpCapabilities as never, resumeToken: b.join.resumeToken });
    expect(resumed).toMatchObject({ resumed: true, peerId: b.join.peerId });
    // The transport survived: Bob can keep using it on the new socket.
    await again.ok('connectTransport', { transportId: b.recv.id, dtlsParameters: FAKE_DTLS });
    await a.client.ok('ping', {});
    expect(a.client.has('peerLeft')).toBe(false);
    expect(a.client.notifications.filter((n) => n.notification === 'peerJoined')).toHaveLength(1);
    a.client.close();
    again.close();
  });

  it('lets a dropped peer go after the grace period', async () => {
    const short = await testServer({ reconnectGraceMs: 200 });
    try {
      const { roomId } = await createRoom(short);
      const a = await joinedClient(short, roomId, 'Alice');
      const b = await joinedClient(short, roomId, 'Bob');
      b.client.ws.terminate();
      await a.client.notified('peerLeft', (d) => d.peerId === b.join.peerId);
      const late = await TestClient.connect(short);
      const rejoined = await late.join({ roomId, name: 'Bob', rtpCapabilities: b.rtpCapabilities as never, resumeToken: b.join.resumeToken });
      expect(rejoined.resumed).toBe(false);
      expect(rejoined.peerId).not.toBe(b.join.peerId);
      a.client.close();
      late.close();
    } finally {
      short.close();
    }
  });
});

describe('still images', () => {
  it('relays a still to the others, rate-limited, and refuses non-images', async () => {
    const { roomId } = await createRoom(server);
    const a = await joinedClient(server, roomId, 'Alice');
    const b = await joinedClient(server, roomId, 'Bob');
    const data = Buffer.from('RIFF....WEBPVP8 tiny').toString('base64');
    await a.client.ok('stillImage', { mime: 'image/webp', data });
    expect(await b.client.notified('stillImage')).toEqual({ peerId: a.join.peerId, mime: 'image/webp', data });
    expect((await a.client.call('stillImage', { mime: 'image/webp', data })).error?.code).toBe('rate_limited');
    expect((await a.client.call('stillImage', { mime: 'text/html', data })).error?.code).toBe('bad_request');
    expect((await a.client.call('stillImage', { mime: 'image/webp', data: 'x'.repeat(30_000) })).error?.code).toBe('bad_request');
    a.client.close();
    b.client.close();
  });
});

describe('server metrics', () => {
  it('show every consumer\'s allocation to operators with the token, and nothing to others', async () => {
    const m = await testServer({ metricsToken: 'secret-token-123' });
    try {
      const { roomId } = await createRoom(m);
      const a = await joinedClient(m, roomId, 'Alice');
      const b = await joinedClient(m, roomId, 'Bob');
      await a.client.ok('connectTransport', { transportId: a.send.id, dtlsParameters: FAKE_DTLS });
      const cam = await a.client.ok('produce', { transportId: a.send.id, kind: 'video', source: 'camera', rtpParameters: vp8Params(7000) });
      const consumer = await b.client.ok('consume', { transportId: b.recv.id, producerId: cam.producerId });
      await b.client.ok('resumeConsumer', { consumerId: consumer.consumerId });
      expect((await fetch(`${m.url}/api/metrics`)).status).toBe(401);
      type Metrics = { workers: unknown[]; rooms: { room: string; subscribers: { linkBps: number; capBps: number | null; estimate: { holdMs: number; failedLevelBps: number | null }; consumers: { consumerId: string; reason: string | null }[] }[] }[] };
      const body = (await (await fetch(`${m.url}/api/metrics`, { headers: { authorization: 'Bearer secret-token-123' } })).json()) as Metrics;
      expect(body.workers).toHaveLength(1);
      expect(JSON.stringify(body)).not.toContain(roomId);
      const decisions = body.rooms[0]!.subscribers.flatMap((s) => s.consumers);
      expect(decisions.map((d) => d.consumerId)).toContain(consumer.consumerId);
      // What each budget was decided from (the benches record it per poll).
      const sub = body.rooms[0]!.subscribers[0]!;
      expect(sub.linkBps).toBeGreaterThan(0);
      expect(sub.estimate).toMatchObject({ holdMs: expect.any(Number), failedLevelBps: null });
      a.client.close();
      b.client.close();
    } finally {
      m.close();
    }
  });
});
