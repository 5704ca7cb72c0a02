// The SFU picks layers by their real size. A sender announced a 720p camera at produce
// time, then its ladder rescaled the capture to 360p: the layers are now 90/180/360, and
// a 230 px tile needs the top one (360p), not the middle one (which is really 180p).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Server } from '../../server/src/server.js';
import { createRoom, FAKE_DTLS, joinedClient, testServer, until } from './harness.js';

let server: Server;
beforeAll(async () => { server = await testServer(); });
afterAll(() => server?.close());

function simulcast(ssrc: number) {
  return {
    codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: {}, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] }],
    headerExtensions: [],
    encodings: [{ ssrc, scaleResolutionDownBy: 4 }, { ssrc: ssrc + 1, scaleResolutionDownBy: 2 }, { ssrc: ssrc + 2, scaleResolutionDownBy: 1 }],
    rtcp: { cname: 'test' },
  };
}

it('re-derives every layer height when the sender announces a rescaled capture', async () => {
  const { roomId } = await createRoom(server);
  const sender = await joinedClient(server, roomId, 'Sender');
  const viewer = await joinedClient(server, roomId, 'Viewer');
  await sender.client.ok('connectTransport', { transportId: sender.send.id, dtlsParameters: FAKE_DTLS });
  const cam = await sender.client.ok('produce', { transportId: sender.send.id, kind: 'video', source: 'camera', rtpParameters: simulcast(9000), videoHeight: 720 });
  const { consumerId } = await viewer.client.ok('consume', { transportId: viewer.recv.id, producerId: cam.producerId });
  await viewer.client.ok('updateTiles', { tiles: [{ consumerId, height: 230, visible: true, pinned: false }] });
  const room = server.registry.get(roomId)!;
  const peer = room.peer(viewer.join.peerId);
  const max = () => room.allocator.snapshot().find((s) => s.peerId === peer.id)?.consumers.find((c) => c.consumerId === consumerId)?.max?.spatial;
  expect(room.allocator.trackOf(peer, consumerId)?.layerHeights).toEqual([180, 360, 720]);
  await until(() => max() === 1, 5000, 'the 360p layer for a 230 px tile');

  await sender.client.ok('setVideoHeight', { producerId: cam.producerId, height: 360 });
  expect(room.allocator.trackOf(peer, consumerId)?.layerHeights).toEqual([90, 180, 360]);
  await until(() => max() === 2, 5000, 'the top layer, which is 360p now');
  // The ladder shrinks the picture to 180p: the encodings are re-scaled, not divided again
  // (no 45p layer); the lowest is 90p and the middle one duplicates it (the sender turns it off).
  await sender.client.ok('setVideoHeight', { producerId: cam.producerId, height: 180 });
  expect(room.allocator.trackOf(peer, consumerId)?.layerHeights).toEqual([90, 90, 180]);
  await sender.client.ok('setVideoHeight', { producerId: cam.producerId, height: 360 });

  // Only the owner can say how big its camera is; and only for video.
  expect((await viewer.client.call('setVideoHeight', { producerId: cam.producerId, height: 90 })).error?.code).toBe('not_found');
  expect(room.allocator.trackOf(peer, consumerId)?.layerHeights).toEqual([90, 180, 360]);
});
