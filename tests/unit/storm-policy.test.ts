// What a congested link stops at once (stormPolicy.ts), and which changed decisions hold a
// track's next step up (stabilize.ts: decisionChanges).
import { describe, expect, it } from 'vitest';
import { CUT_OVER_MS, cutOverIds, RESEND_STORM_MS, retransmissionStorm } from '../../server/src/allocation/stormPolicy.js';
import { decisionChanges } from '../../server/src/allocation/stabilize.js';
import { RESEND_CONGESTION_SHARE, RTX_EVIDENCE } from '../../server/src/allocation/estimateTuning.js';
import type { Layer, TrackAllocation } from '../../server/src/allocation/types.js';

const track = (id: string, target: Layer | null, rank = 0): TrackAllocation => ({
  id, target, max: { spatial: 2, temporal: 2 }, pausedReason: target ? null : 'bandwidth', bandwidthRequested: 0, deficient: false, rank,
});
const s = (spatial: number, temporal = 2): Layer => ({ spatial, temporal });

describe('cutOverIds', () => {
  const last = new Map([['a', track('a', s(2))], ['b', track('b', s(1))], ['c', track('c', null)]]);
  const changed = [track('a', s(1)), track('b', s(1, 0)), track('c', s(0)), track('new', s(0))];
  it('cuts over the videos that go down a spatial layer, within CUT_OVER_MS of congestion', () => {
    expect(cutOverIds(changed, last, 1000, 1000 + CUT_OVER_MS)).toEqual(['a']);
  });
  it('nothing once the congestion is older', () => {
    expect(cutOverIds(changed, last, 1000, 1001 + CUT_OVER_MS)).toEqual([]);
  });
  it('a pause is no cut-over (it stops the old layer anyway)', () => {
    expect(cutOverIds([track('a', null)], last, 0, 0)).toEqual([]);
  });
});

describe('retransmissionStorm', () => {
  it.each<[string, Parameters<typeof retransmissionStorm>[0], number, boolean]>([
    ['heavy retransmission on a congested link', { congestedAt: 0, resendShare: null, rtxShare: RTX_EVIDENCE }, CUT_OVER_MS, true],
    ['not once the congestion is older than CUT_OVER_MS', { congestedAt: 0, resendShare: null, rtxShare: 1 }, CUT_OVER_MS + 1, false],
    ['light retransmission is none', { congestedAt: 0, resendShare: null, rtxShare: RTX_EVIDENCE - 0.01 }, 100, false],
    ['a recent resend share at the congestion share', { congestedAt: 0, resendShare: { share: RESEND_CONGESTION_SHARE, at: 100 }, rtxShare: 0 }, 100 + RESEND_STORM_MS, true],
    ['an old resend share is none', { congestedAt: 0, resendShare: { share: 2, at: 100 }, rtxShare: 0 }, 101 + RESEND_STORM_MS, false],
    ['never without confirmed congestion', { congestedAt: -Infinity, resendShare: { share: 2, at: 0 }, rtxShare: 1 }, 0, false],
  ])('%s', (_name, signs, now, storm) => {
    expect(retransmissionStorm(signs, now)).toBe(storm);
  });
});

describe('decisionChanges', () => {
  it('lists changed decisions, and which moved a layer up or down (a new track counts as down)', () => {
    const last = new Map([['down', track('down', s(2))], ['up', track('up', s(0))], ['rank', track('rank', s(1), 0)], ['same', track('same', s(1))], ['resumed', track('resumed', null)]]);
    const { changed, moved } = decisionChanges(last, [track('down', s(1)), track('up', s(1)), track('rank', s(1), 1), track('same', s(1)), track('new', s(0)), track('resumed', s(0))]);
    expect(changed.map((t) => t.id)).toEqual(['down', 'up', 'rank', 'new', 'resumed']);
    // A new rank alone moves no layer.
    // track() decisions are not deficient: moves to a layer the tile cannot better are not the budget's.
    expect(moved).toEqual([{ id: 'down', up: false, byBudget: false }, { id: 'up', up: true, byBudget: false }, { id: 'new', up: false, byBudget: false }, { id: 'resumed', up: true, byBudget: false }]);
  });

  it('a move is the budget\'s when it leaves the track paused for bandwidth or below its best layer', () => {
    const last = new Map([['a', track('a', s(2))], ['b', track('b', s(2))], ['c', track('c', s(2))]]);
    const { moved } = decisionChanges(last, [{ ...track('a', s(1)), deficient: true }, track('b', null), { ...track('c', null), pausedReason: 'hidden' }]);
    expect(moved).toEqual([{ id: 'a', up: false, byBudget: true }, { id: 'b', up: false, byBudget: true }, { id: 'c', up: false, byBudget: false }]);
  });
});
