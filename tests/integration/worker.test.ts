// A media worker dies: the pool replaces it, the room moves, peers are told to rebuild
// their media and can produce and consume again, without anyone leaving.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Server } from '../../server/src/server.js';
import { createRoom, FAKE_DTLS, joinedClient, OPUS_PARAMS, testServer, until, vp8Params } from './harness.js';

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
