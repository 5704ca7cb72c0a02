// Goals: when a subscriber's link has just been found congested, stop what the link can no
// longer carry at once, not when mediasoup gets round to it: the old layer of a video going
// down (cut over) and the resends of audio that arrive too late to be played (flushed).
// Pure decisions; the mediasoup calls are in apply.ts, the rate limits in congestion.ts.
import { RTX_EVIDENCE, RESEND_CONGESTION_SHARE } from './estimateTuning.js';
import type { TrackAllocation } from './types.js';

/**
 * A forwarded video that goes down a spatial layer within this long of confirmed
 * congestion is cut over (paused and resumed at once, see apply.ts) instead of switched.
 * mediasoup keeps forwarding the old layer until the new one's keyframe arrives, and it
 * resends every packet of it the receiver asks for again, once per round trip, for 2 s.
 * When the step-down link fell from 1 Mbit/s to 150 kbit/s the transport sent 1.9-3.7
 * Mbit/s for a second after the budget had followed (allocated: 63-126 kbit/s), the old
 * layers and retransmissions, and the receiver's audio queued behind them. Pausing clears
 * the consumer's retransmission buffer; the keyframe the new layer needs anyway follows.
 */
export const CUT_OVER_MS = 3000;

/**
 * During a retransmission storm (retransmissionStorm) a subscriber's audio consumers drop
 * their resend buffers at most this often (paused and resumed at once, see apply.ts).
 * Chrome asks again for every missing audio packet with each packet that arrives, and
 * mediasoup resends one whenever its last copy is a round trip old (by a round trip from
 * receiver reports that come every ~5 s, so from before the queue filled): after the
 * step-down link fell, 1-4 resent audio packets went out per audio packet for 4 s
 * (314 for 77 in the first 0.8 s after the drop), and the transport sent 170-290 kbit/s
 * into 150 with the video already at its floor. A copy that waits behind a full queue arrives
 * too late to be played anyway.
 */
export const FLUSH_MS = 500;

/** A resend share this recent still shows a retransmission storm (see retransmissionStorm). */
export const RESEND_STORM_MS = 1000;

/** What says a retransmission storm feeds the link (see retransmissionStorm). */
export interface StormSigns {
  /** When congestion was last confirmed (ms). */
  congestedAt: number;
  /** The last share of packets resent on the subscriber's NACKs, and when it was read (nackPressure.ts). */
  resendShare: { share: number; at: number } | null;
  /** Share of what the transport sends that is retransmitted (a 1 s average; null: not known). */
  rtxShare: number | null;
}

/**
 * The link is congested and a retransmission storm feeds it: its audio consumers' resend
 * buffers are worth flushing (see FLUSH_MS).
 */
export function retransmissionStorm(signs: StormSigns, now: number): boolean {
  if (now - signs.congestedAt > CUT_OVER_MS) return false;
  // The resend share (consumer counters, woken by NACKs) is the quicker sign: the
  // transport's retransmission rate is a 1 s average.
  const { resendShare } = signs;
  const nacking = resendShare !== null && now - resendShare.at <= RESEND_STORM_MS && resendShare.share >= RESEND_CONGESTION_SHARE;
  return nacking || (signs.rtxShare ?? 0) >= RTX_EVIDENCE;
}

/**
 * Of the changed decisions, the forwarded videos that go down a spatial layer within
 * CUT_OVER_MS of confirmed congestion: their old layer and its resends must stop at once,
 * not when the new layer's keyframe arrives.
 */
export function cutOverIds(changed: readonly TrackAllocation[], last: ReadonlyMap<string, TrackAllocation>, congestedAt: number, now: number): string[] {
  if (now - congestedAt > CUT_OVER_MS) return [];
  return changed.filter((t) => {
    const before = last.get(t.id)?.target;
    return before && t.target && t.target.spatial < before.spatial;
  }).map((t) => t.id);
}
