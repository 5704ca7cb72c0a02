// Token bucket per socket (OpenTalk's numbers: 10 messages/s, bursts of 30). A client
// that floods gets `rate_limited` replies but keeps its connection; nothing it sends
// beyond the budget reaches the room.
export class RateLimiter {
  readonly #rate: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  constructor(perSecond: number, burst: number, now: () => number = () => performance.now()) {
    if (!(perSecond > 0)) throw new TypeError('perSecond must be > 0');
    if (!(burst >= 1)) throw new TypeError('burst must be >= 1');
    this.#rate = perSecond;
    this.#burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#last = now();
  }

  /** Whether a token is available now, without taking it. */
  get available(): boolean {
    this.#refill();
    return this.#tokens >= 1;
  }

  take(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  #refill(): void {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#rate);
    this.#last = now;
  }
}

/**
 * Token buckets per key (a client address, a caller number), bounded: above `maxKeys` the
 * buckets untouched long enough to have refilled completely are forgotten, which changes
 * nothing for their keys.
 */
export class KeyedRateLimiter {
  readonly #buckets = new Map<string, { limiter: RateLimiter; at: number }>();
  readonly #perSecond: number;
  readonly #burst: number;
  readonly #maxKeys: number;

  constructor(perSecond: number, burst: number, maxKeys = 10_000) {
    this.#perSecond = perSecond;
    this.#burst = burst;
    this.#maxKeys = maxKeys;
  }

  take(key: string, now = Date.now()): boolean {
    if (this.#buckets.size > this.#maxKeys) {
      const refilledMs = (this.#burst / this.#perSecond) * 1000;
      for (const [k, b] of this.#buckets) if (now - b.at > refilledMs) this.#buckets.delete(k);
    }
    let b = this.#buckets.get(key);
    if (!b) this.#buckets.set(key, (b = { limiter: new RateLimiter(this.#perSecond, this.#burst), at: now }));
    b.at = now;
    return b.limiter.take();
  }

  /** Whether `key` has a token left (without taking it); a key never seen has. */
  available(key: string): boolean {
    return this.#buckets.get(key)?.limiter.available ?? true;
  }
}
