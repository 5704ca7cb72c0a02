// Applying one subscriber's decision to mediasoup (preferred layers, priority, pause or
// resume) and telling its client what it gets and why: the only place the allocator's
// plain values become consumer calls and wire notifications.
import type { types } from 'mediasoup';
import type { Layer as WireLayer, PausedReason } from '../../../protocol/index.js';
import type { ConsumerAppData, Peer } from '../domain/Peer.js';
import type { TrackAllocation } from './types.js';

export async function applyDecision(peer: Peer, consumer: types.Consumer<ConsumerAppData>, d: TrackAllocation, budget: number, ready: boolean, cutOver = false): Promise<void> {
  if (d.target) {
    await consumer.setPreferredLayers({ spatialLayer: d.target.spatial, temporalLayer: d.target.temporal });
    await consumer.setPriority(Math.max(1, 255 - d.rank * 16));
    // A cut-over (CUT_OVER_MS): a pause drops the consumer's retransmission buffer and its
    // current layer; the resume asks for the new layer's keyframe. The client is not told:
    // to it the video merely switches.
    if (cutOver && !consumer.paused) await restart(consumer);
    if (consumer.paused && ready) await consumer.resume();
  } else if (!consumer.paused) {
    await consumer.pause();
  }
  const reason: PausedReason = d.pausedReason;
  peer.notify({ notification: 'consumerState', data: { consumerId: d.id, paused: d.target === null, reason } });
  notifyLayers(peer, d.id, d, toLayer(consumer.currentLayers), budget);
}

/**
 * Drops the resend buffers of a subscriber's audio consumers (FLUSH_MS): a pause clears
 * mediasoup's buffer, the resume at once forwards the next packet in sequence. The client
 * is not told; at most a packet that arrives between the two is not forwarded.
 */
export async function flushAudioResends(consumers: Iterable<types.Consumer>): Promise<void> {
  for (const c of consumers) {
    if (c.kind !== 'audio' || c.closed || c.paused) continue;
    await restart(c);
  }
}

/** Paused and resumed at once: mediasoup drops the consumer's resend buffer (and a video's current layer). */
async function restart(consumer: types.Consumer): Promise<void> {
  await consumer.pause();
  await consumer.resume();
}

/** Some forwarded video arrives below the spatial layer allocated to it (its keyframe is on the way). */
export function upgradePending(consumers: Iterable<types.Consumer>, decisions: ReadonlyMap<string, TrackAllocation>): boolean {
  for (const c of consumers) {
    if (c.kind !== 'video' || c.closed || c.paused || c.producerPaused) continue;
    const target = decisions.get(c.id)?.target;
    if (target && (c.currentLayers?.spatialLayer ?? -1) < target.spatial) return true;
  }
  return false;
}

/** What the client shows in its tile's quality badge: target, ceiling, what arrives, why. */
export function notifyLayers(peer: Peer, consumerId: string, d: TrackAllocation | undefined, current: { spatial: number; temporal: number } | null, budget: number): void {
  peer.notify({
    notification: 'consumerLayers',
    data: { consumerId, target: wire(d?.target ?? null), max: wire(d?.max ?? null), current: wire(current), reason: d?.pausedReason ?? null, budgetBps: Math.round(budget), rank: d?.rank ?? 0 },
  });
}

export function toLayer(l: types.ConsumerLayers | undefined): { spatial: number; temporal: number } | null {
  return l ? { spatial: l.spatialLayer, temporal: l.temporalLayer ?? 0 } : null;
}

export function wire(l: { spatial: number; temporal: number } | null): WireLayer | null {
  return l ? { spatial: l.spatial, temporal: l.temporal } : null;
}
