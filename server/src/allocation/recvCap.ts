// The ceiling and the floor mediasoup's congestion controller gets on a subscriber's receive transport.
//
// Goals: mediasoup probes the path up to its "max bitrate", which follows what the
// consumers would like (the senders' top layers, 1-3 Mbit/s) and probes again whenever that
// moves by 10 %: on the 256 kbit/s edge link those probes arrived as 4-7 KB bursts every
// 5-10 s, each holding the link for 130-220 ms with the audio queued behind it. So the
// ceiling follows our own budget instead, with room above it (mediasoup must still be able
// to read a link that got better: recovery wants readings at twice a failed level), and
// moves in factor-2 steps only: each raise is one probe at the new ceiling, and a ceiling
// that stays put triggers none. A user's or operator's cap ("save data") is a hard limit.
//
// The floor: mediasoup shares its own estimate among the transport's consumers and forwards
// nothing of a video whose lowest layer its share does not cover, whatever layers we prefer
// (SimulcastConsumer::IncreaseLayer). So the floor covers the lowest layer of every video we
// forward (see recvFloorBps); pausing a video is our allocator's decision, shown with a reason.
import type { types } from 'mediasoup';
import { availableLayers, cost, withCostFloors } from './layers.js';
import type { TrackAllocation, TrackInput } from './types.js';

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

/**
 * The floor is what the lowest layers of the forwarded videos cost, times this, in steps of
 * FLOOR_STEP_BPS (a measured rate moves a little every second; the floor need not follow).
 * On the edge link mediasoup's estimate fell to 38-53 kbit/s for seconds while 110-150
 * kbit/s got through with a calm queue; one of the two videos we forwarded then lost its
 * layer (mediasoup's current layers: none) and froze for 1.1-2.4 s on a tile that showed no
 * paused state, in 4 of the 6 edge-3 runs after the loss rule (lossEvidence.ts) kept our
 * budget up. Its reading stays below what is sent all the same, so congestion still shows.
 */
export const FLOOR_MARGIN = 1.25;
/**
 * ... and at most this: mediasoup's reading never goes below the floor, so a high floor
 * hides congestion. Uncapped, it priced two cameras' lowest layers at dsl rates, and when
 * the step-down link fell to 150 kbit/s the budget took 2.5-5.4 s to follow instead of
 * 1.0-1.4 (3 runs each). This one stays below the narrowest link the benches step to.
 */
export const FLOOR_MAX_BPS = 100_000;
/** The lowest floor mediasoup takes (TransportCongestionControlMinOutgoingBitrate). */
export const MEDIASOUP_MIN_BPS = 30_000;
export const FLOOR_STEP_BPS = 10_000;

/** The floor for these decisions: the cheapest layer of each forwarded video, with margin, up to FLOOR_MAX_BPS. */
export function recvFloorBps(decisions: Iterable<TrackAllocation>, track: (id: string) => TrackInput | undefined): number {
  let sum = 0;
  for (const d of decisions) {
    const t = d.target ? track(d.id) : undefined;
    if (!t) continue;
    const priced = withCostFloors(t);
    const costs = availableLayers(priced.bitrates).map((l) => cost(priced.bitrates, l));
    if (costs.length > 0) sum += Math.min(...costs);
  }
  return Math.min(FLOOR_MAX_BPS, Math.ceil((sum * FLOOR_MARGIN) / FLOOR_STEP_BPS) * FLOOR_STEP_BPS);
}

/** One subscriber's ceiling and floor, applied to its receive transport only when they change. */
export class RecvCap {
  #ours: number | null = null;
  #user: number | null = null;
  #applied: { transportId: string; bps: number } | null = null;
  #floor = 0;
  #floorApplied: { transportId: string; bps: number } | null = null;

  /** A hard cap from the user or an operator (null: none). */
  setUserCap(bps: number | null): void { this.#user = bps; }

  get bps(): number | null {
    if (this.#ours === null) return this.#user;
    return this.#user === null ? this.#ours : Math.min(this.#ours, this.#user);
  }

  /**
   * `floorBps` (see recvFloorBps): absent, the last one stays. `probe`: make mediasoup probe
   * the link at the ceiling (linkProbe.ts): it does so whenever its ceiling rises above its
   * estimate (libwebrtc's mid-call probe), so the ceiling dips to half and comes back.
   */
  async update(transport: types.WebRtcTransport | undefined, budgetBps: number, floorBps?: number, probe = false): Promise<void> {
    this.#ours = nextRecvCap(budgetBps, this.#ours);
    if (floorBps !== undefined) this.#floor = floorBps;
    const bps = this.bps;
    if (!transport || transport.closed) return;
    // Never above the ceiling ("save data" may be below what the lowest layers cost), and
    // mediasoup refuses a floor above its ceiling at any moment: a floor that goes down goes
    // first, one that goes up after the ceiling.
    // mediasoup's own floor is 30 kbit/s, and it takes no lower one but 0 (none).
    const wanted = bps === null ? this.#floor : Math.min(this.#floor, bps);
    const floor = wanted < MEDIASOUP_MIN_BPS ? 0 : wanted;
    const same = (a: { transportId: string; bps: number } | null, v: number) => a?.transportId === transport.id && a.bps === v;
    const setFloor = async () => {
      if (same(this.#floorApplied, floor)) return;
      this.#floorApplied = { transportId: transport.id, bps: floor };
      await transport.setMinOutgoingBitrate(floor);
    };
    const lower = this.#floorApplied?.transportId === transport.id && floor < this.#floorApplied.bps;
    if (lower) await setFloor();
    if (bps !== null && probe) {
      const dip = Math.max(MEDIASOUP_MIN_BPS, this.#floorApplied?.bps ?? 0, Math.floor(bps / 2));
      if (dip < bps) {
        this.#applied = { transportId: transport.id, bps: dip };
        await transport.setMaxOutgoingBitrate(dip);
      }
    }
    if (bps !== null && !same(this.#applied, bps)) {
      this.#applied = { transportId: transport.id, bps };
      await transport.setMaxOutgoingBitrate(bps);
    }
    await setFloor();
  }
}
