// Step-by-step scenarios for what the Estimate reads beside mediasoup's estimate: an
// app-limited link, a link that came back, the loss timer, and the queue (RTT above the link's own).
import { describe, expect, it } from 'vitest';
import { Estimate } from '../../server/src/allocation/Estimate.js';
import { APP_LIMITED_BAND, LAG_CLEAN_MS, LAG_QUEUE_MS, STANDING_MS, STANDING_QUEUE_MS } from '../../server/src/allocation/estimateTuning.js';
import { SubscriberAllocator } from '../../server/src/allocation/SubscriberAllocator.js';
import { LossEvidence } from '../../server/src/allocation/lossEvidence.js';
import { QueueingDelay } from '../../server/src/allocation/queueing.js';
import { cam } from './fixtures/camera.js';

describe('Estimate when app-limited', () => {
  it('a low measurement while we send even less is not congestion; below what we send is', () => {
    const e = new Estimate(1_000_000, { holdMs: 1000, probeIntervalMs: 500 }, 0);
    expect(e.update(300_000, 100, 200_000)).toBe(1_000_000); // sending 200k, BWE follows: keep the budget
    e.update(140_000, 200, 200_000);
    expect(e.update(140_000, 700, 200_000)).toBe(140_000); // BWE 30 % below what we send, for 500 ms: congestion
    // Recovery grows from our own budget while the BWE merely follows what is sent (+10 %).
    let now = 700;
    for (let i = 0; i < 12; i++) { now += 500; const used = e.bps * 0.9; e.update(used * 1.1, now, used); }
    expect(e.bps).toBeGreaterThan(1_000_000);
    // A link that really is capped at 160k: every probe fails, and the hold keeps doubling.
    const capped = new Estimate(160_000, { holdMs: 1000, probeIntervalMs: 500 }, 0);
    for (let t = 0; t < 20_000; t += 500) capped.update(Math.min(160_000, capped.bps * 0.9 * 1.1), t, capped.bps * 0.9);
    expect(capped.holdMs).toBeGreaterThanOrEqual(4000);
  });
});

describe('Estimate after congestion', () => {
  it('a reading below what is sent lags a link that is plainly clear (queue empty, nothing lost for LAG_CLEAN_MS): growth goes on', () => {
    const budget = (queueMs: number, cleanMs: number) => {
      const e = new Estimate(180_000, { holdMs: 3000 }, 0);
      for (let t = 0; t <= 4000; t += 250) e.update(42_000, t, 120_000, true, { queueMs, cleanMs, sentBps: 120_000 });
      return e.bps;
    };
    expect(budget(0, LAG_CLEAN_MS)).toBeGreaterThan(180_000); // the step-down link, back at 1 Mbit/s
    expect(budget(LAG_QUEUE_MS, LAG_CLEAN_MS)).toBeGreaterThan(180_000);
    expect(budget(0, LAG_CLEAN_MS - 1)).toBe(180_000); // the edge link: an empty queue, but random loss
    expect(budget(LAG_QUEUE_MS + 15, LAG_CLEAN_MS)).toBe(180_000);
  });

  it('the link is clean only while nothing is retransmitted either (a slow video\'s report can miss random loss)', () => {
    const run = (rtxBps: number) => {
      const a = new SubscriberAllocator({ lastN: 10, initialEstimateBps: 180_000 }, 0);
      a.setTrack(cam('a'));
      a.setRtt(41, 0); // the queue is known (empty) from the start
      for (let t = 0; t <= 6000; t += 250) {
        if (t % 1000 === 0) { a.setRtt(40 + (t % 2000 === 0 ? 0 : 1), t); a.setLoss(0, { stream: 'c', lost: 3 }, t); }
        a.setSent(120_000, rtxBps, t);
        a.setEstimate(42_000, t);
        a.update(t);
      }
      return a.linkBudget;
    };
    expect(run(0)).toBeGreaterThan(180_000);
    expect(run(3000)).toBe(180_000);
  });

  it('times how long the receiver reports lost nothing: a new loss or another stream starts again', () => {
    const l = new LossEvidence();
    expect(l.cleanMs(0)).toBe(0);
    l.add(0, { stream: 'a', lost: 5 }, 1000);
    expect(l.cleanMs(1000)).toBe(0); // a stream's first report: from now
    l.add(0, { stream: 'a', lost: 5 }, 2000);
    expect(l.cleanMs(4000)).toBe(3000);
    l.add(0.02, { stream: 'a', lost: 6 }, 4500); // one packet lost
    expect(l.cleanMs(5000)).toBe(500);
    l.add(0, { stream: 'b', lost: 0 }, 6000);
    expect(l.cleanMs(6000)).toBe(0);
    l.add(0, { stream: 'b', lost: 0 }); // no time: not known
    expect(l.cleanMs(9000)).toBe(0);
  });
});

describe('queueing delay gates a moderate drop', () => {
  it('the link’s own RTT (with jitter) is no queue; RTT well above it is', () => {
    const q = new QueueingDelay();
    expect(q.ms).toBeNull();
    // 300 ms +-80 of jitter, one reading a second.
    const jitter = [0, 60, -70, 20, -40, 80, -10, 30];
    jitter.forEach((j, i) => q.add(300 + j, i * 1000));
    expect(q.ms!).toBeLessThan(100);
    // The queue fills: 250 ms more for a few seconds.
    [0, 40, -30, 10].forEach((j, i) => q.add(550 + j, 8000 + i * 1000));
    expect(q.ms!).toBeGreaterThan(150);
  });

  it('counts each receiver report once: the stats repeat the last RTT until the next report', () => {
    const q = new QueueingDelay();
    [300, 310, 290, 305, 300].forEach((ms, i) => q.add(ms, i * 1000));
    expect(q.add(450, 5000)).toBe(true);
    expect(q.add(450, 5500)).toBe(false); // the same report, polled again
    expect(q.ms!).toBeLessThan(100); // one high report is jitter, however often it is polled
    q.add(460, 6000);
    expect(q.ms!).toBeGreaterThanOrEqual(100);
  });

  it('a quickly filling queue counts after two readings, one jitter spike does not', () => {
    const q = new QueueingDelay();
    [300, 320, 290, 310, 300].forEach((ms, i) => q.add(ms, i * 1000));
    q.add(420, 5000); // one spike (jitter)
    expect(q.ms!).toBeLessThan(100);
    q.add(300, 6000);
    q.add(430, 7000);
    q.add(450, 7500); // two in a row: the queue fills (the 5 s median still reads ~300)
    expect(q.ms!).toBeGreaterThanOrEqual(100);
  });

  it('the queue now: two low readings in a row show a drained queue at once, while the median still remembers it', () => {
    const q = new QueueingDelay();
    [150, 155, 150].forEach((ms, i) => q.add(ms, i * 1000)); // the link's own: 150 ms
    [240, 236, 238, 241].forEach((ms, i) => q.add(ms, 3000 + i * 1000)); // a standing queue of ~90 ms
    expect(q.nowMs!).toBeGreaterThan(80);
    q.add(152, 7000); // drained: one low reading could be luck of timing ...
    expect(q.nowMs!).toBeGreaterThan(80);
    q.add(154, 8000); // ... two in a row are not (jitter only adds delay)
    expect(q.nowMs!).toBeLessThanOrEqual(LAG_QUEUE_MS);
    expect(q.ms!).toBeGreaterThan(80); // the 5 s median still reads the queue that was
  });

  it('once congestion is confirmed, further drops follow at once for the hold time', () => {
    // 1 Mbit/s -> 150 kbit/s: mediasoup's estimate decays over seconds, with the queue full.
    const e = new Estimate(1_000_000, { holdMs: 3000 }, 0);
    e.update(600_000, 10_000, 1_000_000, false, { queueMs: 150, loss: 0.05 });
    expect(e.update(600_000, 10_500, 1_000_000, false, { queueMs: 150, loss: 0.05 })).toBe(600_000); // confirmed after 500 ms
    expect(e.update(400_000, 11_000, 600_000, false, { queueMs: 150, loss: 0.05 })).toBe(400_000); // no second confirmation
    expect(e.update(200_000, 11_500, 400_000, false, { queueMs: 150, loss: 0.05 })).toBe(200_000);
    // Without evidence nothing follows, even inside the window ...
    expect(e.update(150_000, 12_000, 200_000, false, { queueMs: 20, loss: 0.01 })).toBe(200_000);
    e.update(200_000, 12_500, 200_000, false, { queueMs: 20, loss: 0.01 }); // the reading recovers
    // ... and after the window a drop needs its confirmation again.
    const later = 11_500 + 3000;
    expect(e.update(150_000, later, 200_000, false, { queueMs: 150, loss: 0.05 })).toBe(200_000);
    expect(e.update(150_000, later + 500, 200_000, false, { queueMs: 150, loss: 0.05 })).toBe(150_000);
  });

  it('an estimate below what is sent, without a queue, is not congestion; with one it is', () => {
    const calm = new Estimate(300_000, { holdMs: 3000 }, 0);
    for (let t = 0; t <= 3000; t += 250) calm.update(120_000, t, 160_000, false, { queueMs: 40 });
    expect(calm.bps).toBe(300_000);
    const queued = new Estimate(300_000, { holdMs: 3000 }, 0);
    for (let t = 0; t <= 3000; t += 250) queued.update(120_000, t, 160_000, false, { queueMs: 150 });
    expect(queued.bps).toBe(120_000);
    // Even a reading under half of what is sent needs the queue, where RTT is known ...
    expect(calm.update(20_000, 3500, 160_000, false, { queueMs: 0 })).toBe(300_000);
    expect(calm.update(20_000, 3600, 160_000, false, { queueMs: 200 })).toBe(20_000); // ... and then acts at once
    // Heavy loss is evidence too (a queue overflowing drops far more than random loss).
    const lossy = new Estimate(300_000, { holdMs: 3000 }, 0);
    expect(lossy.update(120_000, 0, 160_000, false, { queueMs: 10, loss: 0.03 })).toBe(300_000);
    expect(lossy.suspect).toBe(true);
    expect(lossy.update(120_000, 600, 160_000, false, { queueMs: 10, loss: 0.03 })).toBe(300_000); // 3 %: random loss
    // 40 %: congestion, and the budget follows the reading.
    expect(lossy.update(120_000, 1200, 160_000, false, { queueMs: 10, loss: 0.4 })).toBe(120_000);
    expect(lossy.suspect).toBe(false);
    // The loss is one consumer's report, not what the link carries: right after a resume a
    // keyframe burst that overflowed a shallow queue read 94 % lost while the audio got
    // through. It is evidence, but the budget follows the reading, not sent x (1 - loss).
    const burst = new Estimate(261_000, { holdMs: 3000 }, 0);
    burst.update(150_000, 5000, 211_000, false, { queueMs: 55, loss: 0.9375 });
    expect(burst.update(150_000, 5500, 211_000, false, { queueMs: 55, loss: 0.9375 })).toBe(150_000);
    // With (almost) no video flowing, a reading 20 % below what is sent is no drop, even
    // with evidence; 30 % below is.
    const idle = new Estimate(193_000, { holdMs: 3000 }, 0);
    idle.update(52_000, 5000, 65_000, false, { queueMs: 7, loss: 0.2, idle: true });
    expect(idle.update(52_000, 5500, 65_000, false, { queueMs: 7, loss: 0.2, idle: true })).toBe(193_000);
    expect(idle.suspect).toBe(false);
    idle.update(45_000, 6000, 65_000, false, { queueMs: 7, loss: 0.2, idle: true });
    expect(idle.update(45_000, 6500, 65_000, false, { queueMs: 7, loss: 0.2, idle: true })).toBe(45_000);
    expect(APP_LIMITED_BAND).toBe(0.75);
    // Without RTT readings the estimate is all we have.
    const blind = new Estimate(300_000, { holdMs: 3000 }, 0);
    expect(blind.update(20_000, 100, 160_000, false, { queueMs: null })).toBe(20_000);
  });

  it('a queue that stands STANDING_QUEUE_MS above the link\'s own for STANDING_MS, with readings below what is sent, is congestion', () => {
    // The edge link: 184 kbit/s allowed, 170 sent, mediasoup reading 120-140.
    const run = (queueMs: number, ms: number, reading: (t: number) => number = (t) => (t % 1000 ? 120_000 : 140_000)) => {
      const e = new Estimate(184_000, { holdMs: 3000 }, 0);
      for (let t = 0; t <= ms; t += 250) e.update(reading(t), t, 170_000, false, { queueMs });
      return e.bps;
    };
    expect(run(STANDING_QUEUE_MS, STANDING_MS)).toBe(140_000); // the best reading of the period
    expect(run(STANDING_QUEUE_MS, STANDING_MS - 250)).toBe(184_000);
    expect(run(STANDING_QUEUE_MS - 5, 10_000)).toBe(184_000); // the link's jitter
    expect(run(80, 10_000, () => 180_000)).toBe(184_000); // mediasoup reads what is sent: no drop
    // After the drop the queue must stand anew: the next low reading is no drop at once.
    const e = new Estimate(184_000, { holdMs: 3000 }, 0);
    for (let t = 0; t <= STANDING_MS; t += 250) e.update(140_000, t, 170_000, false, { queueMs: 60 });
    expect(e.bps).toBe(140_000);
    for (let t = STANDING_MS + 250; t < 2 * STANDING_MS; t += 250) e.update(100_000, t, 130_000, false, { queueMs: 60 });
    expect(e.bps).toBe(140_000);
    expect(e.update(100_000, 2 * STANDING_MS + 250, 130_000, false, { queueMs: 60 })).toBe(100_000);
  });
});
