// The allocation's stability: a table for the pure rule, and a noisy-estimate run through
// the stateful allocator (the shape of mediasoup's estimate on a link with random loss).
import { describe, expect, it } from 'vitest';
import { allocate } from '../../server/src/allocation/allocate.js';
import { stabilize, UP_HOLD_MS } from '../../server/src/allocation/stabilize.js';
import { SubscriberAllocator } from '../../server/src/allocation/SubscriberAllocator.js';
import type { Layer, TrackAllocation, TrackInput } from '../../server/src/allocation/types.js';
import { cam } from './fixtures/camera.js';

const L = (spatial: number, temporal: number): Layer => ({ spatial, temporal });
const was = (target: Layer | null, reason: TrackAllocation['pausedReason'] = target ? null : 'bandwidth'): TrackAllocation =>
  ({ id: 'a', target, max: L(2, 2), pausedReason: reason, bandwidthRequested: 0, deficient: true, rank: 0 });

describe('stabilize (one track, budget in bit/s, last change 1 s or 10 s ago)', () => {
  const cases: { name: string; budget: number; last: TrackAllocation | null; agoMs: number; want: Layer | null }[] = [
    { name: 'new track: starts with margin', budget: 350_000, last: null, agoMs: 0, want: L(1, 1) },
    { name: 'new track, nothing fits with margin: the plain allocation', budget: 55_000, last: null, agoMs: 0, want: L(0, 0) },
    { name: 'over budget: down at once, even just after a change', budget: 200_000, last: was(L(1, 2)), agoMs: 1000, want: L(1, 0) },
    { name: 'a little over budget (a keyframe in the measured rate): keep', budget: 280_000, last: was(L(1, 2)), agoMs: 1000, want: L(1, 2) },
    { name: 'budget gone: paused at once', budget: 40_000, last: was(L(0, 0)), agoMs: 1000, want: null },
    { name: 'more budget, but the last change is recent: keep', budget: 2_000_000, last: was(L(0, 2)), agoMs: 1000, want: L(0, 2) },
    { name: 'more budget, calm: up to what fits with margin', budget: 1_000_000, last: was(L(0, 2)), agoMs: 10_000, want: L(2, 1) },
    { name: 'fits only without margin: keep', budget: 240_000, last: was(L(1, 0)), agoMs: 10_000, want: L(1, 0) },
    { name: 'paused for bandwidth, budget back, calm: resume', budget: 120_000, last: was(null), agoMs: 10_000, want: L(0, 2) },
    { name: 'paused for bandwidth, budget back, recent: stay paused', budget: 120_000, last: was(null), agoMs: 1000, want: null },
    { name: 'was hidden: follows the plain allocation at once', budget: 1_000_000, last: was(null, 'hidden'), agoMs: 0, want: L(2, 1) },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const input = { budget: c.budget, lastN: 10, tracks: [cam('a')] };
      const out = stabilize({
        fresh: allocate(input), safe: allocate({ ...input, budget: c.budget * 0.85 }), tracks: input.tracks,
        last: new Map(c.last ? [['a', c.last]] : []), upAllowedAt: new Map([['a', 10_000 - c.agoMs + 5000]]), now: 10_000,
      });
      expect(out.tracks[0]!.target).toEqual(c.want);
      expect(out.used).toBeLessThanOrEqual(c.budget * 1.1);
    });
  }

  describe('never blank: the flowing video keeps the floor while the speaker is held paused', () => {
    // Two cameras at 50 kbit/s for their cheapest layer; a budget of 20 kbit/s covers none,
    // the floor (60 kbit/s) shows the speaker's.
    const FLOOR = 60_000;
    const tracks = [cam('speaker', { speaking: true }), cam('other')];
    const run = (last: [string, Layer | null][], held: string[]) => {
      const input = { budget: 20_000, lastN: 10, tracks, floorBps: FLOOR };
      const out = stabilize({
        fresh: allocate(input), safe: allocate({ ...input, budget: 17_000 }), tracks,
        last: new Map(last.map(([id, target], rank) => [id, { ...was(target), id, rank }])),
        upAllowedAt: new Map(held.map((id) => [id, 20_000])), now: 10_000, floorBps: FLOOR,
      });
      return Object.fromEntries(out.tracks.map((t) => [t.id, t.target]));
    };
    it.each<[string, [string, Layer | null][], string[], Record<string, Layer | null>]>([
      ['the speaker held paused, the other flowing: the other stays at its cheapest layer', [['speaker', null], ['other', L(1, 0)]], ['speaker'], { speaker: null, other: L(0, 0) }],
      ['both held paused: holds stand (a resume for the floor would flap on keyframes)', [['speaker', null], ['other', null]], ['speaker', 'other'], { speaker: null, other: null }],
      ['the speaker flowing: it keeps the floor as before', [['speaker', L(0, 0)], ['other', null]], ['other'], { speaker: L(0, 0), other: null }],
    ])('%s', (_name, last, held, want) => {
      expect(run(last, held)).toEqual(want);
    });
    it('the flowing one too dear for the floor: paused as before', () => {
      const cheap = [[25_000, 40_000, 60_000], [150_000, 225_000, 300_000], [450_000, 675_000, 900_000]];
      const two = [cam('speaker', { speaking: true, bitrates: cheap }), cam('other')];
      const input = { budget: 20_000, lastN: 10, tracks: two, floorBps: 40_000 };
      const out = stabilize({
        fresh: allocate(input), safe: allocate({ ...input, budget: 17_000 }), tracks: two,
        last: new Map([['speaker', { ...was(null), id: 'speaker' }], ['other', { ...was(L(1, 0)), id: 'other', rank: 1 }]]),
        upAllowedAt: new Map([['speaker', 20_000]]), now: 10_000, floorBps: 40_000,
      });
      expect(out.tracks.map((t) => t.target)).toEqual([null, null]);
    });
    it('without a floor nothing is forced on', () => {
      const input = { budget: 20_000, lastN: 10, tracks };
      const out = stabilize({
        fresh: allocate(input), safe: allocate(input), tracks,
        last: new Map([['speaker', { ...was(null), id: 'speaker' }], ['other', { ...was(L(0, 0)), id: 'other', rank: 1 }]]),
        upAllowedAt: new Map([['speaker', 20_000]]), now: 10_000,
      });
      expect(out.tracks.map((t) => t.target)).toEqual([null, null]);
    });
  });

  it('a kept layer that the sender no longer sends is given up', () => {
    const bitrates = [[50_000, 75_000, 100_000], [0, 0, 0], [0, 0, 0]];
    const input = { budget: 2_000_000, lastN: 10, tracks: [cam('a', { bitrates })] };
    const out = stabilize({
      fresh: allocate(input), safe: allocate(input), tracks: input.tracks,
      last: new Map([['a', was(L(1, 2))]]), upAllowedAt: new Map([['a', 14_000]]), now: 10_000,
    });
    expect(out.tracks[0]!.target).toEqual(L(0, 2));
  });

  it('a paused video the margin covers resumes, and the other gives up what it kept beyond its share', () => {
    // 120 kbit/s: both videos at their lowest layer (50 kbit/s each). b kept 0/2 (100 kbit/s)
    // from before, which left no room to resume a beside it.
    const tracks = [cam('a'), cam('b')];
    const input = { budget: 120_000, lastN: 10, tracks };
    const last = new Map([['a', was(null)], ['b', { ...was(L(0, 2)), id: 'b' }]]);
    const out = stabilize({
      fresh: allocate(input), safe: allocate({ ...input, budget: 120_000 * 0.85 }), tracks,
      last, upAllowedAt: new Map([['a', 5000], ['b', 15_000]]), now: 10_000,
    });
    expect(out.tracks.map((t) => t.target)).toEqual([L(0, 0), L(0, 0)]);
    expect(out.used).toBeLessThanOrEqual(120_000);
    // Still waiting for its hold: nobody is taken down for it.
    const held = stabilize({
      fresh: allocate(input), safe: allocate({ ...input, budget: 120_000 * 0.85 }), tracks,
      last, upAllowedAt: new Map([['a', 15_000], ['b', 15_000]]), now: 10_000,
    });
    expect(held.tracks.map((t) => t.target)).toEqual([null, L(0, 2)]);
  });
});

describe('SubscriberAllocator under a noisy estimate (random loss, not congestion)', () => {
  it('changes each track at most once per 10 s after the start', () => {
    // Deterministic noise: the estimate wanders +-10 % around 700 kbit/s every 250 ms, and
    // one reading in 20 dips to 60 % (a burst of random loss).
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const s = new SubscriberAllocator({ lastN: 10, initialEstimateBps: 250_000 }, 0);
    s.setAudioBitrate(80_000);
    s.setTrack(cam('speaker', { speaking: true }));
    s.setTrack(cam('other', { tileHeight: 180 }));
    const changes: Record<string, number[]> = { speaker: [], other: [] };
    let last = new Map<string, string>();
    for (let now = 0; now <= 60_000; now += 250) {
      s.setEstimate(700_000 * (rand() < 0.05 ? 0.6 : 0.9 + 0.2 * rand()), now);
      const u = s.update(now);
      const next = new Map(u.allocation.tracks.map((t) => [t.id, t.target ? `${t.target.spatial}` : 'paused']));
      for (const [id, v] of next) if (last.get(id) !== undefined && last.get(id) !== v) changes[id]!.push(now);
      last = next;
    }
    for (const [id, at] of Object.entries(changes)) {
      const steady = at.filter((t) => t >= 15_000);
      expect(steady.length, `${id} changed at ${at.join(', ')}`).toBeLessThanOrEqual(5); // 45 s: at most one per 10 s
      for (let i = 1; i < steady.length; i++) expect(steady[i]! - steady[i - 1]!).toBeGreaterThanOrEqual(UP_HOLD_MS);
    }
    // And it still uses the link: the speaker is not parked at the lowest layer.
    expect(last.get('speaker')).not.toBe('0');
  });
});
