// Goals: a video that stops decoding while its packets still arrive is stuck on a loss
// the NACKs did not repair (seen on the edge bench: frames stuck for 3.5 s until the
// browser's own 3 s timeout asked for a keyframe). We ask for one after STALL_MS instead.
// Not stuck: a paused or silent stream (no packets), or one that never decoded yet (the
// SFU requests the first keyframe itself). Pure: stats rows in, track ids to repair out.
export const STALL_MS = 350;
/** At most one request per track this often (the server limits it too). */
export const RETRY_MS = 1000;

export interface InboundVideo { trackId: string; packets: number; frames: number }

interface Seen { frames: number; packets: number; framesAt: number; askedAt: number }

export class StallWatch {
  readonly #seen = new Map<string, Seen>();

  /** Feeds one stats sample; returns the tracks to ask a keyframe for now. */
  check(rows: readonly InboundVideo[], now: number): string[] {
    const out: string[] = [];
    const present = new Set<string>();
    for (const r of rows) {
      present.add(r.trackId);
      const s = this.#seen.get(r.trackId);
      if (!s || r.frames !== s.frames) {
        this.#seen.set(r.trackId, { frames: r.frames, packets: r.packets, framesAt: now, askedAt: s?.askedAt ?? -Infinity });
        continue;
      }
      const stuck = r.frames > 0 && r.packets > s.packets && now - s.framesAt >= STALL_MS;
      if (stuck && now - s.askedAt >= RETRY_MS) { s.askedAt = now; out.push(r.trackId); }
    }
    for (const id of this.#seen.keys()) if (!present.has(id)) this.#seen.delete(id);
    return out;
  }
}

/** inbound-rtp video rows of an RTCStatsReport. */
export function inboundVideo(report: RTCStatsReport): InboundVideo[] {
  const rows: InboundVideo[] = [];
  report.forEach((s: { type?: string; kind?: string; trackIdentifier?: string; packetsReceived?: number; framesDecoded?: number }) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video' && s.trackIdentifier) rows.push({ trackId: s.trackIdentifier, packets: s.packetsReceived ?? 0, frames: s.framesDecoded ?? 0 });
  });
  return rows;
}
