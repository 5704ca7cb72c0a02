// The link rate a keyframe drains at, for the keyframe limit (layers.ts KEYFRAME_MAX_MS):
// the budget, but no more than mediasoup's readings of the last READINGS_MS mostly were
// (their 20th percentile). The budget is a step ahead of the link while a probe runs (the
// edge link's went 275 -> 462 kbit/s, which let a 180p keyframe into 256 kbit/s). On a
// clean link mediasoup's own probing keeps its readings well above what we send (1-2.4
// Mbit/s on the bench's dsl links); on the 256 kbit/s edge link they read 30-190 kbit/s,
// with a few seconds at 390-670 after a burst (a median let a 180p keyframe in there) and
// once 200 Mbit/s. Unless the link changed (see LINK_CHANGED_MS).

/** mediasoup's readings of this long count for the keyframe limit. */
export const READINGS_MS = 10_000;

/**
 * Readings that have all been at least twice the 20th percentile of the readings before
 * them for this long, with a calm queue (under CALM_QUEUE_MS above the link's own), say
 * that the link came back: the lowest of them is the keyframe limit's link then. When the
 * step-down link came back to 1 Mbit/s, the 20th percentile kept 180p keyframes away for
 * 8 s after mediasoup's readings had risen to 380-830 kbit/s (its readings before were
 * 30-60). Replayed over the traces of nine edge-3 participants (2 % loss, +-40 ms jitter),
 * the rule never allowed a link of 320 kbit/s (a 180p keyframe); over nine step-down runs
 * it allowed one 1.5-13 s (typically 4.5 s) before the percentile did.
 */
export const LINK_CHANGED_MS = 3500;

/** mediasoup's recent readings, oldest first, and whether the queue was calm at each. */
export class ReadingsWindow {
  readonly #readings: { at: number; bps: number; calm: boolean }[] = [];
  /** What they allow, computed once per change (null: not yet). */
  #low: number | null = null;

  add(bps: number, now: number, calm: boolean): void {
    while (this.#readings.length > 0 && now - this.#readings[0]!.at >= READINGS_MS) this.#readings.shift();
    this.#readings.push({ at: now, bps, calm });
    this.#low = null;
  }

  /**
   * The keyframe limit's link rate for a budget of `linkBps` (see the goals above); on a
   * plainly `clear` link, at least the highest calm reading of the last LINK_CHANGED_MS.
   */
  keyframeLink(linkBps: number, clear = false): number {
    if (this.#readings.length === 0) return linkBps;
    if (this.#low === null) {
      const sorted = this.#readings.map((r) => r.bps).sort((a, b) => a - b);
      this.#low = Math.max(percentile20(sorted), this.#changedLink());
    }
    return Math.min(linkBps, clear ? Math.max(this.#low, this.#recentCalmMax()) : this.#low);
  }

  /**
   * On a plainly clear link (nothing queued, lost nor retransmitted for seconds: see
   * estimateTuning.ts LAG_CLEAN_MS) mediasoup's readings are no link rate but follow what
   * is sent (the link is app-limited), so each is a lower bound of the link, the highest
   * one too. On loopback on a loaded test machine mediasoup read 480-730 kbit/s, with
   * jumps to 1-1.7 Mbit/s, while ~200 kbit/s went out with the queue at 0-4 ms and nothing
   * lost: the 20th percentile (and the lowest of a changed link's readings) held a 360p
   * keyframe (~24 KB, a 920 kbit/s link with the upgrade margin) back for 15 s and more.
   */
  #recentCalmMax(): number {
    const now = this.#readings.at(-1)!.at;
    return Math.max(0, ...this.#readings.filter((r) => r.calm && now - r.at < LINK_CHANGED_MS).map((r) => r.bps));
  }

  /**
   * The lowest of the last LINK_CHANGED_MS of readings if they all are at least twice the
   * 20th percentile of the readings before them, with a calm queue (the link came back),
   * else 0.
   */
  #changedLink(): number {
    const now = this.#readings.at(-1)!.at;
    const recent = this.#readings.filter((r) => now - r.at < LINK_CHANGED_MS);
    const before = this.#readings.filter((r) => now - r.at >= LINK_CHANGED_MS).map((r) => r.bps).sort((a, b) => a - b);
    // Readings come every 0.5-1 s: the recent ones must span most of the period.
    if (before.length === 0 || now - recent[0]!.at < LINK_CHANGED_MS - 500) return 0;
    const ref = percentile20(before);
    return recent.every((r) => r.calm && r.bps >= 2 * ref) ? Math.min(...recent.map((r) => r.bps)) : 0;
  }
}

function percentile20(sorted: readonly number[]): number {
  return sorted[Math.floor(sorted.length * 0.2)]!;
}
