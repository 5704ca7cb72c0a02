// Goals: a video that stops decoding while its packets still arrive is stuck on a loss
// the NACKs did not repair (seen on the edge bench: frames stuck for 3.5 s until the
// browser's own 3 s timeout asked for a keyframe). We ask for one sooner.
// - Progress is a frame assembled (framesReceived), where the browser reports it: assembled
//   frames wait in the jitter buffer before they decode, so decoding stops a jitter buffer
//   later than assembly (on lossy-burst-3, 200-400 ms later).
// - How long is too long: never before the stream is late by WebRTC's own freeze rule for
//   its measured frame rate (3 frame intervals, at least the interval + 150 ms). The
//   step-down subscriber's videos ran at 3-5 frames/s at their lowest layer, and a fixed
//   350 ms asked for a keyframe every second into its 150 kbit/s link. After a loss (a NACK
//   went out since the last frame) from 200 ms, or a round trip + 50 ms for the NACK's
//   answer (at most 350 ms): on lossy-burst-3 the stuck frames followed a loss whose
//   retransmissions had arrived; the NACKs had stopped and only a keyframe helped, and
//   waiting a fixed 350 ms (plus the jitter buffer) made the freezes 0.9-1.3 s. Without a
//   loss from 350 ms: a large frame may be in transit (a 180p keyframe holds a 256 kbit/s
//   link for ~300 ms), and a needless request makes the sender send a keyframe to everybody.
// Not stuck: a paused or silent stream (no packets lately), or one that never decoded yet (the
// SFU requests the first keyframe itself). Pure: stats rows in, track ids to repair out.
export const STALL_MS = 350;
/** After a loss: never sooner than this ... */
export const STALL_MIN_MS = 200;
/** ... nor than a round trip plus this (the NACK's answer). */
export const NACK_SLACK_MS = 50;
/** At most one request per track this often (the server limits it too). */
export const RETRY_MS = 1000;
/** A longer gap between frames is a pause or a freeze, not the stream's frame rate. */
const MAX_INTERVAL_MS = 500;
/** Weight of a new frame interval in the smoothed one. */
const INTERVAL_WEIGHT = 0.25;

export interface InboundVideo {
  trackId: string;
  packets: number;
  /** Frames decoded. */
  frames: number;
  /** Frames assembled (framesReceived); progress is measured on these where known. */
  assembled?: number;
  /** NACK packets sent (nackCount). */
  nacks?: number;
}

interface Seen {
  mark: number; markAt: number; nacks: number; askedAt: number; intervalMs: number | null;
  /** The packet count last seen, and when it last grew (packets since the frame: packetsAt > markAt). */
  packets: number; packetsAt: number;
}

export class StallWatch {
  readonly #seen = new Map<string, Seen>();

  /**
   * Feeds one stats sample (and the path's round trip, where known); returns the tracks to
   * ask a keyframe for now.
   */
  check(rows: readonly InboundVideo[], now: number, rttMs: number | null = null): string[] {
    const out: string[] = [];
    const present = new Set<string>();
    for (const r of rows) {
      present.add(r.trackId);
      const mark = r.assembled ?? r.frames;
      const s = this.#seen.get(r.trackId);
      if (!s || mark !== s.mark) {
        this.#seen.set(r.trackId, {
          mark, markAt: now, nacks: r.nacks ?? 0, askedAt: s?.askedAt ?? -Infinity,
          intervalMs: s ? smoothInterval(s, mark, now) : null, packets: r.packets, packetsAt: now,
        });
        continue;
      }
      if (r.packets > s.packets) { s.packets = r.packets; s.packetsAt = now; }
      const wait = stuckAfterMs(s.intervalMs, rttMs, (r.nacks ?? 0) > s.nacks);
      // Packets arrived since the last frame, and still arrive: a stream that stopped (paused)
      // after part of a frame is not stuck; asking for it every second was.
      const flowing = s.packetsAt > s.markAt && now - s.packetsAt < wait;
      const stuck = r.frames > 0 && flowing && now - s.markAt >= wait;
      if (stuck && now - s.askedAt >= RETRY_MS) { s.askedAt = now; out.push(r.trackId); }
    }
    for (const id of this.#seen.keys()) if (!present.has(id)) this.#seen.delete(id);
    return out;
  }
}

/**
 * How long without a frame means stuck (see the goals above): never before the stream is
 * late by WebRTC's freeze rule for its frame rate; after a loss from STALL_MIN_MS or a
 * round trip + NACK_SLACK_MS (at most STALL_MS), without one from STALL_MS.
 */
export function stuckAfterMs(intervalMs: number | null, rttMs: number | null, lost: boolean): number {
  // A rate not known yet (a new or resumed stream): no sooner than without a loss.
  const freeze = intervalMs === null ? STALL_MS : Math.max(3 * intervalMs, intervalMs + 150);
  const base = lost ? Math.max(STALL_MIN_MS, Math.min(STALL_MS, (rttMs ?? 0) + NACK_SLACK_MS)) : STALL_MS;
  return Math.max(base, freeze);
}

function smoothInterval(s: Seen, mark: number, now: number): number | null {
  const frames = mark - s.mark;
  // A reset counter (a new stream), a first frame, or frames after a pause or a freeze say
  // nothing about the rate.
  if (frames <= 0 || s.mark === 0) return s.intervalMs;
  const sample = (now - s.markAt) / frames;
  if (sample > MAX_INTERVAL_MS) return s.intervalMs;
  return s.intervalMs === null ? sample : s.intervalMs + INTERVAL_WEIGHT * (sample - s.intervalMs);
}

/** inbound-rtp video rows of an RTCStatsReport. */
export function inboundVideo(report: RTCStatsReport): InboundVideo[] {
  const rows: InboundVideo[] = [];
  report.forEach((s: { type?: string; kind?: string; trackIdentifier?: string; packetsReceived?: number; framesDecoded?: number; framesReceived?: number; nackCount?: number }) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video' && s.trackIdentifier) {
      rows.push({ trackId: s.trackIdentifier, packets: s.packetsReceived ?? 0, frames: s.framesDecoded ?? 0, assembled: s.framesReceived, nacks: s.nackCount });
    }
  });
  return rows;
}

/** The selected candidate pair's round trip (ms), or null. */
export function pathRttMs(report: RTCStatsReport): number | null {
  let rtt: number | null = null;
  report.forEach((s: { type?: string; nominated?: boolean; state?: string; currentRoundTripTime?: number }) => {
    if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded' && typeof s.currentRoundTripTime === 'number') rtt = s.currentRoundTripTime * 1000;
  });
  return rtt;
}
