import { describe, expect, it } from 'vitest';
import { bitrateMatrix, layerCounts, layerHeights, STOPPED_MIN_MS, withStoppedLayers } from '../../server/src/allocation/layerStats.js';

const SIMULCAST = [
  { rid: 'r0', scalabilityMode: 'L1T3', scaleResolutionDownBy: 4 },
  { rid: 'r1', scalabilityMode: 'L1T3', scaleResolutionDownBy: 2 },
  { rid: 'r2', scalabilityMode: 'L1T3', scaleResolutionDownBy: 1 },
];

it('reads simulcast streams by rid, temporal layers cumulative', () => {
  const m = bitrateMatrix(SIMULCAST, [
    { rid: 'r2', bitrate: 800, bitrateByLayer: { '0.0': 400, '0.1': 600, '0.2': 800 } },
    { rid: 'r0', bitrate: 90, bitrateByLayer: { '0.0': 45, '0.1': 70, '0.2': 90 } },
  ]);
  expect(m).toEqual([[45, 70, 90], [0, 0, 0], [400, 600, 800]]);
  expect(layerCounts(SIMULCAST)).toEqual({ spatial: 3, temporal: 3 });
  expect(layerHeights(SIMULCAST, 720)).toEqual([180, 360, 720]);
});

it('reads SVC from one stream', () => {
  const svc = [{ ssrc: 1, scalabilityMode: 'L3T3_KEY' }];
  const byLayer: Record<string, number> = {};
  for (let s = 0; s < 3; s++) for (let t = 0; t < 3; t++) byLayer[`${s}.${t}`] = (s + 1) * 100 + t * 10;
  expect(bitrateMatrix(svc, [{ ssrc: 1, bitrateByLayer: byLayer }])).toEqual([[100, 110, 120], [200, 210, 220], [300, 310, 320]]);
  expect(layerHeights(svc, 720)).toEqual([180, 360, 720]);
});

it('uses defaults until anything was measured, and a single layer without temporal info', () => {
  expect(bitrateMatrix(SIMULCAST, [])[2]).toEqual([450_000, 675_000, 900_000]);
  expect(bitrateMatrix([{ ssrc: 5 }], [{ ssrc: 5, bitrate: 500 }])).toEqual([[500]]);
});

describe('withStoppedLayers', () => {
  // Three simulcast streams (90p / 180p / 360p), each with three temporal layers.
  const rows = [[10, 20, 30], [40, 50, 60], [70, 80, 90]];
  const stats = (packets: number[]) => SIMULCAST.map((e, s) => ({ rid: e.rid, packetCount: packets[s] }));
  const counts = (at: number, packets: number[]) => ({ at, counts: new Map(SIMULCAST.map((e, s) => [e.rid, packets[s]!])) });

  it.each([
    { name: 'first measurement: nothing to compare', last: undefined, now: 1000, packets: [10, 10, 10], want: rows },
    { name: 'every layer sent: as measured', last: counts(0, [10, 10, 10]), now: 1000, packets: [20, 20, 20], want: rows },
    { name: 'the sender dropped its 180p and 360p layers: they read 0', last: counts(0, [10, 10, 10]), now: 1000, packets: [20, 10, 10], want: [rows[0], [0, 0, 0], [0, 0, 0]] },
    { name: 'too soon to judge (a slow layer sends a few packets a second)', last: counts(500, [10, 10, 10]), now: 1000, packets: [20, 10, 10], want: rows },
    { name: 'nothing of the sender arrives (a stalled sender): not a dropped layer', last: counts(0, [10, 10, 10]), now: 1000, packets: [10, 10, 10], want: rows },
  ])('$name', ({ last, now, packets, want }) => {
    expect(withStoppedLayers(rows, SIMULCAST, stats(packets), last, now).matrix).toEqual(want);
  });

  it('compares over at least STOPPED_MIN_MS, and a layer that comes back is available at once', () => {
    let last = withStoppedLayers(rows, SIMULCAST, stats([10, 10, 10]), undefined, 0).counts;
    // 400 ms later: too soon, the older counts stay the reference ...
    last = withStoppedLayers(rows, SIMULCAST, stats([15, 10, 10]), last, 400).counts;
    expect(last?.at).toBe(0);
    // ... so at 900 ms the 180p and 360p layers have been silent for 900 ms.
    const r = withStoppedLayers(rows, SIMULCAST, stats([20, 10, 10]), last, STOPPED_MIN_MS + 100);
    expect(r.matrix[1]).toEqual([0, 0, 0]);
    expect(withStoppedLayers(rows, SIMULCAST, stats([30, 12, 12]), r.counts, 2000).matrix).toEqual(rows);
  });

  it('leaves a single-stream (SVC) producer as measured', () => {
    expect(withStoppedLayers(rows, [{ ssrc: 1, scalabilityMode: 'L3T3_KEY' }], [{ ssrc: 1, packetCount: 5 }], { at: 0, counts: new Map([['1', 5]]) }, 1000).matrix).toEqual(rows);
  });
});
