// What a subscriber's congested downlink gets beyond a smaller allocation: measured at once
// when mediasoup's BWE trace reads low, what is resent measured while it sends NACKs
// (nackPressure.ts), and its audio resend buffers flushed while a retransmission storm
// feeds the queue (see stormPolicy.ts: FLUSH_MS). Rate-limited per subscriber; the
// reactions themselves are mediasoup calls (measure.ts, apply.ts).
import type { Peer } from '../domain/Peer.js';
import { flushAudioResends } from './apply.js';
import { measureSubscriber, sentCounts } from './measure.js';
import { NackPressure } from './nackPressure.js';
import type { SubscriberAllocator } from './SubscriberAllocator.js';
import { FLUSH_MS } from './stormPolicy.js';

/** A BWE trace reading that waits for evidence starts a measurement at most this often. */
export const MEASURE_NOW_MS = 200;

export class CongestionReaction {
  #measuredAt = -Infinity;
  #flushedAt = -Infinity;
  readonly #resends = new NackPressure();

  /**
   * The subscriber sent a NACK (mediasoup's consumer trace): counted, and while it keeps
   * sending them, the share of its packets resent is measured and fed in. Resolves once it
   * is (null: nothing to measure now).
   */
  nack(peer: Peer, allocator: SubscriberAllocator, kind: 'audio' | 'video', now: number): Promise<void> | null {
    allocator.noteNack(kind);
    this.#resends.noteEvent(now);
    if (!this.#resends.takeDue(now)) return null;
    return sentCounts(peer.consumers.values()).then((counts) => {
      const share = this.#resends.measure(counts, Date.now());
      if (share !== null) allocator.setResendShare(share, Date.now());
    });
  }

  /**
   * A low reading waits for evidence (queue, loss, retransmissions), and the last stats may
   * be up to a second old: measure now, not at the next tick. When the step-down link fell,
   * the trace read it 200-400 ms before the tick that confirmed it, while the queue
   * overflowed and the audio behind it was lost. Resolves once the measurement is fed in.
   */
  measureIfSuspect(peer: Peer, allocator: SubscriberAllocator, now: number): Promise<void> | null {
    if (!allocator.suspect || now - this.#measuredAt < MEASURE_NOW_MS) return null;
    this.#measuredAt = now;
    return measureSubscriber(peer, allocator, true);
  }

  /** Flushes the audio resend buffers during a retransmission storm, at most every FLUSH_MS. */
  async flushIfStorm(peer: Peer, allocator: SubscriberAllocator, now: number): Promise<void> {
    if (!allocator.retransmissionStorm(now) || now - this.#flushedAt < FLUSH_MS) return;
    this.#flushedAt = now;
    await flushAudioResends(peer.consumers.values());
  }
}
