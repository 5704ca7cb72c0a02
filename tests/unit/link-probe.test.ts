// Asking mediasoup to probe the link while a failure holds growth back (linkProbe.ts):
// when the Estimate asks, and how the receive ceiling makes mediasoup probe.
import { describe, expect, it } from 'vitest';
import type { types } from 'mediasoup';
import { Estimate } from '../../server/src/allocation/Estimate.js';
import { CEILING_APPROACH, LAG_CLEAN_MS, type LinkSigns } from '../../server/src/allocation/estimateTuning.js';
import { LINK_PROBE_MAX_MS, LINK_PROBE_MS, LinkProbeSchedule } from '../../server/src/allocation/linkProbe.js';
import { CAP_MIN_BPS, RecvCap } from '../../server/src/allocation/recvCap.js';

const CLEAR: LinkSigns = { queueMs: 5, cleanMs: LAG_CLEAN_MS };

/** A probe to 215 kbit/s at 3 s that collapses at once: 215k failed, the hold doubled. */
function failed(): Estimate {
  const e = new Estimate(110_000, { holdMs: 3000, probeIntervalMs: 1000, ceilingMs: 15_000 }, 0);
  e.update(110_000, 3000);
  e.update(90_000, 3200);
  expect(e.failedLevelBps).toBe(215_000);
  return e;
}

/** Feeds readings every 500 ms from `from` to `to`; returns when a link probe was asked for. */
function asks(e: Estimate, from: number, to: number, reading: (t: number) => number, signs: LinkSigns): number[] {
  const at: number[] = [];
  for (let t = from; t <= to; t += 500) {
    e.update(reading(t), t, e.bps, true, signs);
    if (e.takeLinkProbe()) at.push(t);
  }
  return at;
}

describe('link probes', () => {
  it('an app-limited clear link held by a failure is probed after a second, 5 s later, then not once the level is forgotten', () => {
    const e = failed();
    // mediasoup reads what is sent: nothing could ever forget the failed level.
    expect(asks(e, 3500, 30_000, () => e.bps, CLEAR)).toEqual([4000, 4000 + LINK_PROBE_MS]);
    expect(e.linkProbes).toBe(2);
    // 15 s after the failure the level is forgotten, and growth goes on by itself.
    expect(e.failedLevelBps).toBeNull();
    expect(e.bps).toBeGreaterThan(215_000);
  });

  it('while a failure holds growth back, the queue is read every tick (whether the link is clear goes by the last two readings)', () => {
    const e = failed();
    e.update(90_000, 3500, 90_000, true, { queueMs: 40, cleanMs: 0 });
    expect(e.wantsRtt).toBe(false); // the probe interval has not passed: not held yet
    e.update(90_000, 4000, 90_000, true, { queueMs: 40, cleanMs: 0 });
    expect(e.wantsRtt).toBe(true); // held by the doubled hold
    e.update(90_000, 4500, 90_000, false, { queueMs: 40, cleanMs: 0 });
    expect(e.wantsRtt).toBe(false); // nothing more wanted: nothing held
  });

  it('not where the link is not plainly clear (the edge link resends its random loss every second)', () => {
    expect(asks(failed(), 3500, 17_000, (t) => 90_000 + t, { queueMs: 5, cleanMs: LAG_CLEAN_MS - 1 })).toEqual([]);
    expect(asks(failed(), 3500, 17_000, (t) => 90_000 + t, { queueMs: 30, cleanMs: 60_000 })).toEqual([]);
    // The queue now decides, where known: a drained queue the median still remembers is clear.
    expect(asks(failed(), 3500, 9000, () => 90_000, { queueMs: 86, queueNowMs: 5, cleanMs: LAG_CLEAN_MS })).toEqual([4000, 9000]);
    expect(asks(failed(), 3500, 9000, () => 90_000, { queueMs: 5, queueNowMs: 40, cleanMs: LAG_CLEAN_MS })).toEqual([]);
  });

  it('a probe whose reading shows a link that came back forgets the level, and growth resumes at once', () => {
    const e = failed();
    // Held at the remembered level's approach after the hold ...
    expect(asks(e, 3500, 11_000, () => e.bps, CLEAR)).toEqual([4000, 9000]);
    expect(e.bps).toBeCloseTo(215_000 * CEILING_APPROACH, 0);
    // ... mediasoup's probe reads 650 kbit/s: 2 s of it with a calm queue forget the level.
    const steps: number[] = [];
    for (let t = 11_500; t <= 15_500; t += 500) { e.update(650_000, t, e.bps, true, CLEAR); if (e.bps !== steps.at(-1)) steps.push(Math.round(e.bps)); }
    expect(e.failedLevelBps).toBeNull();
    expect(steps.at(-1)).toBeGreaterThan(215_000);
  });

  it('the link counts as changed (linkChanges, for the tracks\' backoff) only by readings past twice a remembered failed level', () => {
    const e = failed();
    const high = (reading: number, from: number) => { for (let t = from; t <= from + 2500; t += 500) e.update(reading, t, e.bps, true, CLEAR); };
    high(300_000, 3500); // twice the budget (~110 kbit/s), not twice the failed 215
    expect(e.failedLevelBps).toBe(215_000);
    expect(e.linkChanges).toBe(0);
    high(650_000, 6500);
    expect(e.failedLevelBps).toBeNull();
    expect(e.linkChanges).toBeGreaterThan(0);
  });

  it('a budget merely waiting out its first hold is no failure: nothing is asked', () => {
    const e = new Estimate(1_000_000, { holdMs: 3000, probeIntervalMs: 1000 }, 0);
    e.update(150_000, 1000); // a drop, not a failed probe: the base hold
    expect(asks(e, 1500, 3500, () => 150_000, CLEAR)).toEqual([]);
  });
});

describe('LinkProbeSchedule', () => {
  it('asks at most every 5 s, twice as long after each ask that told nothing, up to 40 s; an answer brings it back to 5 s', () => {
    const s = new LinkProbeSchedule();
    const at: number[] = [];
    for (let t = 0; t <= 200_000; t += 1000) { s.held(t); if (s.take()) at.push(t); }
    expect(at).toEqual([0, 5000, 15_000, 35_000, 75_000, 75_000 + LINK_PROBE_MAX_MS, 75_000 + 2 * LINK_PROBE_MAX_MS, 75_000 + 3 * LINK_PROBE_MAX_MS]);
    s.answered();
    s.held(195_000 + LINK_PROBE_MS - 1);
    expect(s.take()).toBe(false);
    s.held(195_000 + LINK_PROBE_MS);
    expect(s.take()).toBe(true);
    expect(s.take()).toBe(false); // once
  });
});

describe('RecvCap link probe', () => {
  it('dips the ceiling to half and back (libwebrtc probes when its ceiling rises above its estimate)', async () => {
    const calls: number[] = [];
    const transport = {
      id: 't', closed: false,
      setMaxOutgoingBitrate: async (bps: number) => { calls.push(bps); },
      setMinOutgoingBitrate: async () => undefined,
    } as unknown as types.WebRtcTransport;
    const cap = new RecvCap();
    await cap.update(transport, 150_000, 50_000);
    expect(calls).toEqual([CAP_MIN_BPS]);
    await cap.update(transport, 150_000, 50_000, true);
    expect(calls).toEqual([CAP_MIN_BPS, CAP_MIN_BPS / 2, CAP_MIN_BPS]);
    await cap.update(transport, 150_000, 50_000);
    expect(calls).toHaveLength(3); // no probe asked: nothing changes
    // Under a user's cap the probe goes to that cap.
    cap.setUserCap(200_000);
    await cap.update(transport, 150_000, 50_000, true);
    expect(calls.slice(3)).toEqual([100_000, 200_000]);
  });
});

describe('growth after a link probe', () => {
  const grow = (signs: LinkSigns) => {
    const e = new Estimate(80_000, { holdMs: 3000, probeIntervalMs: 1000 }, 0);
    // mediasoup reads 600 kbit/s (its own probe got through) from 1 s on, the hold ends at 3 s.
    for (let t = 1000; t <= 3000; t += 250) e.update(600_000, t, 100_000, true, { sentBps: 100_000, wantBps: 900_000, ...signs });
    return e.bps;
  };
  it('on a plainly clear link, a reading at twice the budget for 2 s is where the next probe may go', () => {
    expect(grow(CLEAR)).toBe(600_000);
  });
  it('elsewhere probes step from the budget (x1.5 + 50 kbit/s, x2 at most), whatever mediasoup reads', () => {
    expect(grow({ queueMs: 5, cleanMs: LAG_CLEAN_MS - 1 })).toBe(160_000);
    expect(grow({ queueMs: 30, cleanMs: 60_000 })).toBe(160_000);
  });
});
