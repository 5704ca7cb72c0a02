// Goals: an allocation that changes only when it must. Each switch of layer and each
// resume costs a keyframe (10-15 KB at 180p: half a second of a 256 kbit/s link, with the
// audio queued behind it), so flapping on a noisy estimate does more harm than the better
// picture is worth. Down at once: a decision the budget no longer covers is congestion.
// Up only with margin and not too often: the higher layer must fit `safe` (the allocation
// for a budget with margin to spare) and not before the track's `upAllowedAt` (a while
// after its last change: long after a step down, shortly after a step up, since climbing
// back after congestion is no flapping).
// Everything that is not about bandwidth (hidden, Last-N, the producer paused) follows at once.
// When the budget shows fewer videos than there are, the new active speaker's video takes
// the place of one the priority order no longer shows, but only once both have been
// unchanged for SWAP_DWELL_MS: a debate switches speakers every few seconds, and each swap
// costs a keyframe and one change for each of the two consumers.
import { compareLayers, cost } from './layers.js';
import type { Allocation, Layer, TrackAllocation, TrackInput } from './types.js';

export interface StabilizeInput {
  /** The allocation for the whole budget. */
  fresh: Allocation;
  /** The allocation for the budget with the upgrade margin taken off. */
  safe: Allocation;
  tracks: readonly TrackInput[];
  last: ReadonlyMap<string, TrackAllocation>;
  /** From when each track may go up again (absent: at once). */
  upAllowedAt: ReadonlyMap<string, number>;
  /** When each track's layer or pause last changed (absent: never). */
  changedAt?: ReadonlyMap<string, number>;
  now: number;
}

/** -1 for paused, so that a pause sorts below every layer. */
export function order(a: Layer | null, b: Layer | null): number {
  if (a === null || b === null) return (a === null ? -1 : 0) - (b === null ? -1 : 0);
  return compareLayers(a, b);
}

/**
 * Kept decisions may exceed the budget by this factor before anything is forced down: a
 * layer's measured rate jumps with each keyframe, and a budget is an estimate with the
 * audio reserve as margin. (Up needs 15 % to spare, so the band is 0.85-1.1.)
 */
export const DOWN_TOLERANCE = 1.1;

/** A swap for priority (see above) waits until both tracks are unchanged this long. */
export const SWAP_DWELL_MS = 10_000;

const aboutBandwidth = (t: TrackAllocation) => t.pausedReason === null || t.pausedReason === 'bandwidth';

export function stabilize(i: StabilizeInput): Allocation {
  const safe = new Map(i.safe.tracks.map((t) => [t.id, t]));
  const inputs = new Map(i.tracks.map((t) => [t.id, t]));
  const costOf = (id: string, target: Layer | null) => { const input = inputs.get(id); return target && input ? cost(input.bitrates, target) : 0; };
  const keep = (f: TrackAllocation, target: Layer | null): TrackAllocation => ({
    ...f, target, pausedReason: target ? null : 'bandwidth', bandwidthRequested: costOf(f.id, target),
    deficient: target === null || f.max === null || compareLayers(target, f.max) < 0,
  });
  // 1. Keep every bandwidth decision as it was, where it still makes sense.
  let tracks = i.fresh.tracks.map((f): TrackAllocation => {
    const prev = i.last.get(f.id);
    const s = safe.get(f.id) ?? f;
    if (!aboutBandwidth(f)) return f;
    // A new track (or one coming back from hidden/Last-N) starts with margin to spare.
    if (!prev || !aboutBandwidth(prev)) return s.target ? s : f;
    if (prev.target === null) return keep(f, null);
    // The kept layer must still exist (a sender that stepped down stops sending it) and
    // not exceed what the tile can show now (a smaller tile is not about bandwidth).
    if (costOf(f.id, prev.target) <= 0 || f.max === null || compareLayers(prev.target, f.max) > 0) return f;
    return keep(f, prev.target);
  });
  const sum = (ts: TrackAllocation[]) => ts.reduce((x, t) => x + t.bandwidthRequested, 0);
  // What the allocator allows: the budget, or more where the first video's floor applies.
  const budget = Math.max(i.fresh.budget, i.fresh.used);
  if (sum(tracks) > budget * DOWN_TOLERANCE) {
    // 2. Congestion: down at once to the plain allocation where it is lower.
    tracks = tracks.map((t, k) => { const f = i.fresh.tracks[k]!; return order(f.target, t.target) < 0 ? f : t; });
    if (sum(tracks) > budget) return i.fresh;
  } else {
    // 3. Room to spare: calm tracks go up to their share of the allocation with margin
    //    (all of them or none: together they must fit the budget itself).
    const up = tracks.map((t) => {
      const s = safe.get(t.id);
      const calm = i.now >= (i.upAllowedAt.get(t.id) ?? -Infinity);
      if (!s || !calm || !i.last.has(t.id) || order(s.target, t.target) <= 0) return t;
      return { ...s, rank: t.rank, max: t.max };
    });
    if (sum(up) <= budget) tracks = up;
    tracks = swapForPriority(i, tracks, safe, budget, keep);
  }
  return { tracks, budget: i.fresh.budget, used: sum(tracks) };
}

/**
 * Paused tracks that the allocation with margin shows (it follows the priority order) take
 * the place of flowing tracks it does not, all of them or none, each unchanged for
 * SWAP_DWELL_MS, within the budget.
 */
function swapForPriority(
  i: StabilizeInput, tracks: TrackAllocation[], safe: ReadonlyMap<string, TrackAllocation>, budget: number,
  keep: (f: TrackAllocation, target: Layer | null) => TrackAllocation,
): TrackAllocation[] {
  const settled = (id: string) => i.now - (i.changedAt?.get(id) ?? -Infinity) >= SWAP_DWELL_MS;
  const shows = (t: TrackAllocation) => (safe.get(t.id)?.target ?? null) !== null;
  const calm = (t: TrackAllocation) => i.now >= (i.upAllowedAt.get(t.id) ?? -Infinity) && settled(t.id);
  const wanted = (t: TrackAllocation) => t.target === null && t.pausedReason === 'bandwidth' && shows(t) && calm(t);
  const displaced = (t: TrackAllocation) => t.target !== null && !shows(t) && settled(t.id);
  if (!tracks.some(wanted) || !tracks.some(displaced)) return tracks;
  const swapped = tracks.map((t) => wanted(t) ? { ...safe.get(t.id)!, rank: t.rank, max: t.max } : displaced(t) ? keep(t, null) : t);
  return swapped.reduce((x, t) => x + t.bandwidthRequested, 0) <= budget ? swapped : tracks;
}
