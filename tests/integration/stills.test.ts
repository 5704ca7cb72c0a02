// Still images (the rung below the lowest video layer) are video too: they go only to
// receivers whose downlink budget has room, and they vanish when the camera goes off.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Server } from '../../server/src/server.js';
import { createRoom, FAKE_DTLS, joinedClient, testServer, until, vp8Params } from './harness.js';

let server: Server;
beforeAll(async () => { server = await testServer(); });
afterAll(() => server?.close());

const still = (kb: number) => ({ mime: 'image/webp' as const, data: 'A'.repeat(Math.ceil((kb * 1024 * 4) / 3 / 4) * 4) });

it('a still reaches a receiver with room in its budget, not one capped below it', async () => {
  const { roomId } = await createRoom(server);
  const sender = await joinedClient(server, roomId, 'Sender');
  const roomy = await joinedClient(server, roomId, 'Roomy');
  const narrow = await joinedClient(server, roomId, 'Narrow');
  // 30 kbit/s leave ~11 KB for stills over 3 s: a 16 KB picture never fits.
  await narrow.client.ok('setReceiveBitrate', { maxBps: 30_000 });
  await sender.client.ok('stillImage', still(16));
  await roomy.client.notified('stillImage', (d) => d.peerId === sender.join.peerId);
  // A 2 KB picture fits the narrow budget: the gate is the budget, not the receiver.
  await until(() => Date.now() - server.registry.get(roomId)!.peer(sender.join.peerId).lastStillAt > 1500, 3000);
  await sender.client.ok('stillImage', still(2));
  await narrow.client.notified('stillImage', (d) => d.peerId === sender.join.peerId && d.data.length < 4000);
  expect(narrow.client.notifications.filter((n) => n.notification === 'stillImage')).toHaveLength(1);
});

it('camera off clears the still for everyone; a ladder pause does not', async () => {
  const { roomId } = await createRoom(server);
  const sender = await joinedClient(server, roomId, 'Sender');
  const viewer = await joinedClient(server, roomId, 'Viewer');
  await sender.client.ok('connectTransport', { transportId: sender.send.id, dtlsParameters: FAKE_DTLS });
  const cam = await sender.client.ok('produce', { transportId: sender.send.id, kind: 'video', source: 'camera', rtpParameters: vp8Params(7000) });
  await sender.client.ok('setProducerPaused', { producerId: cam.producerId, paused: true, reason: 'ladder' });
  await sender.client.ok('stillImage', still(4));
  await viewer.client.notified('stillImage');
  await viewer.client.notified('producerPaused', (d) => d.paused);
  expect(viewer.client.has('stillCleared')).toBe(false);
  await sender.client.ok('setProducerPaused', { producerId: cam.producerId, paused: false, reason: 'ladder' });
  await sender.client.ok('setProducerPaused', { producerId: cam.producerId, paused: true });
  expect(await viewer.client.notified('stillCleared')).toEqual({ peerId: sender.join.peerId });
});

it('closing the camera clears the still too', async () => {
  const { roomId } = await createRoom(server);
  const sender = await joinedClient(server, roomId, 'Sender');
  const viewer = await joinedClient(server, roomId, 'Viewer');
  await sender.client.ok('connectTransport', { transportId: sender.send.id, dtlsParameters: FAKE_DTLS });
  const cam = await sender.client.ok('produce', { transportId: sender.send.id, kind: 'video', source: 'camera', rtpParameters: vp8Params(8000) });
  await sender.client.ok('stillImage', still(4));
  await viewer.client.notified('stillImage');
  await sender.client.ok('closeProducer', { producerId: cam.producerId });
  await viewer.client.notified('stillCleared', (d) => d.peerId === sender.join.peerId);
});
