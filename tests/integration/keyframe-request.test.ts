// A receiver whose decoder is stuck asks for a keyframe: only for its own video consumers,
// and at most once per KEYFRAME_REQUEST_MS per consumer (each request makes the sender
// encode a keyframe for everyone watching).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Server } from '../../server/src/server.js';
import { KEYFRAME_REQUEST_MS } from '../../server/src/media/handlers.js';
import { createRoom, FAKE_DTLS, joinedClient, testServer } from './harness.js';

let server: Server;
beforeAll(async () => { server = await testServer(); });
afterAll(() => server?.close());

const rtp = (kind: 'audio' | 'video', ssrc: number) => ({
  codecs: [kind === 'video'
    ? { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: {}, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] }
    : { mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: {}, rtcpFeedback: [] }],
  headerExtensions: [], encodings: [{ ssrc }], rtcp: { cname: 'test' },
});

it('asks the sender for a keyframe for its own video consumer, rate-limited; refuses the rest', async () => {
  const { roomId } = await createRoom(server);
  const sender = await joinedClient(server, roomId, 'Sender');
  const viewer = await joinedClient(server, roomId, 'Viewer');
  const other = await joinedClient(server, roomId, 'Other');
  await sender.client.ok('connectTransport', { transportId: sender.send.id, dtlsParameters: FAKE_DTLS });
  const cam = await sender.client.ok('produce', { transportId: sender.send.id, kind: 'video', source: 'camera', rtpParameters: rtp('video', 7000) });
  const mic = await sender.client.ok('produce', { transportId: sender.send.id, kind: 'audio', source: 'mic', rtpParameters: rtp('audio', 7100) });
  const video = await viewer.client.ok('consume', { transportId: viewer.recv.id, producerId: cam.producerId });
  const audio = await viewer.client.ok('consume', { transportId: viewer.recv.id, producerId: mic.producerId });

  expect(await viewer.client.ok('requestKeyFrame', { consumerId: video.consumerId })).toEqual({ requested: true });
  // Asked again at once: refused quietly (no second keyframe for everyone).
  expect(await viewer.client.ok('requestKeyFrame', { consumerId: video.consumerId })).toEqual({ requested: false });
  expect((await viewer.client.call('requestKeyFrame', { consumerId: audio.consumerId })).error?.code).toBe('invalid_state');
  // Someone else's consumer is not yours to ask for.
  expect((await other.client.call('requestKeyFrame', { consumerId: video.consumerId })).error?.code).toBe('not_found');
  expect((await viewer.client.call('requestKeyFrame', { consumerId: 'x'.repeat(5000) })).error?.code).toBe('bad_request');
  expect(KEYFRAME_REQUEST_MS).toBeGreaterThanOrEqual(1000);
});
