// Goals: see heavy loss on a subscriber's downlink as soon as the receiver does, and tell
// it from the random loss of a weak link by its size.
// When the step-down bench link fell from 1 Mbit/s to 150 kbit/s, the bottleneck dropped
// most of what was in flight; the receiver asked for the lost packets (NACK) ~0.3 s after
// the step, and mediasoup resent each of them up to 5 times (it judges "already resent" by
// the round trip of before the step): 0.6-1.5 Mbit/s of resends into 150 kbit/s, the audio
// lost behind them, until our budget cut the layers over 0.9-1.2 s after the step (shaper
// trace, 2026-12-07).
// A NACK event (mediasoup's consumer trace) is one feedback packet and may ask for many
// packets: on the edge link (2 % random loss) the receiver sent 6-7 a second, a rate an
// overflowing queue merely doubles or triples. So events only wake a measurement; the
// verdict is the share of packets resent among those sent (the consumers' counters,
// summed), like LiveKit's NACK ratio. Resent, not asked for: a receiver also asks, up to
// ten times, for packets lost on the sender's uplink, which mediasoup never had (a dsl
// receiver of the edge sender asked for 0.9-1.2 of its packets again at start-up).
/**
 * The first NACK after a quiet while takes a baseline of the counters at once; NACK events
 * within NACK_WAKE_MS (at least NACK_WAKE_EVENTS) then make a verdict due, at most every
 * NACK_MEASURE_MS (each measurement is a stats request per consumer of the subscriber). On
 * the step-down link the first NACKs came ~0.3 s after the step, and the resends they asked
 * for (each lost packet up to 5 times, mediasoup judging "already resent" by the round trip
 * of before the step) filled the link from ~0.35 s until our budget cut the layers over.
 */
export const NACK_WAKE_MS = 500;
export const NACK_WAKE_EVENTS = 3;
export const NACK_MEASURE_MS = 150;
/** A share is only read over at least this many packets sent, and from a baseline no older than this. */
export const NACK_MIN_PACKETS = 30;
export const NACK_BASELINE_MAX_MS = 1500;

/** One consumer's counters (mediasoup's outbound-rtp stats). */
export interface SentCounts { packets: number; resent: number }

export class NackPressure {
  #events: number[] = [];
  #measuredAt = -Infinity;
  #base: { at: number; counts: Map<string, SentCounts> } | null = null;

  /** The subscriber sent a NACK. */
  noteEvent(now: number): void {
    this.#events.push(now);
    // Bounded: only the last window's events matter.
    while (this.#events.length > 0 && now - this.#events[0]! > NACK_WAKE_MS) this.#events.shift();
    if (this.#events.length > 64) this.#events.shift();
  }

  /**
   * Whether to measure now (and say so): for a baseline where none is recent, or for a
   * verdict after enough NACKs.
   */
  takeDue(now: number): boolean {
    if (now - this.#measuredAt < NACK_MEASURE_MS) return false;
    const baseline = this.#base === null || now - this.#base.at > NACK_BASELINE_MAX_MS;
    const recent = this.#events.filter((t) => now - t <= NACK_WAKE_MS).length;
    if (!baseline && recent < NACK_WAKE_EVENTS) return false;
    this.#measuredAt = now;
    return true;
  }

  /**
   * The consumers' counters now, by consumer id. Returns the share of packets resent
   * among those sent since the baseline (over the consumers in both), or null: no
   * recent baseline (this one becomes it), or too few packets yet to tell (the baseline
   * stays).
   */
  measure(counts: ReadonlyMap<string, SentCounts>, now: number): number | null {
    const base = this.#base;
    if (!base || now - base.at > NACK_BASELINE_MAX_MS) {
      this.#base = { at: now, counts: new Map(counts) };
      return null;
    }
    let sent = 0;
    let resent = 0;
    for (const [id, c] of counts) {
      const before = base.counts.get(id);
      if (!before) continue;
      sent += Math.max(0, c.packets - before.packets);
      resent += Math.max(0, c.resent - before.resent);
    }
    if (sent < NACK_MIN_PACKETS) return null;
    this.#base = { at: now, counts: new Map(counts) };
    return resent / sent;
  }
}
