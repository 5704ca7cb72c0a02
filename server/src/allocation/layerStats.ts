// Turns mediasoup producer stats into the allocator's [spatial][temporal] bitrate matrix.
// Simulcast: one stream per spatial layer (ordered as the encodings), each with
// bitrateByLayer "0.t" (cumulative over temporal layers). SVC: one stream whose
// bitrateByLayer has "s.t" keys, cumulative over all lower layers.
import { simulcastLayers } from '../../../protocol/index.js';
import { defaultMatrix } from './layers.js';

export interface StreamStat { ssrc?: number; rid?: string; bitrate?: number; bitrateByLayer?: Record<string, number> }
export interface EncodingInfo { ssrc?: number; rid?: string; scalabilityMode?: string; scaleResolutionDownBy?: number }

/** Spatial and temporal layer counts from the encodings (e.g. 3 x L1T3, or one L3T3_KEY). */
export function layerCounts(encodings: readonly EncodingInfo[]): { spatial: number; temporal: number } {
  const mode = /^L(\d)T(\d)/.exec(encodings[0]?.scalabilityMode ?? '');
  const sInMode = mode ? Number(mode[1]) : 1;
  const temporal = mode ? Number(mode[2]) : 1;
  return { spatial: encodings.length > 1 ? encodings.length : sInMode, temporal };
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
    const stat = stats.find((x) => (enc.rid !== undefined && x.rid === enc.rid) || (enc.ssrc !== undefined && x.ssrc === enc.ssrc));
    if (!stat) return;
    for (let t = 0; t < temporal; t++) {
      matrix[s]![t] = stat.bitrateByLayer ? (stat.bitrateByLayer[`0.${t}`] ?? 0) : t === temporal - 1 ? (stat.bitrate ?? 0) : 0;
    }
  });
  return matrix;
}

/** Frame height of each spatial layer, from the source height and the encodings' scaling. */
export function layerHeights(encodings: readonly EncodingInfo[], sourceHeight: number): number[] {
  const { spatial } = layerCounts(encodings);
  // The sender re-scales its encodings the same way when its ladder shrinks the picture.
  if (encodings.length > 1) return simulcastLayers(sourceHeight, encodings.map((e) => e.scaleResolutionDownBy ?? 1)).map((l) => l.height);
  return Array.from({ length: spatial }, (_, s) => Math.round(sourceHeight / 2 ** (spatial - 1 - s)));
}
