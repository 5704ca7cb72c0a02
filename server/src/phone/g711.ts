// G.711 A-law and µ-law (ITU-T G.711), the codecs every telephone network speaks.
// Lookup tables for decoding; encoding by the standard segment search (a few ns each).
export type G711 = 'PCMA' | 'PCMU';

function alawToLinear(a: number): number {
  a ^= 0x55;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else { t += 0x108; t <<= seg - 1; }
  return a & 0x80 ? t : -t;
}

function ulawToLinear(u: number): number {
  u = ~u & 0xff;
  let t = ((u & 0x0f) << 3) + 0x84;
  t <<= (u & 0x70) >> 4;
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

const ALAW_DECODE = Int16Array.from({ length: 256 }, (_, i) => alawToLinear(i));
const ULAW_DECODE = Int16Array.from({ length: 256 }, (_, i) => ulawToLinear(i));
const SEG_A_END = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];
const SEG_U_END = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff];

function segment(v: number, ends: number[]): number {
  for (let i = 0; i < 8; i++) if (v <= ends[i]!) return i;
  return 8;
}

function linearToAlaw(pcm: number): number {
  let mask: number;
  let v = pcm >> 3;
  if (v >= 0) mask = 0xd5; else { mask = 0x55; v = -v - 1; }
  const seg = segment(v, SEG_A_END);
  if (seg >= 8) return 0x7f ^ mask;
  let a = seg << 4;
  a |= seg < 2 ? (v >> 1) & 0x0f : (v >> seg) & 0x0f;
  return a ^ mask;
}

function linearToUlaw(pcm: number): number {
  const BIAS = 0x84;
  let mask: number;
  let v = pcm >> 2;
  if (v < 0) { v = -v; mask = 0x7f; } else mask = 0xff;
  if (v > 8159) v = 8159;
  v += BIAS >> 2;
  const seg = segment(v, SEG_U_END);
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << 4) | ((v >> (seg + 1)) & 0x0f)) ^ mask;
}

export function decodeG711(codec: G711, bytes: Uint8Array, out: Int16Array = new Int16Array(bytes.length)): Int16Array {
  const table = codec === 'PCMA' ? ALAW_DECODE : ULAW_DECODE;
  for (let i = 0; i < bytes.length; i++) out[i] = table[bytes[i]!]!;
  return out;
}

export function encodeG711(codec: G711, pcm: Int16Array, out: Uint8Array = new Uint8Array(pcm.length)): Uint8Array {
  const enc = codec === 'PCMA' ? linearToAlaw : linearToUlaw;
  for (let i = 0; i < pcm.length; i++) out[i] = enc(pcm[i]!);
  return out;
}
