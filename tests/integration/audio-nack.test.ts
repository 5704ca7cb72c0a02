// Lost audio is asked for again: a receiver that announces NACK for Opus (mediasoup-client
// does for Chrome) gets audio consumers that retransmit, and a sender that offers it has
// its uplink losses repaired by the SFU. Without it every lost packet is concealed.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Server } from '../../server/src/server.js';
import { createRoom, FAKE_DTLS, joinedClient, OPUS_PARAMS, testServer } from './harness.js';

let server: Server;
beforeAll(async () => { server = await testServer(); });
afterAll(() => server?.close());

interface Codec { mimeType: string; rtcpFeedback?: { type: string; parameter?: string }[] }
const hasNack = (codec: Codec | undefined) => codec?.rtcpFeedback?.some((fb) => fb.type === 'nack' && !fb.parameter) ?? false;

it("negotiates NACK on audio consumers for receivers that support it, and keeps the sender's offer", async () => {
  const { roomId } = await createRoom(server);
  const sender = await joinedClient(server, roomId, 'Sender');
  const listener = await joinedClient(server, roomId, 'Listener');
  // The router announces it (mediasoup supports NACK for Opus) ...
  expect(hasNack((listener.rtpCapabilities as { codecs: Codec[] }).codecs.find((c) => c.mimeType === 'audio/opus'))).toBe(true);
  await sender.client.ok('connectTransport', { transportId: sender.send.id, dtlsParameters: FAKE_DTLS });
  const withNack = { ...OPUS_PARAMS, codecs: [{ ...OPUS_PARAMS.codecs[0]!, rtcpFeedback: [{ type: 'nack' }] }] };
  const mic = await sender.client.ok('produce', { transportId: sender.send.id, kind: 'audio', source: 'mic', rtpParameters: withNack });
  const audio = await listener.client.ok('consume', { transportId: listener.recv.id, producerId: mic.producerId });
  // ... and the consumer keeps it: mediasoup leaves NACK out of audio consumers unless asked.
  expect(hasNack((audio.rtpParameters as { codecs: Codec[] }).codecs[0])).toBe(true);
});
