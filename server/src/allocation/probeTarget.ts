// Where a probe takes the budget: a pure decision, so that its rules are a table.
// Goals: grow from what we allow now, in steps the link can absorb; never past what the
// traffic would follow, nor back into a level that failed while it is remembered; and only
// as far as mediasoup's reading where that reading has proved itself.
import { CEILING_APPROACH } from './estimateTuning.js';

export interface ProbeTargetInput {
  /** The budget now. */
  budgetBps: number;
  /** A step is at most this fraction above the budget (plus floorBps), and at most maxStep x it. */
  fraction: number;
  floorBps: number;
  maxStep: number;
  /**
   * mediasoup's reading where it proved itself: at twice the budget for highMs on a plainly
   * clear link (null: not proven). There a reading is what a probe of mediasoup's got through,
   * not the jitter that read 200 Mbit/s on the edge link.
   */
  provenBps: number | null;
  /**
   * How far the traffic would follow: twice what really goes out (SENT_HEADROOM), or what the
   * allocation's next step up needs (on a plainly clear link: all it wants); Infinity:
   * unknown. A budget the traffic does not follow tests nothing when it grows.
   */
  roomBps: number;
  /** A level a probe failed at, while remembered (Infinity: none). */
  failedBps: number;
}

export interface ProbeTarget {
  /** The probe's budget; not above budgetBps means no probe. */
  bps: number;
  /** The failed level stopped it at or below the budget: growth is held back by a failure. */
  heldByFailure: boolean;
}

export function probeTarget(i: ProbeTargetInput): ProbeTarget {
  // From our own budget, never from a raw reading: the edge link went 55 -> 110 -> 215
  // kbit/s, failed, and did the same again every 12 s (small steps beyond 85 % of it still
  // failed every 15 s: each layer that switches on is a step, whatever the budget's step).
  let bps = Math.min(i.budgetBps * (1 + i.fraction) + i.floorBps, i.budgetBps * i.maxStep);
  // After the step-down link came back, x2 steps took 5-6 s from 165 kbit/s to the
  // 800 kbit/s mediasoup had read already.
  if (i.provenBps !== null) bps = Math.max(bps, i.provenBps);
  bps = Math.min(bps, Math.max(i.budgetBps, i.roomBps));
  if (bps > i.failedBps * CEILING_APPROACH) {
    bps = i.failedBps * CEILING_APPROACH;
    return { bps, heldByFailure: bps <= i.budgetBps };
  }
  return { bps, heldByFailure: false };
}
