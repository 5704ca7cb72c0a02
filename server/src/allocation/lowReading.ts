// Goals: a reading below what is sent is congestion only with evidence, and then at once.
// A lone low reading is what random loss does now and then (acting on it costs two
// keyframes); where RTT is measured, even a reading under half of what is sent needs a
// filling queue: on the jittery edge link mediasoup read that low with room to spare.
// Evidence is a queue `queueMs` above the link's own, heavy loss (`lossFraction`: an
// overflowing queue drops far more than a weak link's few %), heavy retransmission
// (RTX_EVIDENCE, the quickest), or a queue that stands for STANDING_MS (the link carries a
// little less than we send). With evidence the drop waits `confirmMs` of low readings,
// unless the reading collapsed (under half the threshold) or congestion was confirmed
// within `followMs` (a link read down over several seconds: confirming each reading anew
// took 3-5 s to reach the lowest layer). Without RTT nothing is evidence enough to follow.
import { RTX_EVIDENCE, STANDING_MS, type EstimateOptions } from './estimateTuning.js';

export interface LowReading {
  measuredBps: number;
  /** What the reading is judged against: below it, it is low (see Estimate.update). */
  thresholdBps: number;
  /** How long readings have been low, this one included (0: the first). */
  lowForMs: number;
  /** The queue above the link's own (ms; null: RTT not known). */
  queueMs: number | null;
  loss: number | null;
  rtxShare: number | null;
  /** How long the queue has stood at STANDING_QUEUE_MS (null: it does not). */
  standingForMs: number | null;
  /** Since congestion was last confirmed (Infinity: never). */
  sinceConfirmedMs: number;
}

/** 'collapse' and 'drop' go down now (a collapse to the reading itself), 'wait' does not. */
export function lowReading(r: LowReading, o: Pick<EstimateOptions, 'queueMs' | 'lossFraction' | 'followMs' | 'confirmMs'>): 'collapse' | 'drop' | 'wait' {
  const evidence = r.queueMs === null || r.queueMs >= o.queueMs || (r.loss ?? 0) >= o.lossFraction || (r.rtxShare ?? 0) >= RTX_EVIDENCE
    || (r.standingForMs !== null && r.standingForMs >= STANDING_MS);
  if (!evidence) return 'wait';
  const collapse = r.measuredBps < r.thresholdBps * 0.5;
  if (collapse) return 'collapse';
  const following = r.queueMs !== null && r.sinceConfirmedMs < o.followMs;
  return following || r.lowForMs >= o.confirmMs ? 'drop' : 'wait';
}
