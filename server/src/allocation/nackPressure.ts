// Goals: see heavy loss on a subscriber's downlink as soon as the receiver does, and tell
// it from the random loss of a weak link by its size.
// When the step-down bench link fell from 1 Mbit/s to 150 kbit/s, the bottleneck dropped
// most of what was in flight; the receiver asked for the lost packets (NACK) ~0.4 s after
// the step, while mediasoup's estimate moved 0.8-2 s after it and receiver reports lag a
// second. Meanwhile the queue was full, the audio behind it lost, and the resends of
// everything lost (up to 1.2 Mbit/s) kept it full (shaper trace, 2026-12-07).
// A NACK event (mediasoup's consumer trace) is one feedback packet and may ask for many
// packets: on the edge link (2 % random loss) the receiver sent 6-7 a second, a rate an
// overflowing queue merely doubles or triples. So events only wake the measurement; the
// verdict is the share of packets asked for again among those sent (the consumers'
// counters, summed), like LiveKit's NACK ratio: ~2-5 % on the edge link, most of them on
// an overflowing queue. A packet asked for twice counts twice: a receiver asks again when a
// resend does not arrive, which is what a full queue does.

/** NACK events within this long make a measurement due ... */
export const NACK_WAKE_MS = 500;
export const NACK_WAKE_EVENTS = 3;
/** ... at most this often (each one is a stats request per consumer of the subscriber). */
export const NACK_MEASURE_MS = 250;
/** A share is only read over at least this many packets sent, and from a baseline no older than this. */
export const NACK_MIN_PACKETS = 30;
export const NACK_BASELINE_MAX_MS = 1500;

/** One consumer's counters (mediasoup's outbound-rtp stats). */
export interface SentCounts { packets: number; nacked: number }

export class NackPressure {
  #events: number[] = [];
  #measuredAt = -Infinity;
  #last: { at: number; counts: Map<string, SentCounts> } | null = null;

  /** The subscriber sent a NACK. */
  noteEvent(now: number): void {
    this.#events.push(now);
    // Bounded: only the last window's events matter.
    while (this.#events.length > 0 && now - this.#events[0]! > NACK_WAKE_MS) this.#events.shift();
    if (this.#events.length > 64) this.#events.shift();
  }

  /** Enough NACKs lately, and no measurement just now: measure (and say so). */
  takeDue(now: number): boolean {
    const recent = this.#events.filter((t) => now - t <= NACK_WAKE_MS).length;
    if (recent < NACK_WAKE_EVENTS || now - this.#measuredAt < NACK_MEASURE_MS) return false;
    this.#measuredAt = now;
    return true;
  }

  /**
   * The consumers' counters now, by consumer id. Returns the share of packets asked for
   * again among those sent since the last measurement (over the consumers in both), or
   * null: no recent baseline, or too few packets to tell.
   */
  measure(counts: ReadonlyMap<string, SentCounts>, now: number): number | null {
    const last = this.#last;
    this.#last = { at: now, counts: new Map(counts) };
    if (!last || now - last.at > NACK_BASELINE_MAX_MS) return null;
    let sent = 0;
    let nacked = 0;
    for (const [id, c] of counts) {
      const before = last.counts.get(id);
      if (!before) continue;
      sent += Math.max(0, c.packets - before.packets);
      nacked += Math.max(0, c.nacked - before.nacked);
    }
    return sent >= NACK_MIN_PACKETS ? nacked / sent : null;
  }
}
