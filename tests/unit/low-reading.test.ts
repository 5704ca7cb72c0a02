// When a reading below what is sent is congestion (lowReading.ts): evidence first, then
// a collapse, a recent confirmed drop or a confirmed low stretch.
import { describe, expect, it } from 'vitest';
import { lowReading, type LowReading } from '../../server/src/allocation/lowReading.js';
import { DEFAULT_ESTIMATE_OPTIONS, RTX_EVIDENCE, STANDING_MS } from '../../server/src/allocation/estimateTuning.js';

const o = DEFAULT_ESTIMATE_OPTIONS;
// A reading just below the threshold, the first of its kind, on a calm, clean link.
const base: LowReading = { measuredBps: 90_000, thresholdBps: 100_000, lowForMs: 0, queueMs: 10, loss: 0, rtxShare: 0, standingForMs: null, sinceConfirmedMs: Infinity };

describe('lowReading', () => {
  it.each<[string, Partial<LowReading>, ReturnType<typeof lowReading>]>([
    ['no evidence: waits, however long or low', { lowForMs: 60_000, measuredBps: 1_000 }, 'wait'],
    ['a filling queue, first reading: waits for confirmation', { queueMs: o.queueMs }, 'wait'],
    ['a filling queue, low for confirmMs: drops', { queueMs: o.queueMs, lowForMs: o.confirmMs }, 'drop'],
    ['a filling queue, just short of confirmMs: waits', { queueMs: o.queueMs, lowForMs: o.confirmMs - 1 }, 'wait'],
    ['a queue just short of queueMs is no evidence', { queueMs: o.queueMs - 1, lowForMs: o.confirmMs }, 'wait'],
    ['heavy loss is evidence', { loss: o.lossFraction, lowForMs: o.confirmMs }, 'drop'],
    ['random loss is not', { loss: 0.02, lowForMs: o.confirmMs }, 'wait'],
    ['heavy retransmission is evidence', { rtxShare: RTX_EVIDENCE, lowForMs: o.confirmMs }, 'drop'],
    ['a queue standing for STANDING_MS is evidence', { standingForMs: STANDING_MS, lowForMs: o.confirmMs }, 'drop'],
    ['one standing shorter is not', { standingForMs: STANDING_MS - 1, lowForMs: o.confirmMs }, 'wait'],
    ['under half the threshold with evidence: collapses at once', { queueMs: o.queueMs, measuredBps: 49_999 }, 'collapse'],
    ['under half the threshold without evidence: waits (the jittery edge link)', { measuredBps: 10_000 }, 'wait'],
    ['RTT unknown counts as evidence', { queueMs: null, lowForMs: o.confirmMs }, 'drop'],
    ['after a confirmed drop, followed at once', { queueMs: o.queueMs, sinceConfirmedMs: o.followMs - 1 }, 'drop'],
    ['not once followMs has passed', { queueMs: o.queueMs, sinceConfirmedMs: o.followMs }, 'wait'],
    ['never followed without RTT', { queueMs: null, sinceConfirmedMs: 0 }, 'wait'],
  ])('%s', (_name, patch, verdict) => {
    expect(lowReading({ ...base, ...patch }, o)).toBe(verdict);
  });
});
