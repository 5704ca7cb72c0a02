// Goals, in order: audio is never touched (the caller subtracts it from the budget);
// the screen share, then the active speaker, then pinned tiles, then everyone else by how
// recently they spoke get video; at most Last-N videos are forwarded; nobody gets more
// than their tile can show; and when the budget runs out, a video is paused with a reason
// instead of freezing.
//
// Algorithm (after LiveKit's stream allocator): sort tracks by priority; give each, in
// order, its cheapest layer while the budget allows (else pause it for "bandwidth"; the
// first one keeps a cheap enough lowest layer regardless, see `floorBps`); then
// offer one step up to each track, round after round, until no step fits. Upgrades go by
// priority class: the screen share and the speaker reach their tile's best layer before
// pinned tiles, and those before everyone else, who then share what is left evenly.
import { compareLayers, cost, keyframeLinkBps, ladder, maxLayerForTile } from './layers.js';
import type { Allocation, AllocationInput, Layer, TrackAllocation, TrackInput } from './types.js';

/** 0 screen share, 1 active speaker, 2 pinned, 3 everyone else. */
export function priorityClass(t: TrackInput): number {
  return t.source === 'screen' ? 0 : t.speaking ? 1 : t.pinned ? 2 : 3;
}

export function priorityOrder(tracks: readonly TrackInput[]): TrackInput[] {
  return [...tracks].sort((a, b) => priorityClass(a) - priorityClass(b) || b.lastSpokeAt - a.lastSpokeAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

interface Step { ladder: Layer[]; index: number; track: TrackInput }

export function allocate(input: AllocationInput): Allocation {
  const ordered = priorityOrder(input.tracks);
  const result = new Map<string, TrackAllocation>();
  const steps = new Map<string, Step>();
  let forwarded = 0;

  ordered.forEach((track, rank) => {
    const base = { id: track.id, rank, target: null, bandwidthRequested: 0, deficient: false };
    if (track.producerPaused) return result.set(track.id, { ...base, max: null, pausedReason: 'producer' });
    if (!track.visible) return result.set(track.id, { ...base, max: null, pausedReason: 'hidden' });
    const max = maxLayerForTile(track, input.linkBps);
    if (!max) return result.set(track.id, { ...base, max: null, pausedReason: 'producer' });
    if (forwarded >= input.lastN) return result.set(track.id, { ...base, max, pausedReason: 'lastN' });
    forwarded++;
    result.set(track.id, { ...base, max, pausedReason: 'bandwidth', deficient: true });
    steps.set(track.id, { ladder: ladder(track.bitrates, max), index: -1, track });
  });

  let remaining = Math.max(0, input.budget);
  const offer = (entries: [string, Step][], maxSteps: number) => {
    for (let changed = true; changed;) {
      changed = false;
      for (const [id, s] of entries) {
        if (s.index + 1 >= maxSteps) continue;
        const next = s.ladder[s.index + 1];
        if (!next) continue;
        const current = s.index >= 0 ? cost(s.track.bitrates, s.ladder[s.index]!) : 0;
        const delta = cost(s.track.bitrates, next) - current;
        if (delta > remaining) continue;
        remaining -= delta;
        s.index++;
        changed = true;
        const a = result.get(id)!;
        a.target = next;
        a.pausedReason = null;
        a.bandwidthRequested = cost(s.track.bitrates, next);
        a.deficient = s.index < s.ladder.length - 1;
      }
    }
  };
  const all = [...steps];
  offer(all, 1); // everyone's cheapest layer first, in priority order
  // The floor: the first video keeps its cheapest layer even when the budget is gone.
  const first = all[0];
  if (first && first[1].index < 0 && input.floorBps) {
    const [id, s] = first;
    const layer = s.ladder[0];
    const price = layer ? cost(s.track.bitrates, layer) : Infinity;
    if (layer && price <= input.floorBps) {
      s.index = 0;
      const a = result.get(id)!;
      a.target = layer;
      a.pausedReason = null;
      a.bandwidthRequested = price;
      a.deficient = s.ladder.length > 1;
      remaining = 0; // already beyond the budget: nothing else goes up
    }
  }
  for (let cls = 0; cls <= 3; cls++) offer(all.filter(([, s]) => priorityClass(s.track) === cls), Infinity);

  const tracks = ordered.map((t) => result.get(t.id)!);
  return { tracks, budget: input.budget, used: tracks.reduce((sum, t) => sum + t.bandwidthRequested, 0) };
}

/**
 * The least link budget (audio included) at which one track of this allocation could go a
 * step up its ladder (up to the layer its tile can use), or null when none can: what a
 * probe must at least reach to test anything (see Estimate's SENT_HEADROOM). A step to
 * another spatial layer also needs its keyframe to fit (KEYFRAME_MAX_MS). `margin` is the
 * share of the budget an upgrade may take (stabilize.ts: UP_MARGIN).
 */
export function nextStepBps(tracks: readonly TrackInput[], allocation: Allocation, audioBps: number, margin: number): number | null {
  const byId = new Map(tracks.map((t) => [t.id, t]));
  let best: number | null = null;
  for (const a of allocation.tracks) {
    const t = byId.get(a.id);
    if (!t || !a.max || (a.pausedReason !== null && a.pausedReason !== 'bandwidth')) continue;
    const steps = ladder(t.bitrates, a.max);
    const at = a.target ? steps.findIndex((l) => compareLayers(l, a.target!) === 0) : -1;
    const next = steps[at + 1];
    if (!next) continue;
    const delta = cost(t.bitrates, next) - (a.target ? cost(t.bitrates, a.target) : 0);
    const keyframe = t.source === 'camera' && next.spatial !== a.target?.spatial ? keyframeLinkBps(t.layerHeights[next.spatial] ?? 0) : 0;
    const needed = Math.max(audioBps + allocation.used + delta, keyframe) / margin;
    if (best === null || needed < best) best = needed;
  }
  return best;
}
