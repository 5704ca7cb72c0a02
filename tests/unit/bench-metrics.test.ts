// bench/src/metrics.ts: the numbers every budget is judged by, from recorded page data.
import { describe, expect, it } from 'vitest';
import {
  atBest, atLowest, concealmentPct, freezesIn, maxAudioInterruptionMs, participantMetrics, percentile, series, summarize, timeUntil, worstOrNull,
  type PageRecord, type ParticipantMetrics, type Sample, type StreamRow,
} from '../../bench/src/metrics.js';

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
      name: 'P2', profile: 'lan', openedAt: 0, start: 0, end: 30_000, expectsRemoteVideo: true,
      record: record({ firstFrameAt: 1500, lastFrameAt: { p1: 12_000 }, pausedNow: { p1: false }, samples: [sample(0, { samples: 0, concealed: 0 }), sample(30_000, { samples: 48_000, concealed: 0 })] }),
    });
    expect(m.freezes).toBe(1);
    expect(m.maxFreezeMsAfter10s).toBe(18_000);
    expect(m.joinMs).toBe(1500);
    expect(m.g2gP50Ms).toBeNull();
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
    freezes: 0, freezeTotalMs: 0, maxFreezeMsAfter10s: 0, recvKbpsAvg: 1, sentKbpsAvg: 1, series: [], ...over,
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
