// Per-participant connection quality for the UI: the worst RTP score (0..10) among a
// peer's producers' streams, announced only when it changes, so score events (several
// per second per stream) do not become signaling traffic.
export class QualityTracker {
  readonly #scores = new Map<string, Map<string, number>>();
  readonly #announced = new Map<string, number>();
  readonly #announce: (peerId: string, score: number) => void;

  constructor(announce: (peerId: string, score: number) => void) {
    this.#announce = announce;
  }

  /** `streamScores`: mediasoup ProducerScore[] scores of one producer. */
  update(peerId: string, producerId: string, streamScores: number[]): void {
    let perPeer = this.#scores.get(peerId);
    if (!perPeer) this.#scores.set(peerId, (perPeer = new Map()));
    // Simulcast: the best layer is what viewers can get, so take the max per producer.
    perPeer.set(producerId, streamScores.length ? Math.max(...streamScores) : 0);
    this.#maybeAnnounce(peerId);
  }

  removeProducer(peerId: string, producerId: string): void {
    this.#scores.get(peerId)?.delete(producerId);
    this.#maybeAnnounce(peerId);
  }

  score(peerId: string): number {
    const perPeer = this.#scores.get(peerId);
    if (!perPeer || perPeer.size === 0) return 10;
    return Math.min(...perPeer.values());
  }

  forget(peerId: string): void {
    this.#scores.delete(peerId);
    this.#announced.delete(peerId);
  }

  #maybeAnnounce(peerId: string): void {
    const score = this.score(peerId);
    if (this.#announced.get(peerId) === score) return;
    this.#announced.set(peerId, score);
    this.#announce(peerId, score);
  }
}
