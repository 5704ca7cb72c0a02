// The receive transport's ceiling: a table for the pure step function, and the wrapper's
// calls to mediasoup (only on a change, a user cap as a hard limit).
import { describe, expect, it } from 'vitest';
import type { types } from 'mediasoup';
import { CAP_MIN_BPS, nextRecvCap, RecvCap } from '../../server/src/allocation/recvCap.js';

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

function fakeTransport(id: string): { transport: types.WebRtcTransport; calls: number[] } {
  const calls: number[] = [];
  const transport = { id, closed: false, setMaxOutgoingBitrate: async (bps: number) => { calls.push(bps); } } as unknown as types.WebRtcTransport;
  return { transport, calls };
}

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
});
