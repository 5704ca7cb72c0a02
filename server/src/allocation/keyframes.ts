// Goals: a consumer that waits for its first keyframe gets one quickly, but a weak link is
// never flooded with requests. Each keyframe on a 256 kbit/s link occupies it for a few
// hundred milliseconds, and every request makes the sender send one to everybody. So: ask
// at once, then after 1 s, 2 s, 4 s, 8 s (at most), and start over once layers arrive.
export class KeyframeThrottle {
  readonly #next = new Map<string, { at: number; delayMs: number }>();
  readonly #minMs: number;
  readonly #maxMs: number;

  constructor(minMs = 1000, maxMs = 8000) {
    this.#minMs = minMs;
    this.#maxMs = maxMs;
  }

  /** Whether to request a keyframe now for a consumer that still receives nothing. */
  due(consumerId: string, now: number): boolean {
    const s = this.#next.get(consumerId);
    if (!s) {
      this.#next.set(consumerId, { at: now + this.#minMs, delayMs: this.#minMs });
      return true;
    }
    if (now < s.at) return false;
    s.delayMs = Math.min(s.delayMs * 2, this.#maxMs);
    s.at = now + s.delayMs;
    return true;
  }

  /** Media arrived (or the consumer is gone): the next wait starts from scratch. */
  clear(consumerId: string): void { this.#next.delete(consumerId); }

  get size(): number { return this.#next.size; }
}
