// The answer to a caller's SDP offer: one audio codec we speak (PCMA, then PCMU) plus
// telephone-event for the keypad, sent to the address the offer names (and then to where
// packets really come from: we latch). Untrusted input: anything unusable is a reason to
// answer 488, never an exception.
import * as sdpTransform from 'sdp-transform';
import type { G711 } from './g711.js';

export interface Negotiated { codec: G711; payloadType: number; dtmfPayloadType: number | null; remoteIp: string; remotePort: number; ptime: number }

const STATIC: Record<G711, number> = { PCMU: 0, PCMA: 8 };

export function negotiate(offer: string): { ok: true; media: Negotiated } | { ok: false; reason: string } {
  let parsed: sdpTransform.SessionDescription;
  try { parsed = sdpTransform.parse(offer); } catch { return { ok: false, reason: 'unparseable SDP' }; }
  const audio = parsed.media?.find((m) => m.type === 'audio' && m.port > 0);
  if (!audio) return { ok: false, reason: 'no audio stream offered' };
  if (audio.protocol && !/^RTP\/AVP$/i.test(audio.protocol)) return { ok: false, reason: `transport ${audio.protocol} not supported (plain RTP/AVP only)` };
  const ip = audio.connection?.ip ?? parsed.connection?.ip;
  if (!ip || !/^[0-9.]+$/.test(ip)) return { ok: false, reason: 'no IPv4 connection address' };
  const offered = String(audio.payloads ?? '').split(/\s+/).filter(Boolean).map(Number).filter((n) => Number.isInteger(n) && n >= 0 && n < 128);
  const nameOf = (pt: number) => audio.rtp?.find((r) => r.payload === pt)?.codec.toUpperCase() ?? (pt === 0 ? 'PCMU' : pt === 8 ? 'PCMA' : '');
  let chosen: { codec: G711; pt: number } | null = null;
  for (const codec of ['PCMA', 'PCMU'] as const) {
    const pt = offered.find((p) => nameOf(p) === codec && (audio.rtp?.find((r) => r.payload === p)?.rate ?? 8000) === 8000);
    if (pt !== undefined) { chosen = { codec, pt }; break; }
  }
  if (!chosen) return { ok: false, reason: 'no common codec (we speak PCMA and PCMU)' };
  const dtmf = offered.find((p) => nameOf(p) === 'TELEPHONE-EVENT' && (audio.rtp?.find((r) => r.payload === p)?.rate ?? 8000) === 8000);
  const ptime = Number(audio.ptime ?? 20);
  return { ok: true, media: { codec: chosen.codec, payloadType: chosen.pt, dtmfPayloadType: dtmf ?? null, remoteIp: ip, remotePort: audio.port, ptime: ptime === 20 || ptime === 30 || ptime === 40 ? ptime : 20 } };
}

export function answer(m: Negotiated, localIp: string, localPort: number, sessionId: number): string {
  const pts = [m.payloadType, ...(m.dtmfPayloadType !== null ? [m.dtmfPayloadType] : [])];
  return [
    'v=0', `o=thinline ${sessionId} ${sessionId} IN IP4 ${localIp}`, 's=Thinline', `c=IN IP4 ${localIp}`, 't=0 0',
    `m=audio ${localPort} RTP/AVP ${pts.join(' ')}`,
    `a=rtpmap:${m.payloadType} ${m.codec}/8000`,
    ...(m.dtmfPayloadType !== null ? [`a=rtpmap:${m.dtmfPayloadType} telephone-event/8000`, `a=fmtp:${m.dtmfPayloadType} 0-16`] : []),
    'a=ptime:20', 'a=sendrecv', '',
  ].join('\r\n');
}

export { STATIC as STATIC_PAYLOAD_TYPES };
