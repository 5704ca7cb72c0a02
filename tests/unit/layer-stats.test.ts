import { expect, it } from 'vitest';
import { bitrateMatrix, layerCounts, layerHeights } from '../../server/src/allocation/layerStats.js';

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
