// The receive transport's ceiling and floor: tables for the pure functions, and the
// wrapper's calls to mediasoup (only on a change, a user cap as a hard limit).
import { describe, expect, it } from 'vitest';
import type { types } from 'mediasoup';
import { CAP_MIN_BPS, FLOOR_MARGIN, FLOOR_MAX_BPS, FLOOR_STEP_BPS, nextRecvCap, RecvCap, recvFloorBps } from '../../server/src/allocation/recvCap.js';
import { costFloorBps } from '../../server/src/allocation/layers.js';
import type { TrackAllocation, TrackInput } from '../../server/src/allocation/types.js';

describe('nextRecvCap', () => {
  it.each([
    // budget, current, next
    [150_000, null, CAP_MIN_BPS], // a new subscriber: the smallest ceiling
    [150_000, CAP_MIN_BPS, CAP_MIN_BPS],
    [170_000, CAP_MIN_BPS, 1_000_000], // 3x the budget no longer fits: one step up
    [200_000, 1_000_000, 1_000_000], // back down a little: stays (no probe per wiggle)
    [340_000, 1_000_000, 2_000_000],
    [2_000_000, 1_000_000, 8_000_000], // a fast link: up at once, as far as needed
    [600_000, 8_000_000, 2_000_000], // two steps too high: down
    [700_000, 8_000_000, 8_000_000], // needs 2.1M: only one step too high, stays
    [0, null, CAP_MIN_BPS],
  ])('budget %i with ceiling %s -> %i', (budget, current, next) => {
    expect(nextRecvCap(budget, current)).toBe(next);
  });
});

function fakeTransport(id: string): { transport: types.WebRtcTransport; calls: number[]; floors: number[] } {
  const calls: number[] = [];
  const floors: number[] = [];
  const transport = {
    id, closed: false,
    setMaxOutgoingBitrate: async (bps: number) => { calls.push(bps); },
    setMinOutgoingBitrate: async (bps: number) => { floors.push(bps); },
  } as unknown as types.WebRtcTransport;
  return { transport, calls, floors };
}

// A 90p / 180p camera as measured (bits per second per temporal layer), and one whose
// sender's first seconds read below the cost floors.
const MEASURED = [[30_000, 45_000, 60_000], [120_000, 180_000, 240_000]];
const RAMPING = [[2_000, 3_000, 4_000], [0, 0, 0]];
const cam = (id: string, bitrates: number[][]): TrackInput => ({
  id, source: 'camera', bitrates, layerHeights: [90, 180], tileHeight: 180, visible: true,
  pinned: false, speaking: false, lastSpokeAt: 0, producerPaused: false,
});
const decision = (id: string, target: TrackAllocation['target']): TrackAllocation => ({
  id, rank: 0, target, max: { spatial: 1, temporal: 2 }, pausedReason: target ? null : 'bandwidth', bandwidthRequested: 0, deficient: false,
});
const step = (bps: number) => Math.ceil((bps * FLOOR_MARGIN) / FLOOR_STEP_BPS) * FLOOR_STEP_BPS;

describe('recvFloorBps', () => {
  // Cameras whose lowest layers cost 150 kbit/s each: uncapped, the floor would be 380 kbit/s.
  const big = cam('big', [[150_000, 200_000, 250_000], [400_000, 500_000, 600_000]]);
  const tracks = new Map([['a', cam('a', MEASURED)], ['b', cam('b', MEASURED)], ['r', cam('r', RAMPING)], ['gone', cam('gone', [[0, 0, 0], [0, 0, 0]])], ['big', big], ['big2', { ...big, id: 'big2' }]]);
  const s1 = { spatial: 1, temporal: 2 };
  it.each([
    ['nothing forwarded', [], 0],
    ['one video at its top: its cheapest layer', [decision('a', s1)], step(30_000)],
    ['two videos', [decision('a', s1), decision('b', { spatial: 0, temporal: 0 })], step(60_000)],
    ['a paused video costs nothing', [decision('a', s1), decision('b', null)], step(30_000)],
    ['a ramping sender is priced at its cost floor', [decision('r', { spatial: 0, temporal: 0 })], step(costFloorBps(90, 0, 3))],
    ['a video that receives nothing costs nothing', [decision('gone', s1)], 0],
    ['an unknown track costs nothing', [decision('x', s1)], 0],
    ['never above FLOOR_MAX_BPS: a high floor would hide congestion', [decision('big', s1), decision('big2', s1)], FLOOR_MAX_BPS],
  ] as const)('%s', (_name, decisions, floor) => {
    expect(recvFloorBps(decisions, (id) => tracks.get(id))).toBe(floor);
  });
});

describe('RecvCap', () => {
  it('tells mediasoup only when the ceiling changes, and never above a user cap', async () => {
    const cap = new RecvCap();
    const { transport, calls } = fakeTransport('t1');
    await cap.update(undefined, 150_000); // no transport yet
    await cap.update(transport, 150_000);
    await cap.update(transport, 160_000);
    expect(calls).toEqual([CAP_MIN_BPS]);
    await cap.update(transport, 400_000);
    expect(calls).toEqual([CAP_MIN_BPS, 2_000_000]);
    cap.setUserCap(150_000); // "save data"
    await cap.update(transport, 400_000);
    expect(calls.at(-1)).toBe(150_000);
    cap.setUserCap(null);
    await cap.update(transport, 400_000);
    expect(calls.at(-1)).toBe(2_000_000);
    // A new receive transport gets the ceiling too.
    const second = fakeTransport('t2');
    await cap.update(second.transport, 400_000);
    expect(second.calls).toEqual([2_000_000]);
  });

  it('tells mediasoup the floor only when it changes, keeps it when none is given, and never above the ceiling', async () => {
    const cap = new RecvCap();
    const { transport, floors } = fakeTransport('t1');
    await cap.update(transport, 150_000, 60_000);
    await cap.update(transport, 150_000, 60_000);
    await cap.update(transport, 160_000); // a budget change alone (setReceiveCap): the floor stays
    expect(floors).toEqual([60_000]);
    await cap.update(transport, 150_000, 80_000);
    expect(floors).toEqual([60_000, 80_000]);
    cap.setUserCap(50_000); // "save data" below what the lowest layers cost
    await cap.update(transport, 150_000, 80_000);
    expect(floors.at(-1)).toBe(50_000);
    cap.setUserCap(null);
    await cap.update(transport, 150_000);
    expect(floors.at(-1)).toBe(80_000);
  });
});
