// A subscriber whose packets are resent at a large share backs off before mediasoup's estimate
// moves (nackPressure.ts, Estimate.resendShare), and its audio resends stop.
import { describe, expect, it } from 'vitest';
import { Estimate } from '../../server/src/allocation/Estimate.js';
import { RESEND_BACKOFF_MS, RESEND_CONGESTION_SHARE, RESEND_KEEP } from '../../server/src/allocation/estimateTuning.js';
import { NACK_BASELINE_MAX_MS, NACK_MEASURE_MS, NACK_MIN_PACKETS, NACK_WAKE_EVENTS, NACK_WAKE_MS, NackPressure, type SentCounts } from '../../server/src/allocation/nackPressure.js';
import { SubscriberAllocator } from '../../server/src/allocation/SubscriberAllocator.js';

const counts = (entries: [string, number, number][]): Map<string, SentCounts> => new Map(entries.map(([id, packets, resent]) => [id, { packets, resent }]));

describe('NackPressure', () => {
  it('takes a baseline at the first NACK, then a verdict only after several NACKs', () => {
    const p = new NackPressure();
    p.noteEvent(1000);
    expect(p.takeDue(1000)).toBe(true); // no baseline yet
    expect(p.measure(counts([['a', 100, 0]]), 1000)).toBeNull();
    for (let i = 1; i < NACK_WAKE_EVENTS - 1; i++) p.noteEvent(1000 + i * 10);
    expect(p.takeDue(1000 + NACK_MEASURE_MS)).toBe(false); // too few NACKs for a verdict
    p.noteEvent(1000 + NACK_MEASURE_MS);
    expect(p.takeDue(1000 + NACK_MEASURE_MS)).toBe(true);
    expect(p.measure(counts([['a', 140, 20]]), 1000 + NACK_MEASURE_MS)).toBe(0.5);
  });

  it('measures at most every NACK_MEASURE_MS', () => {
    const p = new NackPressure();
    for (let i = 0; i < NACK_WAKE_EVENTS; i++) p.noteEvent(1000);
    expect(p.takeDue(1000)).toBe(true);
    p.noteEvent(1010);
    expect(p.takeDue(1010)).toBe(false);
    expect(p.takeDue(1000 + NACK_MEASURE_MS)).toBe(true); // still no baseline: one is due
  });

  it('forgets NACKs older than the window (a weak link asks now and then)', () => {
    const p = new NackPressure();
    p.noteEvent(0);
    expect(p.takeDue(0)).toBe(true);
    p.measure(counts([['a', 100, 0]]), 0);
    for (let i = 1; i < 3; i++) p.noteEvent(i * NACK_WAKE_MS); // one per window
    expect(p.takeDue(2 * NACK_WAKE_MS)).toBe(false);
  });

  it('keeps its baseline while too few packets were sent to tell', () => {
    const p = new NackPressure();
    p.measure(counts([['a', 100, 0]]), 1000);
    expect(p.measure(counts([['a', 100 + NACK_MIN_PACKETS - 1, 20]]), 1200)).toBeNull();
    expect(p.measure(counts([['a', 100 + NACK_MIN_PACKETS, 24]]), 1300)).toBeCloseTo(24 / NACK_MIN_PACKETS, 6);
  });

  it.each<[string, [string, number, number][], [string, number, number][], number, number | null]>([
    ['a share of the packets sent since the baseline, summed over consumers', [['a', 100, 0], ['v', 200, 10]], [['a', 125, 6], ['v', 225, 31]], 250, 27 / 50],
    ['random loss: a few %', [['a', 100, 0], ['v', 200, 0]], [['a', 150, 1], ['v', 250, 1]], 250, 0.02],
    ['a baseline too old says nothing', [['a', 100, 0]], [['a', 200, 60]], NACK_BASELINE_MAX_MS + 1, null],
    ['a consumer new since the baseline is left out', [['a', 100, 0]], [['a', 140, 4], ['v', 500, 400]], 250, 0.1],
  ])('%s', (_name, before, after, dt, share) => {
    const p = new NackPressure();
    expect(p.measure(counts(before), 1000)).toBeNull(); // the first measurement is a baseline
    const got = p.measure(counts(after), 1000 + dt);
    if (share === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(share, 6);
  });
});

describe('Estimate.resendShare', () => {
  /** A settled subscriber at 600k, RTT known, mediasoup reading high. */
  function settled(): Estimate {
    const e = new Estimate(600_000, { holdMs: 3000, probeIntervalMs: 1000, probeNeedsRtt: true }, 0);
    e.queueSeen(9000);
    e.update(900_000, 10_000, 420_000, false, { queueMs: 10, sentBps: 420_000 });
    return e;
  }

  it('backs off to a quarter of what is sent, without waiting for mediasoup', () => {
    const e = settled();
    expect(e.resendShare(1.2, 10_500, 420_000)).toBeCloseTo(420_000 * RESEND_KEEP, 0);
    expect(e.congestedAt).toBe(10_500);
    expect(settled().resendShare(RESEND_CONGESTION_SHARE, 10_500, 420_000)).toBeCloseTo(420_000 * RESEND_KEEP, 0);
  });

  it('from the budget where that is below what is sent (a resend storm inflates what goes out)', () => {
    expect(settled().resendShare(1.2, 10_500, 900_000)).toBeCloseTo(600_000 * RESEND_KEEP, 0);
  });

  it('ignores the share of random loss, bursts included (lossy-burst read up to 0.55)', () => {
    expect(settled().resendShare(RESEND_CONGESTION_SHARE - 0.01, 10_500, 420_000)).toBe(600_000);
  });

  it('backs off at most once per RESEND_BACKOFF_MS: the receiver still asks for what was lost before', () => {
    const e = settled();
    const first = e.resendShare(1.2, 10_500, 420_000);
    expect(e.resendShare(1.3, 10_500 + RESEND_BACKOFF_MS - 1, 420_000)).toBe(first);
    expect(e.resendShare(1.1, 10_500 + RESEND_BACKOFF_MS, first)).toBeCloseTo(first * RESEND_KEEP, 0);
  });

  it('follows mediasoup down at once after the back-off (a confirmed drop)', () => {
    const e = settled();
    e.resendShare(1.2, 10_500, 420_000); // 105k
    expect(e.update(90_000, 10_800, 105_000, false, { queueMs: 200, sentBps: 500_000 })).toBe(90_000);
  });

  it('a probe whose traffic is resent failed: the next growth waits twice as long', () => {
    const e = new Estimate(120_000, { holdMs: 3000, probeIntervalMs: 1000 }, 0);
    e.queueSeen(2500);
    const probe = e.update(400_000, 3000, 100_000, true, { queueMs: 30 });
    expect(probe).toBeGreaterThan(120_000);
    e.resendShare(1.0, 3500, 200_000);
    expect(e.holdMs).toBe(6000);
    expect(e.failedLevelBps).toBe(probe);
  });
});

describe('SubscriberAllocator: a retransmission storm by NACKs', () => {
  it('flushes audio resends while a resend share this high is recent after a back-off, not later', () => {
    const a = new SubscriberAllocator({ lastN: 4, initialEstimateBps: 600_000 }, 0);
    a.setSent(420_000, 0, 9_000);
    expect(a.retransmissionStorm(10_000)).toBe(false);
    a.setResendShare(0.7, 10_000); // below the threshold: neither a back-off nor a storm
    expect(a.retransmissionStorm(10_000)).toBe(false);
    a.setResendShare(1.2, 10_000);
    expect(a.retransmissionStorm(10_100)).toBe(true);
    expect(a.retransmissionStorm(11_100)).toBe(false); // the share is a second old
  });

  it('a high share without a back-off (within RESEND_BACKOFF_MS of the last drop) still counts once congested', () => {
    const a = new SubscriberAllocator({ lastN: 4, initialEstimateBps: 600_000 }, 0);
    a.setSent(420_000, 0, 9_000);
    a.setResendShare(1.2, 10_000);
    a.setResendShare(0.9, 10_400);
    expect(a.retransmissionStorm(10_500)).toBe(true);
    expect(a.trace(10_500).resendShare).toBe(0.9);
  });
});
