// Goals: a consumer that waits for its first keyframe gets one quickly, but a weak link is
// never flooded with requests. Each keyframe on a 256 kbit/s link occupies it for a few
// hundred milliseconds, and every request makes the sender send one to everybody. So: ask
// at once, then after 1 s, 2 s, 4 s, 8 s (at most), and start over once layers arrive.
/** What askWaiting reads of a consumer (a mediasoup Consumer is one). */
export interface WaitingConsumer {
  readonly id: string; readonly kind: string; readonly paused: boolean; readonly producerPaused: boolean;
  readonly currentLayers: unknown; requestKeyFrame(): Promise<void>;
}

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

  /**
   * Resumed but nothing forwarded yet: the keyframe (or its request) was lost on a weak
   * link. Ask again (throttled) instead of waiting for the browser's ~3 s timeout.
   */
  async askWaiting(consumers: Iterable<WaitingConsumer>, now: number): Promise<void> {
    for (const consumer of consumers) {
      if (consumer.kind !== 'video') continue;
      const waiting = !consumer.paused && !consumer.producerPaused && !consumer.currentLayers;
      if (!waiting) this.clear(consumer.id);
      else if (this.due(consumer.id, now)) await consumer.requestKeyFrame();
    }
  }

  /** Media arrived (or the consumer is gone): the next wait starts from scratch. */
  clear(consumerId: string): void { this.#next.delete(consumerId); }

  get size(): number { return this.#next.size; }
}
