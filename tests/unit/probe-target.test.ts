// Where a probe takes the budget (probeTarget.ts), and how long a failed level holds (failedLevel.ts).
import { describe, expect, it } from 'vitest';
import { FailedLevel } from '../../server/src/allocation/failedLevel.js';
import { probeTarget, type ProbeTargetInput } from '../../server/src/allocation/probeTarget.js';

const base: ProbeTargetInput = { budgetBps: 100_000, fraction: 0.5, floorBps: 50_000, maxStep: 2, provenBps: null, roomBps: Infinity, failedBps: Infinity };

describe('probeTarget', () => {
  it.each<[string, Partial<ProbeTargetInput>, number, boolean]>([
    ['a step of half the budget plus the floor', {}, 200_000, false],
    ['never more than maxStep x the budget', { budgetBps: 40_000 }, 80_000, false],
    ['a large budget grows by half', { budgetBps: 1_000_000 }, 1_550_000, false],
    ['up to a proven reading', { provenBps: 800_000 }, 800_000, false],
    ['a proven reading below the step does not slow it', { provenBps: 150_000 }, 200_000, false],
    ['no further than the traffic would follow', { provenBps: 800_000, roomBps: 500_000 }, 500_000, false],
    ['room below the budget: no probe, no cut', { roomBps: 50_000 }, 100_000, false],
    ['to 85 % of a failed level', { failedBps: 200_000 }, 170_000, false],
    ['a proven reading does not pass a failed level', { provenBps: 800_000, failedBps: 400_000 }, 340_000, false],
    ['a failed level at the budget holds growth back', { failedBps: 110_000 }, 93_500, true],
  ])('%s', (_name, input, bps, held) => {
    expect(probeTarget({ ...base, ...input })).toEqual({ bps, heldByFailure: held });
  });
});

describe('FailedLevel', () => {
  it('is remembered for its base time after a first failure', () => {
    const f = new FailedLevel(15_000, 120_000);
    expect(f.at(0)).toBeNull();
    f.failed(200_000, 1_000);
    expect(f.at(15_999)).toBe(200_000);
    expect(f.at(16_000)).toBeNull();
  });

  it('is remembered twice as long after each further failure within twice that time, up to the maximum', () => {
    const f = new FailedLevel(15_000, 40_000);
    f.failed(200_000, 0);
    f.failed(180_000, 29_000);
    expect(f.at(29_000 + 29_999)).toBe(180_000);
    f.failed(180_000, 50_000);
    expect(f.at(50_000 + 39_999)).toBe(180_000);
    expect(f.at(50_000 + 40_000)).toBeNull();
  });

  it('starts over at the base time after a long calm', () => {
    const f = new FailedLevel(15_000, 120_000);
    f.failed(200_000, 0);
    f.failed(200_000, 30_000);
    expect(f.at(30_000 + 15_000)).toBeNull();
  });

  it('is forgotten by a reading at twice it, not below', () => {
    const f = new FailedLevel(15_000, 120_000);
    f.failed(200_000, 0);
    f.forgetBelow(399_999);
    expect(f.at(1)).toBe(200_000);
    f.forgetBelow(400_000);
    expect(f.at(1)).toBeNull();
  });
});
