// What the allocator reads off a subscriber's receive transport each tick (measure.ts), from
// a real worker: the loss of a forwarding video consumer's last receiver report comes with
// that consumer's lost packets in all, so that a report of a few packets can be told from
// heavy loss (lossEvidence.ts).
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { measureDownlink } from '../../server/src/allocation/measure.js';
import { Peer, type ConsumerAppData } from '../../server/src/domain/Peer.js';
import { mediaCodecs } from '../../server/src/media/codecs.js';
import { vp8Params } from './harness.js';

let worker: types.Worker;
let router: types.Router;
beforeAll(async () => {
  worker = await mediasoup.createWorker({ logLevel: 'warn' });
  router = await worker.createRouter({ mediaCodecs });
});
afterAll(() => worker?.close());

it("a downlink sample's loss names the consumer whose report it is and counts that stream's lost packets", async () => {
  const send = await router.createPlainTransport({ listenIp: '127.0.0.1', comedia: true });
  const recv = await router.createWebRtcTransport({ listenIps: [{ ip: '127.0.0.1' }], appData: { direction: 'recv' } });
  const peer = new Peer({ id: 'p1', name: 'P', role: 'participant', resumeToken: null, rtpCapabilities: router.rtpCapabilities });
  peer.addTransport(recv);
  try {
    const cam = await send.produce({ kind: 'video', rtpParameters: vp8Params(5000) as types.RtpParameters });
    const appData: ConsumerAppData = { peerId: 'p1', producerPeerId: 'p2', source: 'camera' };
    const video = await recv.consume<ConsumerAppData>({ producerId: cam.id, rtpCapabilities: router.rtpCapabilities, appData });
    peer.addConsumer(video);
    const sample = await measureDownlink(peer);
    expect(sample.loss).toBe(0);
    expect(sample.lossReport).toEqual({ stream: video.id, lost: 0 });
  } finally {
    send.close();
    recv.close();
  }
});
