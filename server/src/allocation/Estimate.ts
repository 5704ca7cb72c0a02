// Goals: react to congestion quickly, grow only after the link proved stable, never
// oscillate, and never trust a single reading.
// - Congestion is mediasoup's estimate below what we actually send (5 % dead band; 25 %
//   while (almost) no video flows, see APP_LIMITED_BAND) for `confirmMs`, or under half of
//   it; a lone low reading is what random loss does now and then, and acting on it costs
//   two keyframes. Where RTT is known, the drop also needs a filling queue (RTT `queueMs`
//   above the link's own, see queueing.ts) or heavy loss (`lossFraction`: random loss of a
//   few % is no congestion; an overflowing queue drops far more). A reading merely below
//   our budget while we send less is no congestion: the BWE of an app-limited link follows
//   what is sent.
// - Growth waits `hold` ms without a drop, then probes (mediasoup's BWE finds more capacity
//   only when asked), one probe per `probeIntervalMs` while they succeed, only while the
//   allocation wants more and no reading is low, and from our own budget, never from the
//   reading: on a jittery link mediasoup reported 200 Mbit/s for a 256 kbit/s link. A drop
//   that begins within `hold` of a probe means it failed: the next growth waits twice as
//   long (up to maxHold), and probes slow down near the level that failed.
// - Once a drop is confirmed, the link is known to be congested: for `followMs` further
//   drops (with evidence, RTT known) follow at once, without another confirmation. A link
//   that stepped from 1 Mbit/s to 150 kbit/s is read down over several seconds, and
//   confirming each reading anew took 3-5 s to reach the lowest layer.
export interface EstimateOptions {
  holdMs: number;
  maxHoldMs: number;
  probeIntervalMs: number;
  /** Probe to measured * (1 + probeFraction) + probeFloorBps, at most x maxStep per probe. */
  probeFraction: number;
  probeFloorBps: number;
  maxStep: number;
  /** A moderate drop counts once it lasted this long. */
  confirmMs: number;
  /** ... and, where RTT is measured, the queue holds at least this much (ms) ... */
  queueMs: number;
  /** ... or the receiver reports at least this much loss. */
  lossFraction: number;
  /** After a confirmed drop, further drops with evidence follow at once for this long. */
  followMs: number;
  /** Readings at twice the budget for this long reset the hold to its base. */
  highMs: number;
  /** A level where a probe failed slows probing near it for this long. */
  ceilingMs: number;
}

export const DEFAULT_ESTIMATE_OPTIONS: EstimateOptions = {
  holdMs: 3000, maxHoldMs: 12_000, probeIntervalMs: 1000, probeFraction: 0.5, probeFloorBps: 50_000, maxStep: 2, confirmMs: 500, queueMs: 100, lossFraction: 0.1, followMs: 3000, highMs: 2000, ceilingMs: 15_000,
};

/**
 * While (almost) no video flows, a reading counts as low only below this share of what is
 * sent: an app-limited BWE follows the traffic loosely (audio only: 51-63 kbit/s read for
 * 65-75 kbit/s sent), and a dip there is no congestion.
 */
export const APP_LIMITED_BAND = 0.75;

/** Probes go quickly up to this share of a level that failed, ... */
export const CEILING_APPROACH = 0.85;
/** ... and beyond it by this fraction per probe. */
export const CEILING_STEP = 0.1;

export class Estimate {
  readonly #o: EstimateOptions;
  #effective: number;
  #lastDownAt = -Infinity;
  #lastUpAt = -Infinity;
  #hold: number;
  /** The budget at which a probe last failed, and when. */
  #ceiling: { bps: number; at: number } | null = null;
  /** Since when readings are at least twice the budget. */
  #highSince: number | null = null;
  /** When the last drop was confirmed by evidence (not the start). */
  #confirmedAt = -Infinity;
  /** Since when readings are below what we send, and the highest of them. */
  #low: { since: number; max: number } | null = null;

  constructor(initialBps: number, options: Partial<EstimateOptions> = {}, now = 0) {
    this.#o = { ...DEFAULT_ESTIMATE_OPTIONS, ...options };
    this.#effective = initialBps;
    this.#hold = this.#o.holdMs;
    // Start as if the link had just changed: the first probe waits a full hold.
    this.#lastDownAt = now;
  }

  get bps(): number { return this.#effective; }
  get holdMs(): number { return this.#hold; }
  /** A reading below what is sent is waiting for confirmation or evidence. */
  get suspect(): boolean { return this.#low !== null; }

  /**
   * Feeds one measurement, what is currently sent, and whether the allocation is held back
   * by the budget (only then is probing worth its risk); returns the effective budget.
   */
  update(measuredBps: number, now: number, usedBps = Infinity, wantsMore = true, queueMs: number | null = null, loss: number | null = null, idle = false): number {
    const threshold = Math.min(this.#effective, usedBps) * (idle ? APP_LIMITED_BAND : 0.95);
    if (measuredBps < threshold) {
      this.#low = this.#low ? { since: this.#low.since, max: Math.max(this.#low.max, measuredBps) } : { since: now, max: measuredBps };
      const collapse = measuredBps < threshold * 0.5;
      // Where RTT is measured, even a reading under half of what is sent needs a filling
      // queue: on the jittery edge link mediasoup read that low with room to spare.
      const queueing = queueMs === null || queueMs >= this.#o.queueMs || (loss ?? 0) >= this.#o.lossFraction;
      // Following needs real evidence: without RTT a lone dip would pass for congestion.
      const congested = queueMs !== null && now - this.#confirmedAt < this.#o.followMs;
      if (queueing && (collapse || congested || now - this.#low.since >= this.#o.confirmMs)) return this.#drop(measuredBps, now, collapse);
      // No evidence: no drop, but no growth either: the reading says the link carries less
      // than we send (on the edge link, probing on regardless took the budget to 4x the link
      // within 4 s, and concealed audio tripled). With every video paused that deadlocked
      // (the reading follows the audio); the first video's floor (SubscriberAllocator) keeps
      // a consumer forwarding, so mediasoup probes and its reading recovers by itself.
      return this.#effective;
    } else {
      this.#low = null;
    }
    // With a calm queue only: on the jittery edge link mediasoup read 240-280 kbit/s (a
    // 256 kbit/s link) with the queue 60-120 ms above the link's own.
    if (queueMs === null || queueMs < this.#o.queueMs / 2) this.#noteHigh(measuredBps, now);
    else this.#highSince = null;
    return this.#grow(now, wantsMore);
  }

  #drop(measuredBps: number, now: number, collapse: boolean): number {
    // It began soon after a probe: the probe failed. Once: the drops that follow it are the
    // same failure (doubling for each took the hold from 3 to 12 s after one probe).
    const low = this.#low!;
    if (this.#lastUpAt > this.#lastDownAt && low.since - this.#lastUpAt < this.#hold) this.#hold = Math.min(this.#hold * 2, this.#o.maxHoldMs);
    // A sustained drop: the best of its readings (each one is already below what we send).
    // Not "what got through" (sent x (1 - loss)): the loss is one consumer's receiver
    // report, and right after a resume a keyframe burst that overflowed a shallow queue read
    // 94 % lost while the audio on the same link got through (the budget fell to 11 kbit/s).
    const reading = collapse ? measuredBps : low.max;
    // A failed probe marks the level the link did not carry.
    if (this.#lastUpAt > this.#lastDownAt && low.since - this.#lastUpAt < this.#hold) this.#ceiling = { bps: this.#effective, at: now };
    this.#effective = Math.min(this.#effective, reading);
    this.#low = null;
    this.#lastDownAt = now;
    this.#confirmedAt = now;
    return this.#effective;
  }

  /**
   * mediasoup's reading is no budget (it read 200 Mbit/s on a jittery 256 kbit/s link), but
   * when it stays at twice ours for `highMs` with a calm queue, the link has changed:
   * earlier failed probes no longer say anything about it, the hold is back to its base and
   * the failed level forgotten. A subscriber whose link came back from 150 kbit/s waited
   * out a 12 s hold.
   */
  #noteHigh(measuredBps: number, now: number): void {
    if (measuredBps < this.#effective * 2) { this.#highSince = null; return; }
    this.#highSince ??= now;
    if (now - this.#highSince >= this.#o.highMs) { this.#hold = this.#o.holdMs; this.#ceiling = null; }
  }

  #grow(now: number, wantsMore: boolean): number {
    if (wantsMore && now - this.#lastDownAt >= this.#hold && now - this.#lastUpAt >= this.#o.probeIntervalMs) {
      // Grow from what we allow now, never by more than maxStep; towards a level that failed
      // recently, quickly up to 85 % of it, then (also beyond it) in small steps: the edge
      // link went 55 -> 110 -> 215 kbit/s, failed, and did the same again every 12 s.
      let probe = Math.min(this.#effective * (1 + this.#o.probeFraction) + this.#o.probeFloorBps, this.#effective * this.#o.maxStep);
      const ceiling = this.#ceiling !== null && now - this.#ceiling.at < this.#o.ceilingMs ? this.#ceiling.bps : Infinity;
      if (probe > ceiling * CEILING_APPROACH) probe = Math.max(ceiling * CEILING_APPROACH, this.#effective * (1 + CEILING_STEP));
      if (probe > this.#effective) {
        this.#effective = probe;
        this.#lastUpAt = now;
      }
      // A long calm period forgives earlier failed probes.
      if (now - this.#lastDownAt >= 4 * this.#hold) this.#hold = this.#o.holdMs;
    }
    return this.#effective;
  }
}
