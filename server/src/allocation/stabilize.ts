// Goals: an allocation that changes only when it must. Each switch of layer and each
// resume costs a keyframe (10-15 KB at 180p: half a second of a 256 kbit/s link, with the
// audio queued behind it), so flapping on a noisy estimate does more harm than the better
// picture is worth. Down at once: a decision the budget no longer covers is congestion.
// Up only with margin and not too often: the higher layer must fit `safe` (the allocation
// for a budget with margin to spare) and not before the track's `upAllowedAt` (a while
// after its last change: long after a step down, shortly after a step up, since climbing
// back after congestion is no flapping).
// Everything that is not about bandwidth (hidden, Last-N, the producer paused) follows at once.
import { compareLayers, cost, ladder } from './layers.js';
import type { Allocation, Layer, TrackAllocation, TrackInput } from './types.js';

/** Upgrades need this share of the budget to spare (a budget of 100 upgrades as if it were 85). */
export const UP_MARGIN = 0.85;
/** A track's layer goes up no sooner than this after it went down (down at once) ... */
export const UP_HOLD_MS = 5000;
/** ... or after it went up. */
export const UP_AFTER_UP_MS = 2000;

export interface StabilizeInput {
  /** The allocation for the whole budget. */
  fresh: Allocation;
  /** The allocation for the budget with the upgrade margin taken off. */
  safe: Allocation;
  tracks: readonly TrackInput[];
  last: ReadonlyMap<string, TrackAllocation>;
  /** From when each track may go up again (absent: at once). */
  upAllowedAt: ReadonlyMap<string, number>;
  now: number;
  /** The first video's floor (AllocationInput.floorBps; absent: none). */
  floorBps?: number;
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
    const goesUp = (t: TrackAllocation) => {
      const s = safe.get(t.id);
      const calm = i.now >= (i.upAllowedAt.get(t.id) ?? -Infinity);
      return s !== undefined && calm && i.last.has(t.id) && order(s.target, t.target) > 0;
    };
    const up = tracks.map((t) => (goesUp(t) ? { ...safe.get(t.id)!, rank: t.rank, max: t.max } : t));
    if (sum(up) <= budget) tracks = up;
    // 4. A paused video the margin covers is not left blank because the others keep more
    //    than their share: they go down to theirs, never off (what fits is checked
    //    again). A step-down subscriber whose link came back kept one video paused for 20 s
    //    and more (the other kept a higher frame rate), and since the budget already
    //    covered the paused one, nothing probed for more either.
    else if (up.some((t, k) => t.target !== null && tracks[k]!.target === null)) {
      const traded = up.map((t) => {
        const s = safe.get(t.id);
        // Down, never off: one blank tile is not traded for another.
        return s?.target && aboutBandwidth(s) && order(s.target, t.target) < 0 ? { ...s, rank: t.rank, max: t.max } : t;
      });
      if (sum(traded) <= budget) tracks = traded;
    }
  }
  tracks = neverBlank(i, tracks, keep);
  return { tracks, budget: i.fresh.budget, used: sum(tracks) };
}

/**
 * 5. Never blank: where the first video's floor is in use (see SubscriberAllocator: the
 * plain allocation shows a video beyond the budget) but holds left every video paused, the
 * one that was flowing stays, at its cheapest layer if that fits the floor: no keyframe,
 * and no blank tile traded for another. On the edge link the speaker's video was held
 * paused (its step up had failed) while the other, still flowing, went down to make room
 * for it: nothing was shown for 5-10 s at a time (2026-12-07). A held track is not resumed
 * for the floor: a keyframe lifts a layer's measured rate above it, and each resume would
 * pause it again.
 */
function neverBlank(i: StabilizeInput, tracks: TrackAllocation[], keep: (f: TrackAllocation, target: Layer | null) => TrackAllocation): TrackAllocation[] {
  const floorInUse = i.fresh.used > i.fresh.budget && i.fresh.tracks.some((t) => t.target !== null);
  if (!floorInUse || tracks.some((t) => t.target !== null)) return tracks;
  const inputs = new Map(i.tracks.map((t) => [t.id, t]));
  for (const t of tracks) {
    const input = inputs.get(t.id);
    const lowest = input && t.max ? ladder(input.bitrates, t.max)[0] : undefined;
    if (t.pausedReason === 'bandwidth' && i.last.get(t.id)?.target && lowest && cost(input!.bitrates, lowest) <= (i.floorBps ?? 0)) {
      return tracks.map((x) => (x === t ? keep(t, lowest) : x));
    }
  }
  return tracks;
}

/** A track's layer moved: up or down (a new track counts as down: it starts held), and whether the budget took it there. */
export interface Move { id: string; up: boolean; byBudget: boolean }

/**
 * Which tracks changed decision (changed), and which of them moved a layer (see Move). A
 * move is the budget's when it leaves the track paused for bandwidth or below its tile's
 * best layer: a tile that shrank, or a video hidden, is no failed step up (UpBackoff).
 */
export function decisionChanges(last: ReadonlyMap<string, TrackAllocation>, tracks: readonly TrackAllocation[]): { changed: TrackAllocation[]; moved: Move[] } {
  const changed = tracks.filter((t) => !sameDecision(last.get(t.id), t));
  const moved: Move[] = [];
  for (const t of changed) {
    const before = last.get(t.id);
    if (sameLayer(before, t)) continue;
    const byBudget = t.pausedReason === 'bandwidth' || (t.target !== null && t.deficient);
    moved.push({ id: t.id, up: before !== undefined && order(t.target, before.target) > 0, byBudget });
  }
  return { changed, moved };
}

function sameLayer(a: TrackAllocation | undefined, b: TrackAllocation): boolean {
  return a !== undefined && a.pausedReason === b.pausedReason && a.target?.spatial === b.target?.spatial && a.target?.temporal === b.target?.temporal;
}

function sameDecision(a: TrackAllocation | undefined, b: TrackAllocation): boolean {
  return sameLayer(a, b) && a!.rank === b.rank;
}
