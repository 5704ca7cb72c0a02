// Layer arithmetic: which layers exist, what a tile needs, and what each costs.
import type { BitrateMatrix, Layer, PausedReason, TrackInput } from './types.js';

/** When nothing was measured yet: the sender's configured maxima split over T0..T2. */
export const DEFAULT_SIMULCAST_BPS = [60_000, 300_000, 900_000];
const TEMPORAL_SHARE = [0.5, 0.75, 1];

export function defaultMatrix(spatialLayers: number, temporalLayers: number): number[][] {
  return Array.from({ length: spatialLayers }, (_, s) =>
    Array.from({ length: temporalLayers }, (_, t) => Math.round((DEFAULT_SIMULCAST_BPS[s] ?? 900_000) * (TEMPORAL_SHARE[t] ?? 1))));
}

/**
 * The least a camera layer of this height is taken to cost, per temporal layer (top = the
 * full frame rate). Measured rates under-price a layer while its sender ramps up: a
 * sender's first seconds read 4-7 kbit/s for a 180p layer that settled at 190-340 kbit/s,
 * and the edge bench's first allocation gave a 256 kbit/s subscriber two 180p videos on a
 * 70 kbit/s budget. A real picture may send less (a still scene): then it is merely priced
 * on the safe side. 45 kbit/s at 90p, growing with the picture (119 at 180p, 314 at 360p,
 * 827 at 720p: below what the bench's cameras settle at, 62 / 190-340 kbit/s at 90p / 180p).
 */
export function costFloorBps(height: number, temporal: number, temporalLayers: number): number {
  return Math.round(floorTop(height) * (FLOOR_TEMPORAL_SHARE[temporalLayers - 1 - temporal] ?? FLOOR_TEMPORAL_SHARE.at(-1)!));
}
/**
 * `fn` computed once per height (the allocator runs per subscriber per tick). Bounded: a
 * layer's height is an integer up to the protocol's 4320.
 */
function perHeight(fn: (height: number) => number): (height: number) => number {
  const cache = new Map<number, number>();
  return (height) => {
    let value = cache.get(height);
    if (value === undefined) cache.set(height, value = fn(height));
    return value;
  };
}
const floorTop = perHeight((height) => 45_000 * Math.max(0, height / 90) ** 1.4);
/** Share of the top rate by temporal layers below the top (measured: 0.4 / 0.6 / 1). */
const FLOOR_TEMPORAL_SHARE = [1, 0.6, 0.4];

/** A camera's bitrates, each received layer at least its floor (screen shares as measured). */
export function withCostFloors(track: TrackInput): TrackInput {
  if (track.source !== 'camera') return track;
  const below = (bps: number, s: number, t: number, n: number) => bps > 0 && bps < costFloorBps(track.layerHeights[s] ?? 0, t, n);
  // Settled senders are above their floors: no copy then.
  if (!track.bitrates.some((row, s) => row.some((bps, t) => below(bps, s, t, row.length)))) return track;
  const bitrates = track.bitrates.map((row, s) => row.map((bps, t) =>
    below(bps, s, t, row.length) ? costFloorBps(track.layerHeights[s] ?? 0, t, row.length) : bps));
  return { ...track, bitrates };
}

/**
 * Bits of a camera keyframe of this height (VP8, 16:9), roughly: 3 KB at 90p, 8.5 at 180p,
 * 24 at 360p, 68 at 720p (grows with pixels^0.75: larger pictures compress better).
 */
export const keyframeBits = perHeight((height) => 18.3 * (height * height * (16 / 9)) ** 0.75);

/**
 * mediasoup forwards a keyframe as it arrives, unpaced: it queues at the subscriber's
 * bottleneck, and the audio behind it waits. A spatial layer is worth forwarding only if
 * its keyframe drains within this at the subscriber's link rate (a 180p keyframe takes
 * ~270 ms at 256 kbit/s, and each one pushed the edge bench's audio jitter buffer to
 * 450-800 ms, which Chrome then took 20-30 s to drain).
 */
export const KEYFRAME_MAX_MS = 250;

/** The link rate that drains a keyframe of this height within KEYFRAME_MAX_MS. */
export function keyframeLinkBps(height: number): number {
  return keyframeBits(height) / (KEYFRAME_MAX_MS / 1000);
}

export function keyframeFits(height: number, linkBps: number): boolean {
  return keyframeLinkBps(height) <= linkBps;
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
 * with its highest received temporal layer, and none whose keyframe `linkBps` cannot
 * drain in time (see KEYFRAME_MAX_MS). Screen shares always get full resolution: text
 * must stay readable, whatever the tile size.
 */
export function maxLayerForTile(track: TrackInput, linkBps?: number): Layer | null {
  const layers = availableLayers(track.bitrates);
  if (layers.length === 0) return null;
  let spatials = [...new Set(layers.map((l) => l.spatial))];
  // On a narrow link, only layers whose keyframe the link drains in time (the lowest stays).
  if (track.source === 'camera' && linkBps !== undefined) {
    const fitting = spatials.filter((s) => keyframeFits(track.layerHeights[s] ?? Infinity, linkBps));
    spatials = fitting.length > 0 ? fitting : spatials.slice(0, 1);
  }
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
