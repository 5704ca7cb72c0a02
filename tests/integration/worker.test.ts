// A media worker dies: the pool replaces it, the room moves, peers are told to rebuild
// their media and can produce and consume again, without anyone leaving.
import * as mediasoup from 'mediasoup';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Server } from '../../server/src/server.js';
import { createRoom, FAKE_DTLS, joinedClient, OPUS_PARAMS, TestClient, testServer, until, vp8Params } from './harness.js';

let server: Server;
beforeAll(async () => { server = await testServer({ numWorkers: 2 }); });
afterAll(() => server?.close());

it('replaces a dead worker and moves its rooms', async () => {
  const { roomId } = await createRoom(server);
  const a = await joinedClient(server, roomId, 'Alice');
  const b = await joinedClient(server, roomId, 'Bob');
  await a.client.ok('connectTransport', { transportId: a.send.id, dtlsParameters: FAKE_DTLS });
  await a.client.ok('produce', { transportId: a.send.id, kind: 'audio', source: 'mic', rtpParameters: OPUS_PARAMS });

  const room = server.registry.get(roomId)!;
  const before = await room.media();
  const deadPid = before.worker.worker.pid;
  const slot = before.worker.slot;
  process.kill(deadPid, 'SIGKILL');

  await a.client.notified('mediaReset');
  await b.client.notified('mediaReset');
  const replacement = server.pool.workers[slot]!;
  expect(replacement.worker.pid).not.toBe(deadPid);
  expect(replacement.worker.died).toBe(false);
  const after = await room.media();
  expect(after.worker).toBe(replacement);
  expect(after.router.closed).toBe(false);
  expect(room.peers.size).toBe(2);
  expect(a.client.has('peerLeft') || b.client.has('peerLeft')).toBe(false);

  // Rebuild, as the client does on mediaReset.
  const send = await a.client.ok('createTransport', { direction: 'send' });
  const recv = await b.client.ok('createTransport', { direction: 'recv' });
  await a.client.ok('connectTransport', { transportId: send.id, dtlsParameters: FAKE_DTLS });
  const cam = await a.client.ok('produce', { transportId: send.id, kind: 'video', source: 'camera', rtpParameters: vp8Params(5000) });
  await b.client.notified('newProducer', (d) => d.producer.id === cam.producerId);
  const consumer = await b.client.ok('consume', { transportId: recv.id, producerId: cam.producerId });
  expect(consumer.kind).toBe('video');
  // The old transports are gone with the old worker.
  expect((await a.client.call('connectTransport', { transportId: a.send.id, dtlsParameters: FAKE_DTLS })).error?.code).toBe('not_found');
  await until(() => server.pool.workers.every((w) => !w.worker.died));
  a.client.close();
  b.client.close();
});

it('a peer in its reconnect grace when the worker dies is told to rebuild when it resumes', async () => {
  const { roomId } = await createRoom(server);
  const a = await joinedClient(server, roomId, 'Alice');
  const b = await joinedClient(server, roomId, 'Bob');
  const room = server.registry.get(roomId)!;
  const { worker } = await room.media();
  b.client.ws.terminate();
  await until(() => room.peers.get(b.join.peerId)?.connected === false);
  process.kill(worker.worker.pid, 'SIGKILL');
  await a.client.notified('mediaReset');
  const again = await TestClient.connect(server);
  const resumed = await again.join({ roomId, name: 'Bob', rtpCapabilities: b.rtpCapabilities as never, resumeToken: b.join.resumeToken });
  expect(resumed).toMatchObject({ resumed: true, peerId: b.join.peerId, mediaReset: true });
  expect(room.peer(b.join.peerId).transports.size).toBe(0);
  // Told once: a later resume does not rebuild again.
  again.ws.terminate();
  await until(() => room.peers.get(b.join.peerId)?.connected === false);
  const third = await TestClient.connect(server);
  expect((await third.join({ roomId, name: 'Bob', rtpCapabilities: b.rtpCapabilities as never, resumeToken: b.join.resumeToken })).mediaReset).toBe(false);
  await until(() => server.pool.workers.every((w) => w.alive));
  a.client.close();
  third.close();
});

it('a room whose move fails is closed for everyone with a notice, not left half-alive', async () => {
  const { roomId } = await createRoom(server);
  const a = await joinedClient(server, roomId, 'Alice');
  const room = server.registry.get(roomId)!;
  const { worker } = await room.media();
  // A replacement that cannot take rooms: a real worker, already closed.
  const broken = await mediasoup.createWorker();
  broken.close();
  await expect(room.moveTo(worker, { ...worker, worker: broken, alive: true })).rejects.toThrow();
  expect(await a.client.notified('roomClosed')).toEqual({ reason: 'media_failed' });
  expect(room.peers.size).toBe(0);
  expect(room.active).toBe(false);
  // The room itself can be joined again later.
  const b = await joinedClient(server, roomId, 'Bob');
  expect(b.join.peerId).toBeTruthy();
  b.client.close();
});

it('a failed replacement is retried with backoff, and a dead slot is never handed out', async () => {
  let failures = 2;
  const flaky: typeof mediasoup.createWorker = async (settings) => {
    if (spawned++ > 0 && failures-- > 0) throw new Error('injected spawn failure');
    return mediasoup.createWorker(settings);
  };
  let spawned = 0;
  const solo = await testServer({ numWorkers: 1 }, { createWorker: flaky });
  try {
    const { roomId } = await createRoom(solo);
    const dead = solo.pool.workers[0]!;
    process.kill(dead.worker.pid, 'SIGKILL');
    await until(() => !dead.alive, 5000);
    // Nothing alive: joins get a clear error instead of a dead router.
    const c = await TestClient.connect(solo);
    const caps = await c.call('routerCapabilities', { roomId });
    expect(caps.error?.code).toBe('media_unavailable');
    expect(() => solo.pool.leastLoaded()).toThrow(/no media worker/);
    await until(() => solo.pool.workers[0]!.alive, 10_000, 'the replacement after two failed spawns');
    expect(failures).toBe(-1);
    expect(solo.pool.workers[0]).not.toBe(dead);
    const joined = await joinedClient(solo, roomId, 'After');
    expect(joined.join.peerId).toBeTruthy();
    c.close();
    joined.client.close();
  } finally {
    solo.close();
  }
});
