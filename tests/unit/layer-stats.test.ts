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
    { name: 'first measurement: nothing to compare', history: [], now: 1000, packets: [10, 10, 10], want: rows },
    { name: 'every layer sent: as measured', history: [counts(0, [10, 10, 10])], now: 1000, packets: [20, 20, 20], want: rows },
    { name: 'the sender dropped its 180p and 360p layers: they read 0', history: [counts(0, [10, 10, 10])], now: 1000, packets: [20, 10, 10], want: [rows[0], [0, 0, 0], [0, 0, 0]] },
    { name: 'too soon to judge (a slow layer sends a few packets a second)', history: [counts(500, [10, 10, 10])], now: 1000, packets: [20, 10, 10], want: rows },
    { name: 'nothing of the sender arrives (a stalled sender): not a dropped layer', history: [counts(0, [10, 10, 10])], now: 1000, packets: [10, 10, 10], want: rows },
    { name: 'compared with the newest counts old enough: stopped 900 ms ago', history: [counts(0, [5, 5, 5]), counts(100, [10, 10, 10]), counts(600, [15, 10, 10])], now: 100 + STOPPED_MIN_MS, packets: [20, 10, 10], want: [rows[0], [0, 0, 0], [0, 0, 0]] },
    { name: '... not the oldest: the layer sent within the window is not stopped', history: [counts(0, [5, 5, 5]), counts(100, [10, 8, 8])], now: 100 + STOPPED_MIN_MS, packets: [20, 10, 10], want: rows },
  ])('$name', ({ history, now, packets, want }) => {
    expect(withStoppedLayers(rows, SIMULCAST, stats(packets), history, now).matrix).toEqual(want);
  });

  it('measured every 500 ms, a stopped layer shows within STOPPED_MIN_MS + 500 ms; one that comes back at once', () => {
    let history = withStoppedLayers(rows, SIMULCAST, stats([10, 10, 10]), [], 0).history;
    // The upper layers stop right after 0 ms; the lowest goes on.
    const at = (now: number, low: number) => withStoppedLayers(rows, SIMULCAST, stats([low, 10, 10]), history, now);
    let r = at(500, 15);
    expect(r.matrix).toEqual(rows); // too soon
    history = r.history;
    r = at(1000, 20);
    expect(r.matrix[1]).toEqual([0, 0, 0]); // 1000 ms of silence, compared with the counts at 0
    history = r.history;
    expect(history.map((h) => h.at)).toEqual([0, 500, 1000]);
    r = at(1500, 25);
    expect(r.history.map((h) => h.at)).toEqual([500, 1000, 1500]); // older than the reference: dropped
    expect(withStoppedLayers(rows, SIMULCAST, stats([30, 12, 12]), r.history, 2000).matrix).toEqual(rows);
  });

  it('leaves a single-stream (SVC) producer as measured', () => {
    expect(withStoppedLayers(rows, [{ ssrc: 1, scalabilityMode: 'L3T3_KEY' }], [{ ssrc: 1, packetCount: 5 }], [{ at: 0, counts: new Map([['1', 5]]) }], 1000).matrix).toEqual(rows);
  });
});
