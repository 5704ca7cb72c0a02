// What crosses a bottleneck, by kind: for a bench to see which streams fill a queue and
// which lose packets when a link steps down (audio behind video, resends, RTCP). RTP and
// RTCP headers stay in the clear under SRTP, so the payload type names the stream; the
// bench maps payload types to codecs. Bins of BIN_MS per link direction, the most recent
// MAX_BINS kept (a bounded trace for a long-running shaper).

export const BIN_MS = 100;
const MAX_BINS = 1800;

/** One name per payload type, made once: the shaper classifies every packet. */
const RTP_NAMES = Array.from({ length: 128 }, (_, pt) => `rtp:${pt}`);

/** `rtp:<payload type>`, `rtcp`, or `other` (STUN, DTLS, anything not RTP). */
export function packetClass(packet: Buffer): string {
  if (packet.length < 20 || packet[9] !== 17) return 'other';
  const udp = (packet[0]! & 0x0f) * 4;
  const first = packet[udp + 8];
  const second = packet[udp + 9];
  if (first === undefined || second === undefined || first >> 6 !== 2) return 'other';
  // rtcp-mux (RFC 5761): RTCP packet types 192-223 occupy the marker bit + payload type byte.
  if (second >= 192 && second <= 223) return 'rtcp';
  return RTP_NAMES[second & 0x7f]!;
}

/** Bytes offered to and dropped by a link direction, per class. */
export interface ClassBin { at: number; offered: Record<string, number>; dropped: Record<string, number> }

export class ClassTrace {
  readonly bins: ClassBin[] = [];

  note(cls: string, bytes: number, dropped: boolean, nowEpochMs: number): void {
    const at = Math.floor(nowEpochMs / BIN_MS) * BIN_MS;
    let bin = this.bins.at(-1);
    if (!bin || bin.at !== at) {
      bin = { at, offered: {}, dropped: {} };
      this.bins.push(bin);
      if (this.bins.length > MAX_BINS) this.bins.shift();
    }
    bin.offered[cls] = (bin.offered[cls] ?? 0) + bytes;
    if (dropped) bin.dropped[cls] = (bin.dropped[cls] ?? 0) + bytes;
  }
}
