// RTP (RFC 3550) headers and telephone-event payloads (RFC 4733), parsed from untrusted
// datagrams: anything malformed is null, never an exception.
export interface RtpPacket { payloadType: number; marker: boolean; seq: number; timestamp: number; ssrc: number; payload: Uint8Array }

export function parseRtp(buf: Uint8Array): RtpPacket | null {
  if (buf.length < 12 || buf[0]! >> 6 !== 2) return null;
  const pt = buf[1]! & 0x7f;
  // With rtcp-mux, RTCP (types 200-204 = 72-76 after masking the marker bit) shares the port.
  if (pt >= 72 && pt <= 76) return null;
  const cc = buf[0]! & 0x0f;
  let offset = 12 + cc * 4;
  if (buf[0]! & 0x10) {
    if (buf.length < offset + 4) return null;
    const words = (buf[offset + 2]! << 8) | buf[offset + 3]!;
    offset += 4 + words * 4;
  }
  let end = buf.length;
  if (buf[0]! & 0x20) {
    const pad = buf[buf.length - 1]!;
    if (pad === 0 || pad > end - offset) return null;
    end -= pad;
  }
  if (offset > end) return null;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return { payloadType: pt, marker: (buf[1]! & 0x80) !== 0, seq: view.getUint16(2), timestamp: view.getUint32(4), ssrc: view.getUint32(8), payload: buf.subarray(offset, end) };
}

export function buildRtp(p: Omit<RtpPacket, 'payload'>, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(12 + payload.length);
  out[0] = 0x80;
  out[1] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
  out.writeUInt16BE(p.seq & 0xffff, 2);
  out.writeUInt32BE(p.timestamp >>> 0, 4);
  out.writeUInt32BE(p.ssrc >>> 0, 8);
  out.set(payload, 12);
  return out;
}

export interface TelephoneEvent { event: number; end: boolean; volume: number; duration: number }

export function parseTelephoneEvent(payload: Uint8Array): TelephoneEvent | null {
  if (payload.length < 4) return null;
  return { event: payload[0]!, end: (payload[1]! & 0x80) !== 0, volume: payload[1]! & 0x3f, duration: (payload[2]! << 8) | payload[3]! };
}

const DIGITS = '0123456789*#ABCD';
/** The keypad key of an RFC 4733 event (0-15), or null for other events. */
export function eventDigit(event: number): string | null { return DIGITS[event] ?? null; }

/**
 * One digit per key press: baresip and sipp send ~12 packets per key (growing duration,
 * then three end packets with the same timestamp). Goals: act once per press, on the first
 * end packet; never twice for the retransmitted end packets; tolerate lost progress
 * packets; and count a repeated key (same recording replayed, same timestamp) again,
 * because its progress packets come in between.
 */
export class DtmfReceiver {
  #lastKey: string | null = null;
  push(p: RtpPacket): string | null {
    const e = parseTelephoneEvent(p.payload);
    if (!e) return null;
    if (!e.end) { this.#lastKey = null; return null; }
    const key = `${p.timestamp}:${e.event}`;
    if (key === this.#lastKey) return null;
    this.#lastKey = key;
    return eventDigit(e.event);
  }
}
