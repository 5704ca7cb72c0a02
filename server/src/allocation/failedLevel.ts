// A level a probe failed at. Goals: do not probe into it again while it says something
// about the link, remember it longer after each further failure, and forget it as soon as
// the link shows it changed. Probes go to 85 % of it (CEILING_APPROACH); readings at twice
// it with a calm queue forget it (Estimate: #noteHigh).
export class FailedLevel {
  #level: { bps: number; at: number; ms: number } | null = null;

  /** `baseMs`: how long a first failure is remembered; each further one (within twice that) doubles it, up to `maxMs`. */
  constructor(private readonly baseMs: number, private readonly maxMs: number) {}

  /** A probe to `bps` failed at `now`. */
  failed(bps: number, now: number): void {
    const l = this.#level;
    const active = l !== null && now - l.at < l.ms * 2;
    this.#level = { bps, at: now, ms: active ? Math.min(l.ms * 2, this.maxMs) : this.baseMs };
  }

  /** The level while it is remembered, else null. */
  at(now: number): number | null {
    return this.#level !== null && now - this.#level.at < this.#level.ms ? this.#level.bps : null;
  }

  /** A reading at twice the level (or more) shows the link changed: the level no longer holds. */
  forgetBelow(readingBps: number): void {
    if (readingBps >= (this.#level?.bps ?? 0) * 2) this.#level = null;
  }
}
