// The ceiling mediasoup's congestion controller gets on a subscriber's receive transport.
//
// Goals: mediasoup probes the path up to its "max bitrate", which follows what the
// consumers would like (the senders' top layers, 1-3 Mbit/s) and probes again whenever that
// moves by 10 %: on the 256 kbit/s edge link those probes arrived as 4-7 KB bursts every
// 5-10 s, each holding the link for 130-220 ms with the audio queued behind it. So the
// ceiling follows our own budget instead, with room above it (mediasoup must still be able
// to read a link that got better: recovery wants readings at twice a failed level), and
// moves in factor-2 steps only: each raise is one probe at the new ceiling, and a ceiling
// that stays put triggers none. A user's or operator's cap ("save data") is a hard limit.
import type { types } from 'mediasoup';

/** The ceiling is at least this many times the budget ... */
export const CAP_FACTOR = 3;
/** ... and one of CAP_MIN_BPS x 2^k. */
export const CAP_MIN_BPS = 500_000;

/** The next ceiling for a budget: up at once, down only when two steps too high. */
export function nextRecvCap(budgetBps: number, current: number | null): number {
  const want = Math.max(CAP_MIN_BPS, budgetBps * CAP_FACTOR);
  const step = CAP_MIN_BPS * 2 ** Math.ceil(Math.log2(want / CAP_MIN_BPS) - 1e-9);
  if (current === null || step > current || step * 4 <= current) return step;
  return current;
}

/** One subscriber's ceiling, applied to its receive transport only when it changes. */
export class RecvCap {
  #ours: number | null = null;
  #user: number | null = null;
  #applied: { transportId: string; bps: number } | null = null;

  /** A hard cap from the user or an operator (null: none). */
  setUserCap(bps: number | null): void { this.#user = bps; }

  get bps(): number | null {
    if (this.#ours === null) return this.#user;
    return this.#user === null ? this.#ours : Math.min(this.#ours, this.#user);
  }

  async update(transport: types.WebRtcTransport | undefined, budgetBps: number): Promise<void> {
    this.#ours = nextRecvCap(budgetBps, this.#ours);
    const bps = this.bps;
    if (!transport || transport.closed || bps === null) return;
    if (this.#applied?.transportId === transport.id && this.#applied.bps === bps) return;
    this.#applied = { transportId: transport.id, bps };
    await transport.setMaxOutgoingBitrate(bps);
  }
}
