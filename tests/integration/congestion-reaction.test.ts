// How the allocator's edge reacts when a subscriber's downlink congests. Real worker,
// transports and consumers; the allocator ticks only once an hour here, so every stats
// request seen comes from the reaction under test.
// - A BWE reading that waits for evidence (RoomAllocator.setEstimate) has the downlink
//   measured at once, not at the next tick: queue, loss and retransmissions decide whether
//   it is congestion, and the stats behind them may be a second old. At most once per
//   MEASURE_NOW_MS.
// - A retransmission storm flushes the audio consumers' resend buffers (FLUSH_MS): each is
//   paused and resumed at once, and no other consumer is touched.
// - A subscriber's NACKs wake a measurement of what is resent (nackPressure.ts): one stats
//   request per forwarding consumer, only while NACKs come.
import type { types } from 'mediasoup';
import { expect, it, vi } from 'vitest';
import { RoomAllocator } from '../../server/src/allocation/RoomAllocator.js';
import { CongestionReaction, MEASURE_NOW_MS } from '../../server/src/allocation/congestion.js';
import { NACK_MEASURE_MS } from '../../server/src/allocation/nackPressure.js';
import { SubscriberAllocator } from '../../server/src/allocation/SubscriberAllocator.js';
import { flushAudioResends } from '../../server/src/allocation/apply.js';
import { Peer, type ConsumerAppData } from '../../server/src/domain/Peer.js';
import { OPUS_PARAMS, useRouter, vp8Params } from './harness.js';

const routerOf = useRouter();

const listen = { listenIps: [{ ip: '127.0.0.1' }] };

it('a low reading is measured at once, at most once per MEASURE_NOW_MS; a reading that is no drop is not', async () => {
  const recv = await routerOf().createWebRtcTransport({ ...listen, initialAvailableOutgoingBitrate: 150_000, appData: { direction: 'recv' } });
  const peer = new Peer({ id: 'p1', name: 'P', role: 'participant', resumeToken: null, rtpCapabilities: routerOf().rtpCapabilities });
  peer.addTransport(recv);
  const allocator = new RoomAllocator(() => [peer], { lastN: 16, intervalMs: 3_600_000, initialEstimateBps: 150_000 });
  const stats = vi.spyOn(recv, 'getStats');
  try {
    allocator.setEstimate(peer, 150_000); // the budget itself: nothing to judge
    expect(stats).toHaveBeenCalledTimes(0);
    allocator.setEstimate(peer, 120_000); // below the budget: congestion? (a collapse would drop at once)
    expect(stats).toHaveBeenCalledTimes(1);
    allocator.setEstimate(peer, 115_000); // again at once: the measurement is on its way
    expect(stats).toHaveBeenCalledTimes(1);
    expect(MEASURE_NOW_MS).toBeLessThanOrEqual(250);
  } finally {
    allocator.close();
    recv.close();
  }
});

it("a flush pauses and resumes each forwarding audio consumer at once, and leaves video and paused audio alone", async () => {
  const send = await routerOf().createPlainTransport({ listenIp: '127.0.0.1', comedia: true });
  const recv = await routerOf().createWebRtcTransport(listen);
  const withNack = { ...OPUS_PARAMS, codecs: [{ ...OPUS_PARAMS.codecs[0]!, rtcpFeedback: [{ type: 'nack' }] }] };
  const mic = await send.produce({ kind: 'audio', rtpParameters: withNack });
  const mic2 = await send.produce({ kind: 'audio', rtpParameters: { ...withNack, encodings: [{ ssrc: 22222222 }] } });
  const cam = await send.produce({ kind: 'video', rtpParameters: vp8Params(5000) as types.RtpParameters });
  const caps = routerOf().rtpCapabilities;
  const audio = await recv.consume({ producerId: mic.id, rtpCapabilities: caps, enableRtx: true });
  const mutedAudio = await recv.consume({ producerId: mic2.id, rtpCapabilities: caps, enableRtx: true, paused: true });
  const video = await recv.consume({ producerId: cam.id, rtpCapabilities: caps });
  const events: string[] = [];
  for (const [name, c] of [['audio', audio], ['muted', mutedAudio], ['video', video]] as const) {
    c.observer.on('pause', () => events.push(`${name} pause`));
    c.observer.on('resume', () => events.push(`${name} resume`));
  }
  await flushAudioResends([audio, mutedAudio, video]);
  expect(events).toEqual(['audio pause', 'audio resume']);
  expect([audio.paused, mutedAudio.paused, video.paused]).toEqual([false, true, false]);
  send.close();
  recv.close();
});

it("a subscriber's NACKs are counted; the first takes a baseline of its forwarding consumers' counters, three within the window a verdict, at most every NACK_MEASURE_MS", async () => {
  const send = await routerOf().createPlainTransport({ listenIp: '127.0.0.1', comedia: true });
  const recv = await routerOf().createWebRtcTransport(listen);
  const withNack = { ...OPUS_PARAMS, codecs: [{ ...OPUS_PARAMS.codecs[0]!, rtcpFeedback: [{ type: 'nack' }] }] };
  const mic = await send.produce({ kind: 'audio', rtpParameters: withNack });
  const cam = await send.produce({ kind: 'video', rtpParameters: vp8Params(6000) as types.RtpParameters });
  const caps = routerOf().rtpCapabilities;
  const audio = await recv.consume({ producerId: mic.id, rtpCapabilities: caps, enableRtx: true });
  const video = await recv.consume({ producerId: cam.id, rtpCapabilities: caps, paused: true });
  const peer = new Peer({ id: 'p1', name: 'P', role: 'participant', resumeToken: null, rtpCapabilities: caps });
  peer.addTransport(recv);
  peer.addConsumer(audio as types.Consumer<ConsumerAppData>);
  peer.addConsumer(video as types.Consumer<ConsumerAppData>);
  const allocator = new SubscriberAllocator({ lastN: 4, initialEstimateBps: 600_000 }, 0);
  const reaction = new CongestionReaction();
  const audioStats = vi.spyOn(audio, 'getStats');
  const videoStats = vi.spyOn(video, 'getStats');
  try {
    await reaction.nack(peer, allocator, 'audio', 1000); // a baseline of what forwards (the paused video is left out)
    expect([audioStats.mock.calls.length, videoStats.mock.calls.length]).toEqual([1, 0]);
    expect(reaction.nack(peer, allocator, 'audio', 1010)).toBeNull(); // two NACKs: no verdict yet
    expect(reaction.nack(peer, allocator, 'video', 1000 + NACK_MEASURE_MS - 1)).toBeNull(); // three, but just measured
    await reaction.nack(peer, allocator, 'audio', 1000 + NACK_MEASURE_MS); // a verdict
    expect(audioStats).toHaveBeenCalledTimes(2);
    expect(allocator.trace(2000).nacks).toEqual({ audio: 3, video: 1 });
    expect(allocator.trace(2000).resendShare).toBeNull(); // nothing was sent: too few packets to tell
  } finally {
    send.close();
    recv.close();
  }
});
