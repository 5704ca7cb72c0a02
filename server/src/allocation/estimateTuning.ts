// The Estimate's tuning (see Estimate.ts for the algorithm): its options and defaults, the
// signs of the link it reads beside mediasoup's estimate, and its constants, each with the
// measurement that set it.
export interface EstimateOptions {
  holdMs: number;
  maxHoldMs: number;
  probeIntervalMs: number;
  /** Probe to measured * (1 + probeFraction) + probeFloorBps, at most x maxStep per probe. */
  probeFraction: number;
  probeFloorBps: number;
  maxStep: number;
  /** A moderate drop counts once it lasted this long. */
  confirmMs: number;
  /** ... and, where RTT is measured, the queue holds at least this much (ms) ... */
  queueMs: number;
  /** ... or the receiver reports at least this much loss. */
  lossFraction: number;
  /** After a confirmed drop, further drops with evidence follow at once for this long. */
  followMs: number;
  /** Readings at twice the budget for this long reset the hold to its base. */
  highMs: number;
  /** A level where a probe failed caps probing below it for this long ... */
  ceilingMs: number;
  /** ... doubled for each further failure, up to this. */
  maxCeilingMs: number;
  /**
   * No probe before the first RTT reading (the server sets it; a subscriber's first report
   * comes ~1-2 s after its media): the edge link's budget went 150 -> 275 -> 462 kbit/s in
   * its first 4 s, before anything could have seen the queue fill.
   */
  probeNeedsRtt: boolean;
}

export const DEFAULT_ESTIMATE_OPTIONS: EstimateOptions = {
  holdMs: 3000, maxHoldMs: 12_000, probeIntervalMs: 1000, probeFraction: 0.5, probeFloorBps: 50_000, maxStep: 2, confirmMs: 500, queueMs: 100, lossFraction: 0.1, followMs: 3000, highMs: 2000, ceilingMs: 15_000, maxCeilingMs: 120_000, probeNeedsRtt: false,
};

/**
 * While (almost) no video flows, a reading counts as low only below this share of what is
 * sent: an app-limited BWE follows the traffic loosely (audio only: 51-63 kbit/s read for
 * 65-75 kbit/s sent), and a dip there is no congestion.
 */
export const APP_LIMITED_BAND = 0.75;

/** What else the link shows beside mediasoup's reading (null or absent: not known). */
export interface LinkSigns {
  /** Smoothed RTT above the link's own (ms, see queueing.ts). */
  queueMs?: number | null;
  /** The queue now (QueueingDelay.nowMs): whether the link is plainly clear goes by it (absent: by queueMs). */
  queueNowMs?: number | null;
  /** The receiver's last reported loss (0..1). */
  loss?: number | null;
  /** How long nothing was lost (receiver reports) nor retransmitted (ms; see LAG_CLEAN_MS). */
  cleanMs?: number;
  /** (Almost) no video flows: the reading follows the audio (see APP_LIMITED_BAND). */
  idle?: boolean;
  /** Share of what goes out that is retransmitted (see RTX_EVIDENCE). */
  rtxShare?: number | null;
  /** What really goes out (mediasoup's sendBitrate): probes stay within SENT_HEADROOM of it ... */
  sentBps?: number | null;
  /** ... or reach the budget the allocation's next step up needs, whichever is more ... */
  nextBps?: number | null;
  /** ... or, on a plainly clear link (see plainlyClear), the budget the allocation wants in all. */
  wantBps?: number | null;
}

/**
 * Retransmissions at this share of what goes out are congestion evidence like a filling
 * queue or heavy loss, and the quickest: the receiver asks (NACK) within a round trip for
 * what an overflowing queue dropped, a second or more before its next receiver report
 * says so. When the step-down link fell from 1 Mbit/s to 150 kbit/s, 59-93 % of what went
 * out were retransmissions while the reports still read no loss; on the edge link (2 %
 * random loss) the share read at most 15 %.
 */
export const RTX_EVIDENCE = 0.25;

/** A probe counts as seen by an RTT reading whose round trip began this long after it. */
export const PROBE_SEEN_MS = 1000;

/**
 * A probe's layers arriving later than this after it no longer hold its verdict back (a
 * layer the sender never sends would hold it forever).
 */
export const PENDING_MAX_MS = 4000;

/**
 * A probe goes at most to this many times what is really sent (plus the probe floor), or to
 * what the allocation's next step up needs (a 360p layer may cost 3x the 180p one): see
 * Estimate.ts. On the edge link the budget reached 4-6 Mbit/s while ~150 kbit/s went out.
 * On a plainly clear link probes may go to all the allocation wants: there the traffic
 * follows the budget one layer at a time, so each probe was bound to twice the last layer's
 * traffic, and a subscriber on loopback took five probes (10-12 s) to the budget of two
 * 360p videos, three with this.
 */
export const SENT_HEADROOM = 2;

/** While a failed level is remembered, probes go up to this share of it. */
export const CEILING_APPROACH = 0.85;

/**
 * A reading below what is sent lags a link that came back (see Estimate.ts) when the queue
 * stays within LAG_QUEUE_MS of the link's own and nothing was lost nor retransmitted for
 * LAG_CLEAN_MS. After the step-down link came back to 1 Mbit/s, mediasoup read 42-63 kbit/s
 * for 4-8 s while 100-134 kbit/s went out with the queue at 0-11 ms. The edge link's queue
 * reads 0-15 ms for seconds too, and growing on the queue alone took its budget to 330-500
 * kbit/s of 256; but its 2 % random loss is retransmitted every second (a slow video's
 * report alone can miss it: ~15 packets a second).
 */
export const LAG_QUEUE_MS = 15;
export const LAG_CLEAN_MS = 3000;

/** The link is plainly clear (see LAG_QUEUE_MS, LAG_CLEAN_MS): the queue known and within its band, nothing lost for long enough. */
export function plainlyClear(queueMs: number | null, cleanMs: number): boolean {
  return queueMs !== null && queueMs <= LAG_QUEUE_MS && cleanMs >= LAG_CLEAN_MS;
}

/**
 * A queue that stands at least STANDING_QUEUE_MS above the link's own for STANDING_MS, while
 * mediasoup reads below what is sent, is congestion evidence like a full one: the link
 * carries a little less than we send, and the audio waits behind it for good. On the edge
 * link the budget sat at 184 kbit/s for 30 s with the queue 40-95 ms above the link's own
 * and mediasoup reading 68-162 kbit/s while 130-190 went out; playout delay p95 was 823 ms.
 * Its jitter moves single readings by 40 ms; the queue's median of 5 s far less.
 */
export const STANDING_QUEUE_MS = 50;
export const STANDING_MS = 4000;

/**
 * Resends at this share of the packets sent, over a fraction of a second (nackPressure.ts),
 * are an overflowing queue: the budget backs off at once to RESEND_KEEP of what is sent
 * (a queue that overflows this much lets through less than a third), at most once per
 * RESEND_BACKOFF_MS (the receiver keeps asking for what was lost before the back-off for a
 * round trip or more). mediasoup's own reading follows 0.5-1.5 s later, and a confirmed
 * drop lets the budget follow it at once (followMs).
 * An overflowing queue resends more than it sends: when the step-down link fell, the first
 * verdicts read 1.1-1.25 (each lost packet resent up to 5 times). Random loss resends less,
 * but in bursts: the lossy-burst link (5 % loss in bursts of ~3) read up to 0.55 over 30-60
 * packets, with the queue at 8-25 ms, and a threshold of 0.4 took its budget from 1.2
 * Mbit/s to 0.35-0.5 four times in three runs. The edge link (2 % random loss) read at most
 * 0.14. (Packets merely asked for again read up to 0.31 there: see nackPressure.ts.)
 */
export const RESEND_CONGESTION_SHARE = 0.8;
export const RESEND_KEEP = 0.25;
export const RESEND_BACKOFF_MS = 1000;
