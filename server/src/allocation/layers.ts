// Layer arithmetic: which layers exist, what a tile needs, and what each costs.
import type { BitrateMatrix, Layer, PausedReason, TrackInput } from './types.js';

/** When nothing was measured yet: the sender's configured maxima split over T0..T2. */
export const DEFAULT_SIMULCAST_BPS = [60_000, 300_000, 900_000];
const TEMPORAL_SHARE = [0.5, 0.75, 1];

export function defaultMatrix(spatialLayers: number, temporalLayers: number): number[][] {
  return Array.from({ length: spatialLayers }, (_, s) =>
    Array.from({ length: temporalLayers }, (_, t) => Math.round((DEFAULT_SIMULCAST_BPS[s] ?? 900_000) * (TEMPORAL_SHARE[t] ?? 1))));
}

export function cost(bitrates: BitrateMatrix, layer: Layer): number {
  return bitrates[layer.spatial]?.[layer.temporal] ?? 0;
}

export function compareLayers(a: Layer, b: Layer): number {
  return a.spatial - b.spatial || a.temporal - b.temporal;
}

/** Layers being received, lowest first (spatial-major). */
export function availableLayers(bitrates: BitrateMatrix): Layer[] {
  const out: Layer[] = [];
  bitrates.forEach((row, spatial) => row.forEach((bps, temporal) => { if (bps > 0) out.push({ spatial, temporal }); }));
  return out;
}

/**
 * The highest layer worth sending to this tile: the smallest spatial layer at least as
 * tall as the tile (10 % slack: upscaling 5 % is invisible, doubling the bitrate is not),
 * with its highest received temporal layer. Screen shares always get full resolution:
 * text must stay readable, whatever the tile size.
 */
export function maxLayerForTile(track: TrackInput): Layer | null {
  const layers = availableLayers(track.bitrates);
  if (layers.length === 0) return null;
  const spatials = [...new Set(layers.map((l) => l.spatial))];
  let spatial = spatials[spatials.length - 1]!;
  if (track.source === 'camera' && track.tileHeight !== null) {
    const fits = spatials.find((s) => (track.layerHeights[s] ?? Infinity) >= track.tileHeight! * 0.9);
    // Nothing is tall enough: the tallest, and of equal ones (a rescaled sender) the cheapest.
    spatial = fits ?? lowestTallest(track.layerHeights, spatials);
  }
  const temporal = Math.max(...layers.filter((l) => l.spatial === spatial).map((l) => l.temporal));
  return { spatial, temporal };
}

/** Steps from the lowest layer up to `max`, cheapest first. */
export function ladder(bitrates: BitrateMatrix, max: Layer): Layer[] {
  return availableLayers(bitrates)
    .filter((l) => compareLayers(l, max) <= 0)
    .sort((a, b) => cost(bitrates, a) - cost(bitrates, b) || compareLayers(a, b));
}

/**
 * Dynacast: the highest spatial layer this subscriber needs the sender to encode, or null.
 * Decided from the tile and layer sizes, not from what is being received: a layer the
 * sender switched off must be wanted again when a tile needs it (else nothing restarts it).
 */
export function dynacastWants(track: TrackInput, reason: PausedReason | null, producerPaused: boolean): number | null {
  if (producerPaused || reason === 'hidden' || reason === 'lastN') return null;
  if (track.source !== 'camera') return track.layerHeights.length - 1;
  const all = track.layerHeights.map((_, i) => i);
  // Of layers of equal height (a sender scaled down so far that layers coincide), only the
  // lowest is wanted: dynacast switches the duplicates off.
  const top = lowestTallest(track.layerHeights, all);
  if (track.tileHeight === null) return top;
  const fit = track.layerHeights.findIndex((h) => h >= track.tileHeight! * 0.9);
  return fit >= 0 ? fit : top;
}

/** Among `spatials`, the lowest index whose layer is as tall as the tallest of them. */
function lowestTallest(heights: readonly number[], spatials: number[]): number {
  if (heights.length === 0) return spatials[spatials.length - 1]!;
  const max = Math.max(...spatials.map((s) => heights[s] ?? 0));
  return spatials.find((s) => (heights[s] ?? 0) === max) ?? spatials[spatials.length - 1]!;
}
