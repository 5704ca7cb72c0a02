// Goals: react to congestion at once, grow only after the link proved stable, and never
// oscillate. Congestion is a measurement below what we actually send (5 % dead band): it
// is applied immediately. A measurement merely below our budget while we send less is
// not congestion: mediasoup's BWE follows what is sent when the sender is app-limited.
// Growth waits `hold` ms without a drop, then probes above what was measured (mediasoup's
// BWE only finds more capacity when we ask for more), one probe per `probeIntervalMs`
// while they succeed. A probe followed by a drop within `hold` failed: the next growth
// waits twice as long (up to maxHold), so a link at its limit is not probed every second.
export interface EstimateOptions {
  holdMs: number;
  maxHoldMs: number;
  probeIntervalMs: number;
  /** Probe to measured * (1 + probeFraction) + probeFloorBps, at most x maxStep per probe. */
  probeFraction: number;
  probeFloorBps: number;
  maxStep: number;
}

export const DEFAULT_ESTIMATE_OPTIONS: EstimateOptions = {
  holdMs: 3000, maxHoldMs: 24_000, probeIntervalMs: 1000, probeFraction: 0.5, probeFloorBps: 50_000, maxStep: 2,
};

export class Estimate {
  readonly #o: EstimateOptions;
  #effective: number;
  #samples: { at: number; bps: number }[] = [];
  #lastDownAt = -Infinity;
  #lastUpAt = -Infinity;
  #hold: number;

  constructor(initialBps: number, options: Partial<EstimateOptions> = {}, now = 0) {
    this.#o = { ...DEFAULT_ESTIMATE_OPTIONS, ...options };
    this.#effective = initialBps;
    this.#hold = this.#o.holdMs;
    // Start as if the link had just changed: the first probe waits a full hold.
    this.#lastDownAt = now;
  }

  get bps(): number { return this.#effective; }
  get holdMs(): number { return this.#hold; }

  /** Feeds one measurement (and what is currently sent); returns the effective budget. */
  update(measuredBps: number, now: number, usedBps = Infinity): number {
    this.#samples.push({ at: now, bps: measuredBps });
    // The floor of recent measurements is what we trust; a probe window is short.
    while (this.#samples.length > 0 && this.#samples[0]!.at < now - this.#o.probeIntervalMs) this.#samples.shift();
    if (measuredBps < Math.min(this.#effective, usedBps) * 0.95) {
      if (now - this.#lastUpAt < this.#hold) this.#hold = Math.min(this.#hold * 2, this.#o.maxHoldMs);
      this.#effective = measuredBps;
      this.#lastDownAt = now;
      return this.#effective;
    }
    if (now - this.#lastDownAt >= this.#hold && now - this.#lastUpAt >= this.#o.probeIntervalMs) {
      // Grow from what we allow now (or what was measured, if more), never by more than maxStep.
      const floor = Math.max(this.#effective, Math.min(...this.#samples.map((s) => s.bps)));
      const probe = Math.min(floor * (1 + this.#o.probeFraction) + this.#o.probeFloorBps, this.#effective * this.#o.maxStep);
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
