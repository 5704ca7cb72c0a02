// What the allocator reads off a subscriber's receive transport (measure.ts) and sets on it
// (recvCap.ts), on a real worker:
// - the loss of a forwarding video consumer's last receiver report comes with that
//   consumer's lost packets in all, so that a report of a few packets can be told from heavy
//   loss (lossEvidence.ts);
// - the ceiling and the floor arrive in an order mediasoup accepts: it refuses a floor above
//   its ceiling at any moment, and any floor below its own 30 kbit/s but 0.
import type { types } from 'mediasoup';
import { expect, it, vi } from 'vitest';
import { measureDownlink } from '../../server/src/allocation/measure.js';
import { CAP_MIN_BPS, RecvCap } from '../../server/src/allocation/recvCap.js';
import { Peer, type ConsumerAppData } from '../../server/src/domain/Peer.js';
import { useRouter, vp8Params } from './harness.js';

const routerOf = useRouter();

it("a downlink sample's loss names the consumer whose report it is and counts that stream's lost packets", async () => {
  const send = await routerOf().createPlainTransport({ listenIp: '127.0.0.1', comedia: true });
  const recv = await routerOf().createWebRtcTransport({ listenIps: [{ ip: '127.0.0.1' }], appData: { direction: 'recv' } });
  const peer = new Peer({ id: 'p1', name: 'P', role: 'participant', resumeToken: null, rtpCapabilities: routerOf().rtpCapabilities });
  peer.addTransport(recv);
  try {
    const cam = await send.produce({ kind: 'video', rtpParameters: vp8Params(5000) as types.RtpParameters });
    const appData: ConsumerAppData = { peerId: 'p1', producerPeerId: 'p2', source: 'camera' };
    const video = await recv.consume<ConsumerAppData>({ producerId: cam.id, rtpCapabilities: routerOf().rtpCapabilities, appData });
    peer.addConsumer(video);
    const sample = await measureDownlink(peer);
    expect(sample.loss).toBe(0);
    expect(sample.lossReport).toEqual({ stream: video.id, lost: 0 });
  } finally {
    send.close();
    recv.close();
  }
});

it('a real transport takes the ceiling and the floor in an order mediasoup accepts, a user cap below the floor included', async () => {
  const transport = await routerOf().createWebRtcTransport({ listenIps: [{ ip: '127.0.0.1' }] });
  const max = vi.spyOn(transport, 'setMaxOutgoingBitrate');
  const min = vi.spyOn(transport, 'setMinOutgoingBitrate');
  try {
    const cap = new RecvCap();
    await cap.update(transport, 150_000, 80_000);
    expect([max.mock.calls, min.mock.calls]).toEqual([[[CAP_MIN_BPS]], [[80_000]]]);
    cap.setUserCap(50_000);
    await cap.update(transport, 150_000);
    expect([max.mock.calls.at(-1), min.mock.calls.at(-1)]).toEqual([[50_000], [50_000]]);
    cap.setUserCap(35_000);
    await cap.update(transport, 150_000, 20_000); // below mediasoup's own 30 kbit/s: none of ours
    expect([max.mock.calls.at(-1), min.mock.calls.at(-1)]).toEqual([[35_000], [0]]);
    await cap.update(transport, 150_000, 80_000);
    cap.setUserCap(null);
    await cap.update(transport, 150_000);
    expect([max.mock.calls.at(-1), min.mock.calls.at(-1)]).toEqual([[CAP_MIN_BPS], [80_000]]);
  } finally {
    transport.close();
  }
});
