// bench/src/metrics.ts: the numbers every budget is judged by, from recorded page data.
import { describe, expect, it } from 'vitest';
import {
  atBest, atLowest, concealmentPct, firstOther, freezesIn, maxAudioInterruptionMs, participantMetrics, percentile, series, summarize, timeUntil, worstOrNull,
  worstPerSender, type PageRecord, type ParticipantMetrics, type Sample, type StreamRow,
} from '../../bench/src/metrics.js';
import { concealmentBySender, maxLayerChangesPer10s, minVideoHeight, playoutDelayP95Ms, rttExcessP95Ms } from '../../bench/src/link-metrics.js';
import { aggregateRuns, checkBudgets } from '../../bench/src/report.js';
import type { ScenarioResult } from '../../bench/src/runner.js';
import { at80 } from '../../bench/src/capacity.js';
import { preconditionFailures, rungChanges, videoShownPct } from '../../bench/src/step-metrics.js';
import { capacityVerdicts } from '../../bench/src/capacity-report.js';

const row = (p: Partial<StreamRow>): StreamRow => ({ id: 'x', bytes: 0, frames: 0, height: 0, concealed: 0, samples: 0, packets: 0, ...p });
const sample = (at: number, audio: { samples: number; concealed: number }, extra: Partial<Sample> = {}): Sample =>
  ({ at, video: [], audio: [row({ id: 'a', ...audio })], sentBytes: 0, layers: [], ...extra });
const record = (p: Partial<PageRecord> = {}): PageRecord => ({ latencies: [], frames: [], samples: [], firstFrameAt: 0, ...p });

describe('percentile', () => {
  it.each([
    [[], 50, null], [[5], 50, 5], [[5], 95, 5], [[1, 2, 3, 4], 50, 2], [[4, 3, 2, 1], 95, 4], [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95, 10], [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 10, 1],
  ])('%j p%i = %s', (values, p, expected) => expect(percentile(values, p)).toBe(expected));
});

describe('audio', () => {
  it('concealment is concealed / received over the window', () => {
    expect(concealmentPct([sample(0, { samples: 1000, concealed: 10 }), sample(1000, { samples: 49_000, concealed: 490 })])).toBeCloseTo(1, 5);
    expect(concealmentPct([sample(0, { samples: 0, concealed: 0 })])).toBeNull();
    expect(concealmentPct([sample(0, { samples: 5, concealed: 0 }), sample(200, { samples: 5, concealed: 0 })])).toBeNull();
  });

  it('the longest interruption is the longest run of mostly concealed samples', () => {
    const s = [0, 200, 400, 600, 800, 1000].map((at, i) => sample(at, { samples: i * 9600, concealed: [0, 0, 9000, 18_000, 18_100, 18_200][i]! }));
    // 200->400 and 400->600 are interrupted: a run from 200 to 600.
    expect(maxAudioInterruptionMs(s)).toBe(400);
    // No audio arriving at all counts as interrupted.
    expect(maxAudioInterruptionMs([sample(0, { samples: 100, concealed: 0 }), sample(200, { samples: 100, concealed: 0 })])).toBe(200);
  });
});

describe('adaptation', () => {
  const lay = (target: number | null, max: number, reason: string | null = null) => ({ target: target === null ? null : { spatial: target }, current: null, max: { spatial: max }, reason, budget: 0 });
  it('atLowest / atBest / timeUntil', () => {
    expect(atLowest(sample(0, { samples: 0, concealed: 0 }, { layers: [lay(0, 2), lay(null, 2, 'bandwidth')] }))).toBe(true);
    expect(atLowest(sample(0, { samples: 0, concealed: 0 }, { layers: [lay(1, 2)] }))).toBe(false);
    expect(atLowest(sample(0, { samples: 0, concealed: 0 }, { layers: [] }))).toBe(false);
    expect(atBest(sample(0, { samples: 0, concealed: 0 }, { layers: [lay(2, 2), lay(1, 1)] }))).toBe(true);
    expect(atBest(sample(0, { samples: 0, concealed: 0 }, { layers: [lay(1, 2)] }))).toBe(false);
    const s = [sample(0, { samples: 0, concealed: 0 }, { layers: [lay(2, 2)] }), sample(500, { samples: 0, concealed: 0 }, { layers: [lay(0, 2)] })];
    expect(timeUntil(s, 100, atLowest)).toBe(400);
    expect(timeUntil(s, 600, atLowest)).toBeNull();
  });
});

describe('freezes', () => {
  it('counts gaps of 400 ms or more that were not deliberate pauses', () => {
    const r = record({ frames: [{ at: 1000, peer: 'a', gap: 300, paused: false }, { at: 2000, peer: 'a', gap: 500, paused: false }, { at: 3000, peer: 'b', gap: 900, paused: true }] });
    expect(freezesIn(r, 0, 5000).map((f) => f.gap)).toEqual([500]);
  });

  it('a video that stalls until the end of the run is a freeze of that length', () => {
    const r = record({ lastFrameAt: { a: 4000, b: 9900 }, pausedNow: { a: false, b: false } });
    expect(freezesIn(r, 0, 10_000)).toEqual([{ at: 10_000, peer: 'a', gap: 6000 }]);
  });

  it('...unless it ends paused with a reason (or its tile is gone)', () => {
    expect(freezesIn(record({ lastFrameAt: { a: 4000 }, pausedNow: { a: true } }), 0, 10_000)).toEqual([]);
  });

  it('a stall that began before the window counts from the window start', () => {
    expect(freezesIn(record({ lastFrameAt: { a: 100 }, pausedNow: {} }), 1000, 3000)).toEqual([{ at: 3000, peer: 'a', gap: 2000 }]);
  });

  it('participantMetrics reports the trailing stall as the longest freeze after 10 s', () => {
    const m = participantMetrics({
      name: 'P2', profile: 'lan', openedAt: 0, start: 0, end: 30_000, videoFrom: 0,
      record: record({ firstFrameAt: 1500, lastFrameAt: { p1: 12_000 }, pausedNow: { p1: false }, samples: [sample(0, { samples: 0, concealed: 0 }), sample(30_000, { samples: 48_000, concealed: 0 })] }),
    });
    expect(m.freezes).toBe(1);
    expect(m.maxFreezeMsAfter10s).toBe(18_000);
    expect(m.joinMs).toBe(1500);
    expect(m.g2gP50Ms).toBeNull();
  });
});

describe('join time', () => {
  const join = (openedAt: number, videoFrom: number | undefined) => participantMetrics({
    name: 'P', profile: 'lan', openedAt, start: 0, end: 30_000, videoFrom, record: record({ firstFrameAt: 12_000, lastFrameAt: {}, pausedNow: {}, samples: [] }),
  });

  it.each([
    // opened, another camera published, measured join
    [0, 0, 12_000],
    [2000, 10_000, 2000], // nobody to see until 10 s: the wait for them is no join time
    [5000, 1000, 7000], // others were there: from opening the link
  ])('opened at %i, video from %i: %i ms', (opened, from, ms) => {
    const m = join(opened, from);
    expect(m.expectsJoin).toBe(true);
    expect(m.joinMs).toBe(ms);
  });

  it('is not measured when nobody else published a camera', () => {
    const m = join(0, undefined);
    expect(m.expectsJoin).toBe(false);
    expect(m.joinMs).toBeNull();
  });

  it('counts from the first other page that published, never from the page itself', () => {
    expect(firstOther([5000, 3000, null], 0)).toBe(3000);
    expect(firstOther([5000, 3000, null], 1)).toBe(5000);
    expect(firstOther([5000, null], 0)).toBeUndefined();
  });
});

describe('series', () => {
  it('derives bitrates, layer and paused count per interval', () => {
    const a: Sample = { at: 0, video: [row({ id: 'v', bytes: 0, frames: 0 })], audio: [row({ id: 'a', bytes: 0 })], sentBytes: 0, layers: [] };
    const b: Sample = { at: 1000, video: [row({ id: 'v', bytes: 100_000, frames: 30, height: 360 })], audio: [row({ id: 'a', bytes: 3000 })], sentBytes: 50_000,
      layers: [{ target: { spatial: 1 }, current: null, max: { spatial: 2 }, reason: null, budget: 0 }, { target: null, current: null, max: null, reason: 'bandwidth', budget: 0 }] };
    const [s] = series([a, b], 0, [{ at: 500, ms: 120, peer: 'x' }, { at: 900, ms: 140, peer: 'x' }]);
    expect(s).toEqual({ t: 1, recvKbps: 824, sentKbps: 400, height: 360, layer: 1, paused: 1, g2g: 130 });
  });
});

describe('summary', () => {
  const p = (over: Partial<ParticipantMetrics>): ParticipantMetrics => ({
    name: 'P', profile: 'lan', expectsJoin: true, joinMs: 1000, g2gP50Ms: 100, g2gP95Ms: 150, g2gSamples: 10, audioConcealmentPct: 1,
    freezes: 0, freezeTotalMs: 0, maxFreezeMsAfter10s: 0, recvKbpsAvg: 1, sentKbpsAvg: 1, series: [],
    playoutDelayP95Ms: 60, rttExcessP95Ms: 10, minVideoHeight: 180, concealmentBySender: {}, layerChangesPer10s: 0, peerId: null, ...over,
  });

  it('takes the worst participant', () => {
    const s = summarize([p({ g2gP95Ms: 150 }), p({ g2gP95Ms: 400 })]);
    expect(s.g2gP95Ms).toBe(400);
  });

  it('a participant without samples for a metric makes it unmeasured (null), which breaks its budget', () => {
    expect(worstOrNull([100, null])).toBeNull();
    const s = summarize([p({ g2gP50Ms: 90 }), p({ g2gP50Ms: null, g2gP95Ms: null, audioConcealmentPct: null })]);
    expect(s.g2gP50Ms).toBeNull();
    expect(s.g2gP95Ms).toBeNull();
    expect(s.audioConcealmentPct).toBeNull();
  });

  it('join counts only participants whose join is measured; step metrics only the stepped one', () => {
    const s = summarize([p({ expectsJoin: false, joinMs: null }), p({ joinMs: 2000 }), p({ joinMs: 3000, adaptMs: null, recoverMs: 2000, maxAudioInterruptionMs: 150 })]);
    expect(s.joinP95Ms).toBe(3000);
    expect(s.adaptMs).toBeNull();
    expect(s.recoverMs).toBe(2000);
    expect(summarize([p({ joinMs: null })]).joinP95Ms).toBeNull();
    expect(summarize([p({})]).adaptMs).toBeNull();
  });
});

describe('narrow-link metrics', () => {
  const at = (t: number, over: Partial<Sample>): Sample => ({ at: t, video: [], audio: [], sentBytes: 0, layers: [], ...over });

  it('playout delay per step from the jitter buffer totals, p95', () => {
    // jitterBufferDelay sums each emitted sample's wait (s): 100 ms for 9600 samples adds 960.
    const delay = [0, 960, 1920, 1920 + 2 * 9600];
    const steps = [0, 1, 2, 3].map((i) => at(i * 200, { audio: [row({ id: 'a', jbDelay: delay[i], jbEmitted: i * 9600 })] }));
    // Steps 1 and 2: 100 ms each; step 3: 2 s.
    expect(playoutDelayP95Ms(steps.slice(0, 3))).toBeCloseTo(100);
    expect(playoutDelayP95Ms(steps)).toBeGreaterThan(1000);
    expect(playoutDelayP95Ms([steps[0]!])).toBeNull();
  });

  it('RTT above the link’s own, p95; none measured is null', () => {
    const s = [100, 320, 330, 900].map((rtt, i) => at(i, { rttMs: rtt }));
    expect(rttExcessP95Ms(s, 300)).toBe(600);
    expect(rttExcessP95Ms([at(0, {}), at(1, {})], 300)).toBeNull();
  });

  it('smallest picture among videos that were playing, not of stalled ones', () => {
    const a = at(0, { video: [row({ id: 'v1', frames: 10, height: 180 }), row({ id: 'v2', frames: 5, height: 22 })] });
    const b = at(200, { video: [row({ id: 'v1', frames: 13, height: 90 }), row({ id: 'v2', frames: 5, height: 22 })] });
    expect(minVideoHeight([a, b])).toBe(90);
    const c = at(400, { video: [row({ id: 'v1', frames: 16, height: 90 }), row({ id: 'v2', frames: 6, height: 22 })] });
    expect(minVideoHeight([a, b, c])).toBe(22);
  });

  it('concealment per sender, and the summary takes the worst pair (null if a sender was never heard)', () => {
    const a = at(0, { audio: [row({ id: 'x', peer: 'p2', samples: 0, concealed: 0 }), row({ id: 'y', peer: 'p3', samples: 0, concealed: 0 })] });
    const b = at(1000, { audio: [row({ id: 'x', peer: 'p2', samples: 48_000, concealed: 480 }), row({ id: 'y', peer: 'p3', samples: 48_000, concealed: 1440 })] });
    expect(concealmentBySender([a, b])).toEqual({ p2: 1, p3: 3 });
    const base = { name: 'P', profile: 'lan', expectsJoin: false, joinMs: null, g2gP50Ms: 1, g2gP95Ms: 1, g2gSamples: 1, audioConcealmentPct: 0, freezes: 0, freezeTotalMs: 0, maxFreezeMsAfter10s: 0, recvKbpsAvg: 0, sentKbpsAvg: 0, series: [], playoutDelayP95Ms: 1, rttExcessP95Ms: 1, minVideoHeight: 90, layerChangesPer10s: 0 };
    const ps: ParticipantMetrics[] = [
      { ...base, peerId: 'p1', concealmentBySender: { p2: 1, p3: 3 } },
      { ...base, peerId: 'p2', concealmentBySender: { p1: 0.5, p3: 0.2 } },
      { ...base, peerId: 'p3', concealmentBySender: { p1: 2.5, p2: 0.1 } },
    ];
    expect(worstPerSender(ps)).toBe(3);
    expect(worstPerSender([ps[0]!, { ...ps[1]!, concealmentBySender: { p3: 0 } }])).toBeNull();
  });

  it('layer changes: spatial and pause changes within any 10 s, temporal ones are free', () => {
    const L = (spatial: number | null, temporal = 0) => ({ id: 'c', target: spatial === null ? null : { spatial, temporal } as { spatial: number }, current: null, max: null, reason: null, budget: 0 });
    const seq = [L(0), L(0, 2), L(1), L(1), L(null), L(0), L(0)];
    const samples = seq.map((l, i) => at(i * 3000, { layers: [l] }));
    // Changes at 6 s (0 -> 1), 12 s (pause), 15 s (resume): three within 10 s.
    expect(maxLayerChangesPer10s(samples)).toBe(3);
    expect(maxLayerChangesPer10s(samples.slice(0, 4))).toBe(1);
  });

  it('budgets named min… are floors', () => {
    const result = { scenario: 's', summary: { minVideoHeight: 90, layerChangesPer10s: 2 } } as unknown as ScenarioResult;
    const v = checkBudgets(result, { s: { minVideoHeight: 90, layerChangesPer10s: 1 } });
    expect(v.map((x) => [x.metric, x.ok])).toEqual([['minVideoHeight', true], ['layerChangesPer10s', false]]);
  });
});

describe('several runs', () => {
  it('median and worst per budget; floors take the smallest; an unmeasured run is the worst', () => {
    const run = (summary: Record<string, number | null>) => ({ scenario: 's', summary }) as unknown as ScenarioResult;
    const rows = aggregateRuns('s', [run({ a: 3, minH: 90 }), run({ a: 1, minH: 180 }), run({ a: 2, minH: 90 })], { s: { a: 2.5, minH: 90 } });
    expect(rows).toEqual([
      { scenario: 's', metric: 'a', values: [3, 1, 2], median: 2, worst: 3, budget: 2.5, ok: false },
      { scenario: 's', metric: 'minH', values: [90, 180, 90], median: 90, worst: 90, budget: 90, ok: true },
    ]);
    expect(aggregateRuns('s', [run({ a: 1 }), run({ a: null })], { s: { a: 2 } })[0]).toMatchObject({ worst: null, median: 1, ok: false });
  });
});

describe('capacity', () => {
  const step = (consumers: number, workerCpuPct: number, deliveredPct = 100) => ({ consumers, workerCpuPct, nodeCpuPct: 1, deliveredPct });

  it('consumers at 80 % of a core, interpolated between the steps around it', () => {
    expect(at80([step(100, 20), step(200, 40), step(300, 60), step(400, 90)])).toBe(367);
    expect(at80([step(100, 20), step(200, 40)])).toBeNull(); // never reached: not extrapolated
    expect(at80([step(100, 70), step(200, 85, 80)])).toBeNull(); // delivery had broken
    expect(at80([step(100, 70), { ...step(200, 85), forwarding: 199 }])).toBeNull(); // our allocator left one paused
    expect(at80([step(100, 70), { ...step(200, 85), forwarding: 200 }])).toBe(167);
  });

  it('judges our code against mediasoup alone, by the worst room size', () => {
    const run = (name: string, full: boolean, consumersAt80: number | null) => ({ name, mode: 'srtp' as const, full, roomSize: 10, steps: [], consumersAt80, nodeCpuPer100: 1 });
    const v = capacityVerdicts([run('raw-srtp', false, 600), run('a', true, 570), run('b', true, 520)], { minFullVsRawPct: 90, minConsumersAt80Pct: 500 });
    expect(v.map((x) => [x.metric, Math.round(x.value!), x.ok])).toEqual([['minFullVsRawPct', 87, false], ['minConsumersAt80Pct', 520, true]]);
    expect(capacityVerdicts([run('raw-srtp', false, 600), run('a', true, null)], { minFullVsRawPct: 90, minConsumersAt80Pct: 500 }).every((x) => !x.ok)).toBe(true);
  });

  it('compares each room size with mediasoup alone in rooms of that size', () => {
    const run = (name: string, full: boolean, roomSize: number, consumersAt80: number) => ({ name, mode: 'srtp' as const, full, roomSize, steps: [], consumersAt80, nodeCpuPer100: 1 });
    const runs = [run('raw-srtp', false, 50, 660), run('full-50', true, 50, 630), run('raw-srtp-rooms-of-10', false, 10, 600), run('full-10', true, 10, 560)];
    // 630/660 = 95 %, 560/600 = 93 %: against the single-room run it would read 85 %.
    expect(Math.round(capacityVerdicts(runs, { minFullVsRawPct: 90, minConsumersAt80Pct: 500 })[0]!.value!)).toBe(93);
  });
});

describe('step-down validity', () => {
  const L = (target: number | null, max: number, reason: string | null = null) => ({ target: target === null ? null : { spatial: target }, current: null, max: { spatial: max }, reason, budget: 0 });
  const at = (t: number, over: Partial<Sample>): Sample => ({ at: t, video: [], audio: [], sentBytes: 0, layers: [], ...over });

  it('holds when the unshaped get what their tiles want and cameras are at the top', () => {
    const ok = [{ name: 'P1', stepped: false, samples: [at(9000, { layers: [L(2, 2)], rung: 0, rungReason: 'start' })] },
      { name: 'P3', stepped: true, samples: [at(9500, { layers: [L(0, 2)], rung: 0 })] }];
    expect(preconditionFailures(ok, 10_000)).toEqual([]);
  });

  it('names what does not hold: a lower layer, a pause, a camera stepped down for CPU', () => {
    const bad = [{ name: 'P1', stepped: false, samples: [at(9000, { layers: [L(1, 2), L(null, 2, 'bandwidth')], rung: 2, rungReason: 'cpu' })] },
      { name: 'P2', stepped: false, samples: [] }];
    expect(preconditionFailures(bad, 10_000)).toEqual([
      'P1 receives less than its tiles want (layer 1 of 2, paused (bandwidth) of 2)', "P1's camera is at rung 2 (cpu)", 'P2: no samples before the step',
    ]);
    // A rung capped by what others watch is not a failure.
    expect(preconditionFailures([{ name: 'P1', stepped: false, samples: [at(9000, { layers: [L(2, 2)], rung: 1, rungReason: 'cap' })] }], 10_000)).toEqual([]);
  });

  it('seconds with some video decoding; ladder changes over time', () => {
    const v = (frames: number) => [{ id: 'v', bytes: 0, frames, height: 90, concealed: 0, samples: 0, packets: 0 }];
    const samples = [0, 1000, 2000, 3000, 4000].map((t, i) => at(t, { video: v([0, 5, 5, 9, 12][i]!), rung: i < 2 ? 0 : 3, rungReason: i < 2 ? 'start' : 'bandwidth' }));
    expect(videoShownPct(samples, 0, 4000)).toBe(75); // 0-1 s, 2-3 s, 3-4 s; not 1-2 s
    expect(rungChanges(samples, 0)).toEqual([{ t: 0, rung: 0, reason: 'start' }, { t: 2, rung: 3, reason: 'bandwidth' }]);
  });
});
