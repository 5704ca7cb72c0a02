// What the allocator measures each tick, from mediasoup's stats: a producer's bitrate per
// layer, and a subscriber's downlink (the BWE estimate, what really goes out, the RTT).
import type { types } from 'mediasoup';
import type { Peer } from '../domain/Peer.js';
import { bitrateMatrix, withStoppedLayers, type EncodingInfo, type PacketCounts } from './layerStats.js';
import type { LossReport } from './lossEvidence.js';
import type { SentCounts } from './nackPressure.js';
import type { SubscriberAllocator } from './SubscriberAllocator.js';

/**
 * Measured bits per second of each spatial/temporal layer a video producer receives, a
 * stopped simulcast layer at 0 (see withStoppedLayers), and the recent packet counts to
 * compare with at the next measurement.
 */
export async function measureProducer(producer: types.Producer, history: readonly PacketCounts[], now = Date.now()): Promise<{ matrix: number[][]; history: PacketCounts[] }> {
  const encodings = (producer.rtpParameters.encodings ?? []) as EncodingInfo[];
  const stats = await producer.getStats();
  return withStoppedLayers(bitrateMatrix(encodings, stats), encodings, stats, history, now);
}

/** A simulcast producer: measured every tick, so that a layer its sender stopped shows soon (see withStoppedLayers). */
export function isSimulcast(producer: types.Producer): boolean {
  return (producer.rtpParameters.encodings?.length ?? 0) > 1;
}

export interface DownlinkSample {
  estimateBps?: number; sentBps?: number; rtxBps?: number; rttMs?: number;
  /** 0..1, from the receiver's last report, and that stream's lost packets in all. */
  loss?: number; lossReport?: LossReport;
}

export async function measureDownlink(peer: Peer, withRtt = true): Promise<DownlinkSample> {
  const recv = peer.recvTransport();
  const stats = recv && !recv.closed ? await recv.getStats() : [];
  const out: DownlinkSample = {};
  const bwe = stats[0]?.availableOutgoingBitrate;
  if (typeof bwe === 'number' && bwe > 0) out.estimateBps = bwe;
  // What really goes out (media, retransmissions, probing): the estimate is judged against
  // it, since the BWE of an app-limited link merely follows it.
  const sent = stats[0]?.sendBitrate;
  if (typeof sent === 'number') out.sentBps = sent;
  const rtx = stats[0]?.rtxSendBitrate;
  if (typeof rtx === 'number') out.rtxBps = rtx;
  if (!withRtt) return out;
  // One RTT per subscriber (from a forwarding consumer's receiver reports).
  const live = [...peer.consumers.values()].filter((c) => !c.closed && !c.paused && !c.producerPaused);
  const probe = live.find((c) => c.kind === 'video') ?? live[0];
  const stat = probe ? (await probe.getStats()).find((x) => x.type === 'outbound-rtp') : undefined;
  if (typeof stat?.roundTripTime === 'number' && stat.roundTripTime > 0) out.rttMs = stat.roundTripTime;
  // RTCP's fraction lost is 8-bit fixed point.
  if (typeof stat?.fractionLost === 'number') out.loss = stat.fractionLost / 256;
  if (probe && typeof stat?.packetsLost === 'number') out.lossReport = { stream: probe.id, lost: stat.packetsLost };
  return out;
}

/** Measures a subscriber's downlink and feeds it to its allocator (the estimate last: it is judged by the rest). */
export async function measureSubscriber(peer: Peer, allocator: SubscriberAllocator, withRtt: boolean): Promise<void> {
  const down = await measureDownlink(peer, withRtt);
  if (down.sentBps !== undefined) allocator.setSent(down.sentBps, down.rtxBps, Date.now());
  if (down.rttMs !== undefined) allocator.setRtt(down.rttMs, Date.now());
  if (down.loss !== undefined) allocator.setLoss(down.loss, down.lossReport, Date.now());
  if (down.estimateBps !== undefined) allocator.setEstimate(down.estimateBps, Date.now());
}

/** Packets sent and resent (on a NACK) of each forwarding consumer, by id (see nackPressure.ts). */
export async function sentCounts(consumers: Iterable<types.Consumer>): Promise<Map<string, SentCounts>> {
  const out = new Map<string, SentCounts>();
  for (const c of consumers) {
    if (c.closed || c.paused || c.producerPaused) continue;
    const stat = (await c.getStats()).find((x) => x.type === 'outbound-rtp');
    if (stat) out.set(c.id, { packets: stat.packetCount, resent: stat.packetsRetransmitted });
  }
  return out;
}
