// One direction of one emulated link. Goals: the same numbers a kernel netem + tbf chain
// would give, computed exactly (no timer drift enters the arithmetic).
//   loss (random, or Gilbert-Elliott bursts) -> drop-tail queue -> serialization at the
//   link rate -> propagation delay + jitter, never reordering packets.
// Jitter is drawn once per 20 ms epoch, not per packet: real jitter is mostly queueing and
// moves slowly, and per-packet draws plus in-order delivery would make every packet of a
// video frame wait for the slowest one before it.
// `offer` is pure given its clock and random source: it returns when the packet leaves
// the far end, or null if dropped; the shaper schedules delivery at that time.
export interface PipeConfig {
  rateBps?: number | undefined;
  delayMs: number;
  jitterMs: number;
  loss: number;
  burstLoss?: { loss: number; meanBurst: number } | undefined;
  /** Max queueing delay at the bottleneck before drop-tail (ms of the link rate). */
  queueMs: number;
}

const JITTER_EPOCH_MS = 20;

export interface PipeCounters { packets: number; bytes: number; lost: number; queueDrops: number; delivered: number; deliveredBytes: number }

export class Pipe {
  #cfg: PipeConfig;
  readonly #random: () => number;
  /** When the link finishes sending what is already queued (ms). */
  #busyUntil = 0;
  #lastDelivery = 0;
  #bad = false;
  #jitter = 0;
  #epochStart = -Infinity;
  readonly counters: PipeCounters = { packets: 0, bytes: 0, lost: 0, queueDrops: 0, delivered: 0, deliveredBytes: 0 };
  /** How long the last packet offered waited in the queue before its serialization began (ms). */
  lastWaitMs = 0;

  constructor(cfg: PipeConfig, random: () => number) {
    this.#cfg = cfg;
    this.#random = random;
  }

  get config(): PipeConfig { return this.#cfg; }

  /** Live profile changes keep the queue and its timing. */
  configure(cfg: PipeConfig): void { this.#cfg = cfg; }

  #lost(): boolean {
    const burst = this.#cfg.burstLoss;
    if (burst && burst.loss > 0) {
      // Two states; every packet in Bad is lost. Mean burst = 1/r; stationary loss = p/(p+r).
      const r = 1 / burst.meanBurst;
      const p = (burst.loss * r) / (1 - burst.loss);
      this.#bad = this.#bad ? this.#random() >= r : this.#random() < p;
      if (this.#bad) return true;
    }
    return this.#cfg.loss > 0 && this.#random() < this.#cfg.loss;
  }

  offer(size: number, now: number): number | null {
    this.counters.packets++;
    this.counters.bytes += size;
    this.lastWaitMs = 0;
    if (this.#lost()) { this.counters.lost++; return null; }
    const { rateBps, delayMs, jitterMs, queueMs } = this.#cfg;
    let leaves = now;
    if (rateBps) {
      const start = Math.max(now, this.#busyUntil);
      this.lastWaitMs = start - now;
      if (start - now > queueMs) { this.counters.queueDrops++; return null; }
      leaves = start + (size * 8 * 1000) / rateBps;
      this.#busyUntil = leaves;
    }
    if (now - this.#epochStart >= JITTER_EPOCH_MS) {
      this.#epochStart = now;
      this.#jitter = jitterMs > 0 ? (this.#random() * 2 - 1) * jitterMs : 0;
    }
    const jitter = jitterMs > 0 ? this.#jitter : 0;
    const arrives = Math.max(leaves + Math.max(0, delayMs + jitter), this.#lastDelivery);
    this.#lastDelivery = arrives;
    this.counters.delivered++;
    this.counters.deliveredBytes += size;
    return arrives;
  }
}
