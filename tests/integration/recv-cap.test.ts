// mediasoup probes a receive path up to its max bitrate; the allocator keeps that ceiling
// near the subscriber's budget (see server/src/allocation/recvCap.ts). Real worker, real
// transports: the calls reach mediasoup, which accepts them.
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { Transport } from 'mediasoup/node/lib/Transport.js';
import type { Server } from '../../server/src/server.js';
import { CAP_MIN_BPS } from '../../server/src/allocation/recvCap.js';
import { createRoom, FAKE_DTLS, joinedClient, OPUS_PARAMS, TestClient, testServer, until } from './harness.js';

let server: Server;
beforeAll(async () => { server = await testServer(); });
afterAll(() => server?.close());

it('the ceiling is on a receive transport before its creation is answered (before any consumer)', async () => {
  const spy = vi.spyOn(Transport.prototype, 'setMaxOutgoingBitrate');
  try {
    const { roomId } = await createRoom(server);
    const client = await TestClient.connect(server);
    const { rtpCapabilities } = await client.ok('routerCapabilities', { roomId });
    await client.join({ roomId, name: 'A', rtpCapabilities: rtpCapabilities as never });
    const recv = await client.ok('createTransport', { direction: 'recv' });
    // Checked at the answer: no allocator tick has to come first.
    expect(spy.mock.calls.filter((_, i) => (spy.mock.contexts[i] as Transport).id === recv.id).map(([bps]) => bps)).toEqual([CAP_MIN_BPS]);
    client.close();
  } finally {
    spy.mockRestore();
  }
});

it('a receive transport gets a probing ceiling near its budget; "save data" is a hard limit below it', async () => {
  const spy = vi.spyOn(Transport.prototype, 'setMaxOutgoingBitrate');
  const ceilings = (id: string) => spy.mock.calls.filter((_, i) => (spy.mock.contexts[i] as Transport).id === id).map(([bps]) => bps);
  const { roomId } = await createRoom(server);
  const a = await joinedClient(server, roomId, 'A');
  const b = await joinedClient(server, roomId, 'B');
  await b.client.ok('connectTransport', { transportId: b.send.id, dtlsParameters: FAKE_DTLS });
  const mic = await b.client.ok('produce', { transportId: b.send.id, kind: 'audio', source: 'mic', rtpParameters: OPUS_PARAMS });
  await a.client.ok('consume', { transportId: a.recv.id, producerId: mic.producerId });
  await until(() => ceilings(a.recv.id).length > 0, 3000, 'the ceiling on the receive transport');
  expect(ceilings(a.recv.id)).toEqual([CAP_MIN_BPS]);

  await a.client.ok('setReceiveBitrate', { maxBps: 100_000 });
  expect(ceilings(a.recv.id).at(-1)).toBe(100_000);

  await a.client.ok('setReceiveBitrate', { maxBps: null });
  expect(ceilings(a.recv.id).at(-1)).toBe(CAP_MIN_BPS); // back to ours, not unlimited
  expect(ceilings(a.send.id)).toEqual([]); // the uplink is the browser's to probe
  spy.mockRestore();
});
