// Goals: heavy loss in a receiver report is congestion evidence (an overflowing queue drops
// far more than a link's random loss), but a fraction of a few packets is chance. A report
// counts only if its stream lost at least LOSS_MIN_PACKETS since the report before.

/**
 * On the edge link (2 % random loss) a 90p video's report covers ~15 packets, so two lost
 * read as 13 %, over the Estimate's 10 %; that happened every 20-30 s, and each time, with
 * mediasoup reading low as it always does there, the budget fell to its reading (72-118
 * kbit/s of 256) and a video paused for 5-15 s. Four lost of 15 by chance at 2 %: once in
 * ~5000 reports. A queue that overflows drops more, and the queue (RTT) and the
 * retransmissions show it as well.
 */
export const LOSS_MIN_PACKETS = 4;

/** One stream's receiver report: its lost packets in all (each report updates the count). */
export interface LossReport { stream: string; lost: number }

export class LossEvidence {
  #last: (LossReport & { fraction: number }) | null = null;
  #fraction: number | null = null;
  /** Since when the reports lost nothing (null: not known). */
  #clean: number | null = null;

  /** The last report's loss (0..1) where it counts as evidence, else 0; null before any. */
  get fraction(): number | null { return this.#fraction; }

  /** How long the reports have lost no packet at all (0: not known, or just lost). */
  cleanMs(now: number): number { return this.#clean === null ? 0 : now - this.#clean; }

  /**
   * A reading of the last report's loss. Without `report` the fraction counts as it is;
   * a reading that repeats the last report keeps its verdict. `now` (absent: not known)
   * times how long nothing was lost.
   */
  add(fraction: number, report?: LossReport, now?: number): void {
    if (!report) { this.#fraction = fraction; this.#clean = null; return; }
    const prev = this.#last;
    this.#last = { ...report, fraction };
    const same = prev !== null && prev.stream === report.stream;
    if (now === undefined) this.#clean = null;
    else if (!same || report.lost > prev.lost) this.#clean = now;
    else this.#clean ??= now;
    if (same && prev.lost === report.lost && prev.fraction === fraction) return;
    // A stream's first report says nothing about how many packets its fraction stands for.
    const lost = same ? report.lost - prev.lost : 0;
    this.#fraction = lost >= LOSS_MIN_PACKETS ? fraction : 0;
  }
}
