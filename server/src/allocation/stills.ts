// Stills are video, just slower: a subscriber gets a still image only while what its
// downlink has left after its allocated video covers it. A byte bucket per subscriber
// fills at that spare rate and holds at most STILL_BUCKET_S of it, so many senders'
// stills together never exceed what the allocator would grant.
export const STILL_BUCKET_S = 3;

export class StillBucket {
  #tokens = 0;
  #at = 0;

  /** May a still of `bytes` go out now, with `spareBps` of the downlink unallocated? */
  allow(spareBps: number, bytes: number, now: number): boolean {
    const perS = Math.max(0, spareBps) / 8;
    const cap = perS * STILL_BUCKET_S;
    this.#tokens = Math.min(cap, this.#at === 0 ? cap : this.#tokens + (perS * (now - this.#at)) / 1000);
    this.#at = now;
    if (bytes > this.#tokens) return false;
    this.#tokens -= bytes;
    return true;
  }
}
