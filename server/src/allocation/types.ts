// Plain values in and out of the layer allocator. No mediasoup types here: the allocator
// is pure arithmetic over these, so it is tested with tables.

export interface Layer { spatial: number; temporal: number }

/**
 * Measured bitrate (bps) to forward a layer: matrix[spatial][temporal], cumulative over
 * temporal layers (forwarding T2 includes T0 and T1). 0 means "not being received".
 */
export type BitrateMatrix = readonly (readonly number[])[];

export type PausedReason = 'producer' | 'hidden' | 'lastN' | 'bandwidth';

export interface TrackInput {
  id: string;
  source: 'camera' | 'screen';
  bitrates: BitrateMatrix;
  /** Frame height of each spatial layer at full resolution (e.g. [180, 360, 720]). */
  layerHeights: readonly number[];
  /** Rendered tile height in device pixels; null while the client has not reported. */
  tileHeight: number | null;
  visible: boolean;
  pinned: boolean;
  /** The room's active speaker. */
  speaking: boolean;
  /** When this track's owner last spoke (ms); 0 = never. Recent speakers rank higher. */
  lastSpokeAt: number;
  producerPaused: boolean;
}

export interface AllocationInput {
  /** Bits per second available for video to this subscriber (audio already subtracted). */
  budget: number;
  /** At most this many videos are forwarded. */
  lastN: number;
  tracks: readonly TrackInput[];
  /**
   * The first video in priority order keeps its cheapest layer even beyond the budget when
   * that layer costs at most this much (0: no such floor). See SubscriberAllocator.
   */
  floorBps?: number;
  /** The subscriber's whole downlink budget, audio included: see KEYFRAME_MAX_MS (absent: no limit). */
  linkBps?: number;
}

export interface TrackAllocation {
  id: string;
  /** The layer to forward, or null when paused. */
  target: Layer | null;
  /** The best layer this tile could use (what we would send with unlimited bandwidth). */
  max: Layer | null;
  pausedReason: PausedReason | null;
  bandwidthRequested: number;
  /** Got less than `max` because of the budget. */
  deficient: boolean;
  /** 0 = most important. */
  rank: number;
}

export interface Allocation {
  tracks: TrackAllocation[];
  budget: number;
  used: number;
}

/** What a subscriber's budget was decided from (server metrics; the bench plots it). */
export interface EstimateTrace {
  readingBps: number | null; sentBps: number | null; queueMs: number | null; failedLevelBps: number | null; holdMs: number;
  /** The last RTT reading and the link's own RTT (ms; queueing.ts). */
  rttMs: number | null; baseRttMs: number | null;
  /** The link rate the keyframe limit allows (keyframeLink.ts), and how long the link has been clean (ms). */
  keyframeLinkBps: number; cleanMs: number;
  /** How many times mediasoup was asked to probe the link (linkProbe.ts). */
  linkProbes: number;
  /** Share of what goes out that is retransmitted (null: not known). */
  rtxShare: number | null;
  /** NACK packets the subscriber sent so far, per kind of consumer (mediasoup's trace). */
  nacks: { video: number; audio: number };
  /** The last share of packets sent that were resent on its NACKs (nackPressure.ts; null: none measured). */
  resendShare: number | null;
}
