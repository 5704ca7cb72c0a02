// Table-driven tests of the pure layer allocator.
import { describe, expect, it } from 'vitest';
import { allocate, nextStepBps } from '../../server/src/allocation/allocate.js';
import { costFloorBps, dynacastWants, KEYFRAME_MAX_MS, keyframeBits, keyframeFits, withCostFloors } from '../../server/src/allocation/layers.js';
import type { AllocationInput, BitrateMatrix, TrackInput } from '../../server/src/allocation/types.js';

// A typical 3x3 simulcast camera: 180p / 360p / 720p, T0..T2 cumulative (bps).
const CAM: BitrateMatrix = [
  [50_000, 75_000, 100_000],
  [150_000, 225_000, 300_000],
  [450_000, 675_000, 900_000],
];
const SCREEN: BitrateMatrix = [[200_000, 300_000, 400_000], [0, 0, 0], [800_000, 1_000_000, 1_200_000]];

function cam(id: string, over: Partial<TrackInput> = {}): TrackInput {
  return {
    id, source: 'camera', bitrates: CAM, layerHeights: [180, 360, 720], tileHeight: 720, visible: true,
    pinned: false, speaking: false, lastSpokeAt: 0, producerPaused: false, ...over,
  };
}

type Row = [name: string, input: AllocationInput, expected: Record<string, string>];
// Expected per track: "s.t" for the forwarded layer, or the paused reason.
const L = (a: ReturnType<typeof allocate>) =>
  Object.fromEntries(a.tracks.map((t) => [t.id, t.target ? `${t.target.spatial}.${t.target.temporal}` : t.pausedReason!]));

const rows: Row[] = [
  ['plenty of bandwidth: everyone gets what the tile needs',
    { budget: 10_000_000, lastN: 10, tracks: [cam('a'), cam('b')] }, { a: '2.2', b: '2.2' }],
  ['budget for audio only: every video paused for bandwidth',
    { budget: 0, lastN: 10, tracks: [cam('a'), cam('b')] }, { a: 'bandwidth', b: 'bandwidth' }],
  ['below the lowest layer: paused, not frozen',
    { budget: 40_000, lastN: 10, tracks: [cam('a')] }, { a: 'bandwidth' }],
  ['the floor: with the budget gone, the speaker keeps a cheap enough lowest layer',
    { budget: 0, lastN: 10, floorBps: 60_000, tracks: [cam('a'), cam('s', { speaking: true })] }, { s: '0.0', a: 'bandwidth' }],
  ['the floor does not cover a lowest layer that costs more',
    { budget: 0, lastN: 10, floorBps: 40_000, tracks: [cam('s', { speaking: true })] }, { s: 'bandwidth' }],
  ['the floor goes to the first video in priority order, and nothing else goes up with it',
    { budget: 30_000, lastN: 10, floorBps: 60_000, tracks: [cam('a', { lastSpokeAt: 9 }), cam('b', { lastSpokeAt: 5 })] }, { a: '0.0', b: 'bandwidth' }],
  ['speaker first: the speaker gets the layers, others the floor',
    { budget: 1_000_000, lastN: 10, tracks: [cam('a'), cam('s', { speaking: true }), cam('b')] }, { s: '2.2', a: '0.0', b: '0.0' }],
  ['tight budget: only the speaker fits',
    { budget: 60_000, lastN: 10, tracks: [cam('a', { lastSpokeAt: 5 }), cam('s', { speaking: true })] }, { s: '0.0', a: 'bandwidth' }],
  ['after the speaker, everyone else shares evenly',
    { budget: 1_500_000, lastN: 10, tracks: [cam('a'), cam('s', { speaking: true }), cam('b')] }, { s: '2.2', a: '1.2', b: '1.2' }],
  ['recent speakers rank above silent ones',
    { budget: 80_000, lastN: 10, tracks: [cam('silent'), cam('recent', { lastSpokeAt: 100 })] }, { recent: '0.1', silent: 'bandwidth' }],
  ['pinned above unpinned',
    { budget: 60_000, lastN: 10, tracks: [cam('a'), cam('p', { pinned: true })] }, { p: '0.0', a: 'bandwidth' }],
  ['hidden tile: nothing sent',
    { budget: 10_000_000, lastN: 10, tracks: [cam('a', { visible: false }), cam('b')] }, { a: 'hidden', b: '2.2' }],
  ['tile size caps the layer: a 180 px tile never gets 720p',
    { budget: 10_000_000, lastN: 10, tracks: [cam('small', { tileHeight: 180 }), cam('mid', { tileHeight: 330 }), cam('big', { tileHeight: 1080 })] },
    { small: '0.2', mid: '1.2', big: '2.2' }],
  ['screen share before the speaker, always at full resolution',
    { budget: 1_000_000, lastN: 10, tracks: [cam('s', { speaking: true }), { ...cam('scr', { tileHeight: 200 }), source: 'screen', bitrates: SCREEN }] },
    { scr: '2.0', s: '1.0' }],
  ['Last-N: only the N most important videos are forwarded',
    { budget: 10_000_000, lastN: 2, tracks: [cam('a'), cam('b', { lastSpokeAt: 10 }), cam('c', { speaking: true })] },
    { c: '2.2', b: '2.2', a: 'lastN' }],
  ['paused producer: no bandwidth spent, does not count for Last-N',
    { budget: 10_000_000, lastN: 1, tracks: [cam('off', { producerPaused: true, speaking: true }), cam('b')] }, { off: 'producer', b: '2.2' }],
  ['missing upper layers (sender limited): best available layer',
    { budget: 10_000_000, lastN: 10, tracks: [cam('a', { bitrates: [CAM[0]!, [0, 0, 0], [0, 0, 0]] })] }, { a: '0.2' }],
  ['no layer received yet: waits as producer-paused',
    { budget: 10_000_000, lastN: 10, tracks: [cam('a', { bitrates: [[0, 0, 0]] })] }, { a: 'producer' }],
  // The keyframe limit (KEYFRAME_MAX_MS): a 360p keyframe (~24 KB) needs a 770 kbit/s link,
  // a 720p one (~68 KB) 2.2 Mbit/s, whatever the budget says the stream itself costs.
  ['a narrow link gets no layer whose keyframe it cannot drain in time',
    { budget: 10_000_000, linkBps: 700_000, lastN: 10, tracks: [cam('a')] }, { a: '0.2' }],
  ['a link that drains a 360p keyframe but not a 720p one',
    { budget: 10_000_000, linkBps: 1_000_000, lastN: 10, tracks: [cam('a')] }, { a: '1.2' }],
  ['the lowest layer stays whatever its keyframe costs',
    { budget: 10_000_000, linkBps: 50_000, lastN: 10, tracks: [cam('a')] }, { a: '0.2' }],
  ['screen shares are exempt: text must stay readable',
    { budget: 10_000_000, linkBps: 300_000, lastN: 10, tracks: [{ ...cam('scr'), source: 'screen', bitrates: SCREEN }] }, { scr: '2.2' }],
];

describe('allocate', () => {
  it.each(rows)('%s', (_name, input, expected) => {
    expect(L(allocate(input))).toEqual(expected);
  });

  it('reports bandwidth requested, deficiency and ranks, and never exceeds the budget', () => {
    const a = allocate({ budget: 500_000, lastN: 10, tracks: [cam('a'), cam('s', { speaking: true })] });
    expect(a.tracks.map((t) => t.id)).toEqual(['s', 'a']);
    expect(a.tracks.map((t) => t.rank)).toEqual([0, 1]);
    expect(a.used).toBe(a.tracks.reduce((s, t) => s + t.bandwidthRequested, 0));
    expect(a.used).toBeLessThanOrEqual(500_000);
    expect(a.tracks.every((t) => t.deficient)).toBe(true);
    expect(a.tracks[0]!.max).toEqual({ spatial: 2, temporal: 2 });
  });

  it('never exceeds any budget (sweep)', () => {
    for (let budget = 0; budget <= 3_000_000; budget += 37_000) {
      const a = allocate({ budget, lastN: 3, tracks: [cam('a'), cam('b', { tileHeight: 360 }), cam('c', { speaking: true })] });
      expect(a.used).toBeLessThanOrEqual(budget);
    }
  });
});

describe('costFloorBps and withCostFloors', () => {
  it.each([
    [90, 2, 3, 45_000], [90, 0, 3, 18_000], [180, 2, 3, 118_756], [180, 1, 3, 71_253], [360, 2, 3, 313_398], [720, 2, 3, 827_063],
    [180, 0, 1, 118_756], [0, 2, 3, 0],
  ])('a %i p layer, temporal %i of %i, costs at least %i bit/s', (height, temporal, layers, floor) => {
    expect(costFloorBps(height, temporal, layers)).toBe(floor);
  });

  it("a sender's first seconds do not under-price its layers; layers not received stay 0; screen shares stay as measured", () => {
    // Measured 1.5 s after a 360p camera started (edge-3 trace), 90p / 180p, its top layer off.
    const ramping = [[3139, 4905, 7398], [2419, 2989, 4384], [0, 0, 0]];
    const priced = withCostFloors(cam('a', { bitrates: ramping, layerHeights: [90, 180, 360] }));
    expect(priced.bitrates).toEqual([[18_000, 27_000, 45_000], [47_502, 71_253, 118_756], [0, 0, 0]]);
    // Settled rates above the floors are kept.
    const settled = [[24_000, 37_000, 62_000], [140_000, 200_000, 300_000], [0, 0, 0]];
    expect(withCostFloors(cam('a', { bitrates: settled, layerHeights: [90, 180, 360] })).bitrates).toEqual(settled);
    const screen = { ...cam('s', { bitrates: ramping }), source: 'screen' as const };
    expect(withCostFloors(screen).bitrates).toEqual(ramping);
  });

  it('keyframeFits: 90p on 100 kbit/s, 180p from ~272 kbit/s, 360p from ~770 kbit/s', () => {
    expect([keyframeFits(90, 100_000), keyframeFits(180, 256_000), keyframeFits(180, 280_000), keyframeFits(360, 700_000), keyframeFits(360, 800_000)])
      .toEqual([true, false, true, false, true]);
  });
});

describe('dynacastWants', () => {
  const zero: BitrateMatrix = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  it.each([
    ['a tile waiting for a switched-off sender still wants its layer', cam('a', { bitrates: zero, tileHeight: 360 }), 'producer', false, 1],
    ['a sender that paused itself is not asked for anything', cam('a'), 'producer', true, null],
    ['hidden tiles want nothing', cam('a'), 'hidden', false, null],
    ['beyond Last-N wants nothing', cam('a'), 'lastN', false, null],
    ['a paused-for-bandwidth tile still wants its layer (to come back)', cam('a', { tileHeight: 180 }), 'bandwidth', false, 0],
    ['unknown tile size: everything', cam('a', { tileHeight: null }), null, false, 2],
    ['screen shares: full resolution', { ...cam('s', { tileHeight: 100 }), source: 'screen' as const }, null, false, 2],
  ] as const)('%s', (_n, track, reason, producerPaused, expected) => {
    expect(dynacastWants(track, reason, producerPaused)).toBe(expected);
  });
});

describe('nextStepBps: the link budget the next step up needs', () => {
  const kf = (h: number) => keyframeBits(h) / (KEYFRAME_MAX_MS / 1000);
  const at = (budget: number, tracks: TrackInput[]) => allocate({ budget, lastN: 10, tracks });
  const table: [name: string, tracks: TrackInput[], budget: number, expected: number | null][] = [
    // 0.2 (100k) -> 1.0 (150k): +50k of cost, but 360p's keyframe needs more link than that.
    ['to the next spatial layer, its keyframe decides', [cam('a')], 100_000, Math.max(40_000 + 100_000 + 50_000, kf(360)) / 0.85],
    // 1.0 (150k) -> 1.1 (225k): a temporal step needs no keyframe.
    ['a temporal step: its cost', [cam('a')], 150_000, (40_000 + 150_000 + 75_000) / 0.85],
    ['paused for bandwidth: its cheapest layer', [cam('a')], 0, Math.max(40_000 + 50_000, kf(180)) / 0.85],
    ['at the layer its tile wants: none', [cam('a', { tileHeight: 180 })], 10_000_000, null],
    ['hidden: none', [cam('a', { visible: false })], 10_000_000, null],
    // Both at 0.1 (75k each): the next is a temporal step of 25k.
    ['the cheapest of two tracks', [cam('a'), cam('b', { tileHeight: 180 })], 150_000, (40_000 + 150_000 + 25_000) / 0.85],
  ];
  it.each(table)('%s', (_name, tracks, budget, expected) => {
    const got = nextStepBps(tracks, at(budget, tracks), 40_000, 0.85);
    if (expected === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(expected, 3);
  });
});
