// Goals: tell a full bottleneck queue from a noisy estimate. mediasoup's BWE on a link with
// jitter (edge: 150 ms +-40 ms) reads far below what the link carries, and trusting it
// paused video for tens of seconds on a link with room to spare. A queue that really fills
// shows as round-trip time above the link's own. Readings jitter by the link's jitter both
// ways, so we compare the median of the last few seconds with the lowest such median of
// the last half minute (the link's own RTT). A queue that fills quickly shows sooner in
// the readings themselves: when the last two are both that far above the link's own
// (jitter moves one reading, not two in a row), that counts at once; the median alone
// took ~3 s to notice a link that stepped down.
export const QUEUE_WINDOW_MS = 5000;
export const BASE_WINDOW_MS = 30_000;

export class QueueingDelay {
  #rtts: { at: number; ms: number }[] = [];
  #medians: { at: number; ms: number }[] = [];

  /**
   * One reading per receiver report: the stats repeat the last report's RTT until the next
   * one arrives (~1 s for video), and counting repeats made one report look like two.
   * Returns whether the reading was new.
   */
  add(rttMs: number, now: number): boolean {
    if (this.#rtts.at(-1)?.ms === rttMs) return false;
    this.#rtts.push({ at: now, ms: rttMs });
    this.#rtts = this.#rtts.filter((r) => r.at > now - QUEUE_WINDOW_MS);
    const sorted = this.#rtts.map((r) => r.ms).sort((a, b) => a - b);
    this.#medians.push({ at: now, ms: sorted[Math.floor((sorted.length - 1) / 2)]! });
    this.#medians = this.#medians.filter((m) => m.at > now - BASE_WINDOW_MS);
    return true;
  }

  /** The last RTT reading and the link's own RTT (ms; null before a reading): for traces. */
  get lastMs(): number | null { return this.#rtts.at(-1)?.ms ?? null; }
  get baseMs(): number | null { return this.#medians.length === 0 ? null : Math.min(...this.#medians.map((m) => m.ms)); }

  /** Smoothed RTT above the link's own (ms), or null before two readings. */
  get ms(): number | null {
    if (this.#rtts.length < 2) return null;
    const now = this.#medians.at(-1)!;
    const base = this.baseMs!;
    const lastTwo = Math.min(this.#rtts.at(-1)!.ms, this.#rtts.at(-2)!.ms);
    return Math.max(now.ms, lastTwo) - base;
  }

  /**
   * The queue now: the higher of the last two readings above the link's own (null before
   * two). A low reading proves the queue was empty then (jitter only adds delay), and two in
   * a row that it stays so; the smoothed median kept a drained queue at 72-86 ms for 4-6 s
   * after the step-down link came back.
   */
  get nowMs(): number | null {
    if (this.#rtts.length < 2) return null;
    const base = this.baseMs!;
    return Math.max(this.#rtts.at(-1)!.ms, this.#rtts.at(-2)!.ms) - base;
  }
}
