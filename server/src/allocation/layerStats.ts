// Turns mediasoup producer stats into the allocator's [spatial][temporal] bitrate matrix.
// Simulcast: one stream per spatial layer (ordered as the encodings), each with
// bitrateByLayer "0.t" (cumulative over temporal layers). SVC: one stream whose
// bitrateByLayer has "s.t" keys, cumulative over all lower layers.
import { simulcastLayers } from '../../../protocol/index.js';
import { defaultMatrix } from './layers.js';

export interface StreamStat { ssrc?: number; rid?: string; bitrate?: number; bitrateByLayer?: Record<string, number>; packetCount?: number }
export interface EncodingInfo { ssrc?: number; rid?: string; scalabilityMode?: string; scaleResolutionDownBy?: number }

/** Spatial and temporal layer counts from the encodings (e.g. 3 x L1T3, or one L3T3_KEY). */
export function layerCounts(encodings: readonly EncodingInfo[]): { spatial: number; temporal: number } {
  const mode = /^L(\d)T(\d)/.exec(encodings[0]?.scalabilityMode ?? '');
  const sInMode = mode ? Number(mode[1]) : 1;
  const temporal = mode ? Number(mode[2]) : 1;
  return { spatial: encodings.length > 1 ? encodings.length : sInMode, temporal };
}

/** The stats of an encoding's stream: by rid where the sender uses rids, else by ssrc. */
function streamOf(enc: EncodingInfo, stats: readonly StreamStat[]): StreamStat | undefined {
  return stats.find((x) => (enc.rid !== undefined && x.rid === enc.rid) || (enc.ssrc !== undefined && x.ssrc === enc.ssrc));
}

export function bitrateMatrix(encodings: readonly EncodingInfo[], stats: readonly StreamStat[]): number[][] {
  const { spatial, temporal } = layerCounts(encodings);
  if (stats.length === 0) return defaultMatrix(spatial, temporal);
  const matrix = Array.from({ length: spatial }, () => new Array<number>(temporal).fill(0));
  if (encodings.length <= 1 && spatial > 1) {
    // SVC: a single stream carries every layer.
    const byLayer = stats[0]?.bitrateByLayer ?? {};
    for (let s = 0; s < spatial; s++) for (let t = 0; t < temporal; t++) matrix[s]![t] = byLayer[`${s}.${t}`] ?? 0;
    return matrix;
  }
  encodings.forEach((enc, s) => {
    if (s >= spatial) return;
    const stat = streamOf(enc, stats);
    if (!stat) return;
    for (let t = 0; t < temporal; t++) {
      matrix[s]![t] = stat.bitrateByLayer ? (stat.bitrateByLayer[`0.${t}`] ?? 0) : t === temporal - 1 ? (stat.bitrate ?? 0) : 0;
    }
  });
  return matrix;
}

/** Packet counts per simulcast stream (by rid or ssrc), and when they were read. */
export interface PacketCounts { at: number; counts: ReadonlyMap<string, number> }
/** A stream counts as stopped only over at least this long (a slow layer sends a few packets a second). */
export const STOPPED_MIN_MS = 800;

/**
 * A simulcast layer whose stream received no packet over the last STOPPED_MIN_MS or more,
 * while another layer of the same sender did, reads 0: the sender stopped it (lossy-burst-3:
 * the lossy sender's browser dropped its 180p layer), and mediasoup counts a stream's
 * bitrate over 2.5 s (RtpDataCounter), so receivers froze for up to 2.5 s on a layer that no
 * longer came before anything moved them to the one still sent.
 * `history` holds earlier counts, oldest first; the window is a sliding one: it compares
 * with the newest counts at least STOPPED_MIN_MS old, so a producer measured every 500 ms
 * is judged 0.8-1.3 s after its layer stopped (comparing with the previous measurement
 * only, once a second, took 1-2 s, and the receivers' freeze lasted that long).
 * Returns the matrix and the history to pass next time (this measurement included).
 */
export function withStoppedLayers(
  matrix: number[][], encodings: readonly EncodingInfo[], stats: readonly StreamStat[], history: readonly PacketCounts[], now: number,
): { matrix: number[][]; history: PacketCounts[] } {
  if (encodings.length <= 1) return { matrix, history: [] };
  const keyOf = (enc: EncodingInfo) => enc.rid ?? (enc.ssrc !== undefined ? String(enc.ssrc) : undefined);
  const counts = new Map<string, number>();
  for (const enc of encodings) {
    const key = keyOf(enc);
    const packets = streamOf(enc, stats)?.packetCount;
    if (key !== undefined && packets !== undefined) counts.set(key, packets);
  }
  const ref = history.findLast((h) => now - h.at >= STOPPED_MIN_MS);
  // What is older than the reference is no longer needed.
  const next = [...history.filter((h) => ref === undefined || h.at >= ref.at), { at: now, counts }];
  if (!ref) return { matrix, history: next };
  const grew: boolean[] = encodings.map((enc) => {
    const key = keyOf(enc);
    const packets = key === undefined ? undefined : counts.get(key);
    const before = key === undefined ? undefined : ref.counts.get(key);
    return packets === undefined || before === undefined || packets > before;
  });
  // Nothing of the sender arrives at all (a stalled or paused sender): not a dropped layer.
  if (!grew.some((g, s) => g && (matrix[s]?.some((bps) => bps > 0) ?? false))) return { matrix, history: next };
  return { matrix: matrix.map((row, s) => (grew[s] ? row : row.map(() => 0))), history: next };
}

/** Frame height of each spatial layer, from the source height and the encodings' scaling. */
export function layerHeights(encodings: readonly EncodingInfo[], sourceHeight: number): number[] {
  const { spatial } = layerCounts(encodings);
  // The sender re-scales its encodings the same way when its ladder shrinks the picture.
  if (encodings.length > 1) return simulcastLayers(sourceHeight, encodings.map((e) => e.scaleResolutionDownBy ?? 1)).map((l) => l.height);
  return Array.from({ length: spatial }, (_, s) => Math.round(sourceHeight / 2 ** (spatial - 1 - s)));
}
