// Step-by-step scenarios for the stateful parts: the estimate's hysteresis and the
// per-subscriber allocator's diffs.
import { describe, expect, it } from 'vitest';
import { Estimate } from '../../server/src/allocation/Estimate.js';
import { APP_LIMITED_BAND, CEILING_APPROACH, LAG_CLEAN_MS, LAG_QUEUE_MS, PENDING_MAX_MS, PROBE_SEEN_MS, RTX_EVIDENCE } from '../../server/src/allocation/estimateTuning.js';
import { CUT_OVER_MS, FLOOR_MAX_BPS, SubscriberAllocator, UP_HOLD_MS } from '../../server/src/allocation/SubscriberAllocator.js';
import { LINK_CHANGED_MS } from '../../server/src/allocation/keyframeLink.js';
import { LOSS_MIN_PACKETS, LossEvidence } from '../../server/src/allocation/lossEvidence.js';
import { QueueingDelay } from '../../server/src/allocation/queueing.js';
import type { TrackInput } from '../../server/src/allocation/types.js';

const CAM = [[50_000, 75_000, 100_000], [150_000, 225_000, 300_000], [450_000, 675_000, 900_000]];
// A 360p camera (90 / 180 / 360): its keyframes fit the links these tests use (KEYFRAME_MAX_MS).
const cam = (id: string, over: Partial<TrackInput> = {}): TrackInput => ({
  id, source: 'camera', bitrates: CAM, layerHeights: [90, 180, 360], tileHeight: 720, visible: true,
  pinned: false, speaking: false, lastSpokeAt: 0, producerPaused: false, ...over,
});

describe('Estimate', () => {
  it('drops at once, grows only after the hold time, in careful steps', () => {
    const e = new Estimate(1_000_000, { holdMs: 3000, probeIntervalMs: 1000 }, 0);
    expect(e.update(1_000_000, 500)).toBe(1_000_000);
    expect(e.update(150_000, 1000)).toBe(150_000); // congestion: immediately
    expect(e.holdMs).toBe(3000); // not a failed probe: nothing was probed
    expect(e.update(1_000_000, 2000)).toBe(150_000); // recovered measurement: not yet
    expect(e.update(1_000_000, 3900)).toBe(150_000); // still inside the hold time
    const first = e.update(1_000_000, 4000);
    expect(first).toBe(275_000); // x1.5 + 50 kbit/s from our own budget, not from the measurement
    expect(e.update(1_000_000, 4500)).toBe(275_000); // one probe per interval
    let now = 4500;
    let bps = first;
    const steps = [first];
    while (bps < 1_000_000 && now < 60_000) { now += 500; bps = e.update(1_000_000, now); if (bps !== steps.at(-1)) steps.push(bps); }
    expect(steps).toEqual([275_000, 462_500, 743_750, 1_165_625]);
    expect(now).toBe(7000);
  });

  it('an absurd measurement does not inflate the budget: probes grow from the budget, and only while wanted', () => {
    // mediasoup reported 200 Mbit/s on a jittery 256 kbit/s link (edge-3 run, 2026-11-25).
    const e = new Estimate(250_000, { holdMs: 3000, probeIntervalMs: 1000 }, 0);
    for (let t = 500; t <= 3000; t += 500) e.update(204_000_000, t, 150_000, false);
    expect(e.bps).toBe(250_000); // nobody wanted more: no probe
    e.update(204_000_000, 3500, 150_000, true);
    expect(e.bps).toBe(425_000); // one careful step, not towards 200 Mbit/s
    e.update(204_000_000, 3700, 150_000, true);
    expect(e.bps).toBe(425_000);
  });

  it('ignores small dips (dead band) and backs off after a failed probe', () => {
    const e = new Estimate(500_000, { holdMs: 1000, probeIntervalMs: 500 }, 0);
    expect(e.update(480_000, 100)).toBe(500_000); // -4 %: noise
    e.update(500_000, 1200); // probe up
    expect(e.bps).toBeGreaterThan(500_000);
    e.update(400_000, 1500); // low after the probe ...
    e.update(400_000, 2000); // ... and still low 500 ms later: the probe failed
    expect(e.bps).toBe(400_000);
    expect(e.holdMs).toBe(2000);
    e.update(150_000, 2100); // a further drop (a collapse) of the same failure ...
    expect(e.holdMs).toBe(2000); // ... does not double the hold again
    e.update(400_000, 2200);
    expect(e.update(500_000, 3100)).toBe(150_000); // 1.1 s later: the doubled hold still holds
    expect(e.update(500_000, 4200)).toBeGreaterThan(150_000); // 2 s after the last drop it probes again
  });

  it('readings at twice the budget for 2 s reset a hold that failed probes doubled', () => {
    const e = new Estimate(100_000, { holdMs: 3000, probeIntervalMs: 1000 }, 0);
    e.update(100_000, 3000); // probe: 200k
    e.update(40_000, 3200); // collapse right after it: failed, hold 6 s
    expect(e.holdMs).toBe(6000);
    expect(e.bps).toBe(40_000);
    const idle = (bps: number, t: number, video = false) => e.update(bps, t, Infinity, true, { queueMs: null, loss: null, idle: !video });
    idle(90_000, 3500); // the link came back: mediasoup reads more than twice our budget, the queue calm ...
    idle(90_000, 5000);
    expect(e.holdMs).toBe(6000); // ... for 1.5 s: not yet
    idle(90_000, 5500);
    expect(e.holdMs).toBe(3000); // 2 s: back to the base hold
    expect(idle(90_000, 6200)).toBe(80_000); // and probing resumes 3 s after the drop (x2 at most)
    // With the queue 60 ms above the link's own, a high reading says nothing (mediasoup read
    // 240-280 kbit/s on the jittery 256 kbit/s edge link).
    const busy = new Estimate(100_000, { holdMs: 3000, probeIntervalMs: 1000 }, 0);
    busy.update(100_000, 3000);
    busy.update(40_000, 3200);
    for (let t = 3500; t <= 6000; t += 500) busy.update(90_000, t, Infinity, true, { queueMs: 60, loss: null, idle: false });
    expect(busy.holdMs).toBe(6000);
  });

  // step-down-3: the link came back from 150 kbit/s to 1 Mbit/s; mediasoup read 640-920 kbit/s
  // with a calm queue while the budget climbed 66 -> 132 -> 247 -> 421 -> 682 -> 1072 kbit/s.
  it('probes go at most to twice what is really sent (plus the probe floor), whatever mediasoup reads', () => {
    const climb = (sent: (budget: number) => number) => {
      const e = new Estimate(66_000, { holdMs: 3000, probeIntervalMs: 1000 }, 0);
      const steps: number[] = [];
      for (let t = 500; t <= 12_000; t += 500) {
        const b = e.update(8_000_000, t, sent(e.bps), true, { queueMs: 2, loss: 0, sentBps: sent(e.bps) });
        if (b !== (steps.at(-1) ?? 66_000)) steps.push(b);
      }
      return steps;
    };
    // The edge link: mediasoup read several Mbit/s while ~150 kbit/s went out.
    expect(climb(() => 150_000)).toEqual([132_000, 248_000, 350_000]);
    // Traffic that follows the budget: the usual steps (x1.5 + 50 kbit/s, x2 at most).
    expect(climb((b) => b * 0.9).slice(0, 3)).toEqual([132_000, 248_000, 422_000]);
  });

  it('on a plainly clear link probes may go to all the allocation wants, not only to twice what is sent', () => {
    const climb = (cleanMs: number) => {
      const e = new Estimate(234_000, { holdMs: 3000, probeIntervalMs: 1000 }, 0);
      const steps: number[] = [];
      for (let t = 500; t <= 12_000; t += 500) {
        const b = e.update(1_000_000, t, 110_000, true, { queueMs: 1, loss: 0, cleanMs, sentBps: 110_000, nextBps: 300_000, wantBps: 900_000 });
        if (b !== (steps.at(-1) ?? 234_000)) steps.push(b);
      }
      return steps;
    };
    // Loopback: one 180p layer out, two 360p wanted.
    expect(climb(LAG_CLEAN_MS)).toEqual([401_000, 651_500, 900_000]);
    // Something was lost or resent within LAG_CLEAN_MS: twice what is sent, or the next step.
    expect(climb(LAG_CLEAN_MS - 1)).toEqual([300_000]);
  });

  it('a reading at twice the budget with a queue not known calm asks for the queue every tick, while more is wanted', () => {
    const e = new Estimate(130_000, { holdMs: 3000, probeIntervalMs: 1000 }, 0);
    e.update(300_000, 500, 120_000, true, { queueMs: 80 });
    expect(e.suspect).toBe(false); // nothing reads low, nothing is probed ...
    expect(e.wantsRtt).toBe(true); // ... but the queue decides whether the link came back
    e.update(300_000, 1000, 120_000, true, { queueMs: 10 });
    expect(e.wantsRtt).toBe(false); // judged: calm
    e.update(300_000, 1500, 120_000, false, { queueMs: 80 });
    expect(e.wantsRtt).toBe(false); // nobody wants more: no hurry
    e.update(200_000, 2000, 120_000, true, { queueMs: 80 });
    expect(e.wantsRtt).toBe(false); // not twice the budget
  });

  it('after a failed probe, probes stop at 85 % of the level that failed while it is remembered, longer after each failure', () => {
    const e = new Estimate(110_000, { holdMs: 3000, probeIntervalMs: 1000, ceilingMs: 15_000 }, 0);
    e.update(110_000, 3000); // probe: 215k
    expect(e.bps).toBe(215_000);
    e.update(90_000, 3200); // collapse right after it: 215k failed
    const steps: number[] = [];
    let t = 3500;
    for (; t <= 18_000; t += 500) { const b = Math.round(e.update(e.bps, t)); if (b !== steps.at(-1)) steps.push(b); }
    // x2 at most, then at 85 % of 215k it stays (small steps beyond it still switched the
    // failed layer on again: the budget's step is not the traffic's step).
    expect(steps).toEqual([90_000, 180_000, Math.round(215_000 * CEILING_APPROACH)]);
    // 15 s after the failure the level is forgotten: the next probe goes beyond it ...
    for (; t <= 19_000; t += 500) e.update(e.bps, t);
    expect(e.bps).toBeGreaterThan(215_000);
    const failedAgain = e.bps;
    e.update(50_000, t); // ... fails again (a collapse right after it) ...
    const failedAt = t;
    for (t += 500; t <= failedAt + 25_000; t += 500) e.update(e.bps, t);
    // ... and is remembered for twice as long: 25 s later probes still stop below it.
    expect(e.bps).toBeCloseTo(failedAgain * CEILING_APPROACH, 0);
  });

  it('a probe that fills the queue fails at once, back to where the queue was calm, whatever mediasoup reads', () => {
    const e = new Estimate(120_000, { holdMs: 3000, probeIntervalMs: 1000 }, 0);
    const read = (t: number, queueMs: number | null) => e.update(400_000, t, e.bps * 0.9, true, { queueMs, loss: 0.02 });
    read(3000, 30); // probe: 230k
    expect(e.bps).toBe(230_000);
    expect(e.suspect).toBe(true); // RTT is read every tick until the probe has its verdict
    read(3500, 40);
    expect(e.bps).toBe(230_000);
    read(4000, 40); // a second probe (the queue has not shown the first one yet)
    expect(e.bps).toBe(395_000);
    read(4500, 180); // the queue fills: mediasoup still reads 400k, yet the probes failed
    expect(e.bps).toBe(120_000);
    expect(e.holdMs).toBe(6000);
    expect(e.suspect).toBe(false);
    // No growth into a full queue, either: the hold passes, the queue is still 120 ms.
    for (let t = 5000; t <= 12_000; t += 500) read(t, 120);
    expect(e.bps).toBe(120_000);
    // The first step above the calm level is remembered as failed (it may have begun the
    // queue): later probes stop at 85 % of 230k, not of 395k, though mediasoup reads 400k.
    for (let t = 12_500; t <= 19_000; t += 500) read(t, 30);
    expect(e.bps).toBeCloseTo(230_000 * CEILING_APPROACH, 0);
  });

  it('with probeNeedsRtt, nothing is probed before the first RTT reading', () => {
    const e = new Estimate(150_000, { holdMs: 3000, probeIntervalMs: 1000, probeNeedsRtt: true }, 0);
    for (let t = 500; t <= 6000; t += 500) e.update(467_000, t, 100_000, true);
    expect(e.bps).toBe(150_000);
    e.queueSeen(5800);
    e.update(467_000, 6500, 100_000, true, { queueMs: 20 });
    expect(e.bps).toBe(275_000);
  });

  it('where RTT is measured, a probe waits for a report that saw the previous one', () => {
    const e = new Estimate(120_000, { holdMs: 3000, probeIntervalMs: 1000 }, 0);
    e.queueSeen(2500);
    e.update(400_000, 3000, 100_000, true, { queueMs: 30 }); // probe: 230k
    expect(e.bps).toBe(230_000);
    e.queueSeen(3500); // a report whose round trip began half a second into the probe
    e.update(400_000, 4000, 200_000, true, { queueMs: 30 });
    expect(e.bps).toBe(230_000); // no verdict yet: no second probe
    e.queueSeen(4100); // one that saw a second of it, calm
    e.update(400_000, 4500, 200_000, true, { queueMs: 30 });
    expect(e.bps).toBe(395_000);
  });

  it('a probe counts from when its layers arrive: verdict, next probe and fallback wait for them', () => {
    const e = new Estimate(120_000, { holdMs: 3000, probeIntervalMs: 1000 }, 0);
    e.queueSeen(2500);
    e.update(400_000, 3000, 100_000, true, { queueMs: 30 }); // probe: 230k, a layer switches on
    expect(e.bps).toBe(230_000);
    // Its keyframe takes 2.5 s: reports meanwhile saw none of the probe's traffic.
    for (let t = 3500; t <= 5500; t += 500) {
      e.upgradePending(t);
      e.queueSeen(t - 300);
      e.update(400_000, t, 100_000, true, { queueMs: 30 });
      expect(e.bps).toBe(230_000); // no second probe on the strength of those
    }
    expect(e.suspect).toBe(true); // the verdict is still open: RTT every tick
    // The layer arrived at 5500; a second later the queue fills: back to before the probe.
    e.queueSeen(6000);
    e.update(400_000, 6500, 200_000, true, { queueMs: 150 });
    expect(e.bps).toBe(120_000);
    // Without the pending layer the second probe would have come at 4000.
    const eager = new Estimate(120_000, { holdMs: 3000, probeIntervalMs: 1000 }, 0);
    eager.queueSeen(2500);
    eager.update(400_000, 3000, 100_000, true, { queueMs: 30 });
    eager.queueSeen(4000);
    eager.update(400_000, 4000, 100_000, true, { queueMs: 30 });
    expect(eager.bps).toBe(395_000);
  });

  it('a layer that never arrives holds a probe back for PENDING_MAX_MS at most', () => {
    const e = new Estimate(120_000, { holdMs: 3000, probeIntervalMs: 1000 }, 0);
    e.queueSeen(2500);
    e.update(400_000, 3000, 100_000, true, { queueMs: 30 });
    let t = 3000;
    while (e.bps === 230_000 && t < 20_000) { t += 500; e.upgradePending(t); e.queueSeen(t - 300); e.update(400_000, t, 100_000, true, { queueMs: 30 }); }
    expect(e.bps).toBeGreaterThan(230_000);
    expect(t).toBeLessThanOrEqual(3000 + PENDING_MAX_MS + PROBE_SEEN_MS + 1000);
    expect(t).toBeGreaterThan(3000 + PENDING_MAX_MS);
  });

  it('one low reading is noise; a sustained drop or a collapse is congestion', () => {
    const e = new Estimate(1_000_000, { holdMs: 3000 }, 0);
    expect(e.update(700_000, 100)).toBe(1_000_000); // one dip (random loss)
    expect(e.update(1_000_000, 350)).toBe(1_000_000); // gone again: nothing happened
    expect(e.update(700_000, 600)).toBe(1_000_000);
    expect(e.update(650_000, 850)).toBe(1_000_000);
    expect(e.update(600_000, 1100)).toBe(700_000); // 500 ms low: the best of those readings
    expect(e.update(100_000, 1200)).toBe(100_000); // under half of what we send: at once
  });

  it('retransmissions are congestion evidence before the queue or the receiver reports show it', () => {
    // The step-down link fell from 1 Mbit/s to 150 kbit/s: mediasoup read 301 -> 164 kbit/s
    // while ~640 went out, the RTT median still calm and the last receiver report lossless,
    // but 59 % of what went out were retransmissions.
    const read = (e: Estimate, t: number, rtx: number | null) => e.update(164_000, t, 640_000, false, { queueMs: 5, loss: 0, idle: false, rtxShare: rtx });
    const edgeLike = new Estimate(1_000_000, { holdMs: 3000 }, 0);
    expect(read(edgeLike, 100, 0.15)).toBe(1_000_000); // a lossy link's retransmissions: no evidence
    expect(read(edgeLike, 1100, 0.15)).toBe(1_000_000); // not even after a second
    const stepped = new Estimate(1_000_000, { holdMs: 3000 }, 0);
    expect(read(stepped, 100, RTX_EVIDENCE)).toBe(164_000); // a collapse with retransmissions: at once
    expect(read(new Estimate(1_000_000, { holdMs: 3000 }, 0), 100, null)).toBe(1_000_000); // unknown share: no evidence
  });
});

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

describe('SubscriberAllocator', () => {
  it('step down to 150 kbit/s and back: fast down, no upgrade before the hold time, then recovery', () => {
    const s = new SubscriberAllocator({ lastN: 10, initialEstimateBps: 2_000_000, estimate: { holdMs: 3000 } }, 0);
    s.setAudioBitrate(60_000);
    s.setTrack(cam('speaker', { speaking: true }));
    s.setTrack(cam('other', { tileHeight: 180 }));
    let u = s.update(0);
    expect(u.changed.map((t) => [t.id, t.target])).toEqual([
      ['speaker', { spatial: 2, temporal: 2 }], ['other', { spatial: 1, temporal: 2 }],
    ]);

    s.setEstimate(150_000, 1000);
    u = s.update(1000);
    expect(s.videoBudget).toBe(90_000);
    expect(Object.fromEntries(u.allocation.tracks.map((t) => [t.id, t.target ?? t.pausedReason]))).toEqual({
      speaker: { spatial: 0, temporal: 1 }, other: 'bandwidth',
    });

    // The link is back, but we wait: no upgrade within the hold time.
    for (let t = 1500; t < 4000; t += 500) { s.setEstimate(2_000_000, t); expect(s.update(t).changed).toEqual([]); }
    // Then it climbs step by step to full quality.
    let now = 4000;
    for (; now < 40_000; now += 500) {
      s.setEstimate(2_000_000, now);
      u = s.update(now);
      if (u.allocation.tracks.every((t) => !t.deficient)) break;
    }
    expect(u.allocation.tracks.map((t) => t.target)).toEqual([{ spatial: 2, temporal: 2 }, { spatial: 1, temporal: 2 }]);
    // 3 s estimate hold and 1 s probes; each track's layer rises at most once per UP_HOLD_MS.
    expect(now).toBeLessThan(12_000);
  });

  it("a new subscriber on a narrow link: no layer priced by a sender's first seconds, none whose keyframe the link cannot drain", () => {
    // The edge-3 trace: a 150 kbit/s start, two audio reserves, two 360p cameras 1.5 s old
    // (90p / 180p measured at 3-7 kbit/s). Taken as measured, both videos got 180p (and
    // one its full frame rate) on a 70 kbit/s budget; they settled at 60 and 300 kbit/s.
    const s = new SubscriberAllocator({ lastN: 10, initialEstimateBps: 150_000 }, 0);
    s.setAudioBitrate(80_000);
    s.setTrack(cam('a', { layerHeights: [90, 180, 360], tileHeight: 170, bitrates: [[3139, 4905, 7398], [2419, 2989, 4384], [0, 0, 0]] }));
    s.setTrack(cam('b', { layerHeights: [90, 180, 360], tileHeight: 170, bitrates: [[2362, 3284, 5300], [3629, 4762, 7092], [0, 0, 0]] }));
    const u = s.update(0);
    expect(u.allocation.tracks.map((t) => t.target)).toEqual([{ spatial: 0, temporal: 1 }, { spatial: 0, temporal: 1 }]);
    expect(u.allocation.used).toBeLessThanOrEqual(s.videoBudget);
    // Settled rates and a budget that covers two 180p streams, but a 256 kbit/s link: 180p
    // keyframes (~8.5 KB, 270 ms of the link) stay away; it still asks for a probe.
    const settled = [[24_000, 37_000, 62_000], [140_000, 200_000, 300_000], [0, 0, 0]];
    s.patchTrack('a', { bitrates: settled });
    s.patchTrack('b', { bitrates: settled });
    s.setCap(256_000);
    s.setAudioBitrate(0);
    const capped = s.update(10_000);
    expect(capped.allocation.tracks.map((t) => t.target?.spatial)).toEqual([0, 0]);
  });

  it("a probe's budget lets no keyframe in that mediasoup's readings say the link cannot drain; a flowing layer stays", () => {
    const settled = [[24_000, 37_000, 62_000], [140_000, 200_000, 300_000], [0, 0, 0]];
    const s = new SubscriberAllocator({ lastN: 10, initialEstimateBps: 1_000_000 }, 0);
    s.setTrack(cam('a', { layerHeights: [90, 180, 360], tileHeight: 170, bitrates: settled }));
    // A budget of 1 Mbit/s (a probe's), but mediasoup reads ~250 kbit/s (a 256 kbit/s link;
    // one absurd reading among them): 180p keyframes stay away.
    for (const [t, bps] of [[0, 240_000], [250, 260_000], [500, 200_000_000], [750, 250_000], [1000, 255_000]] as const) s.setEstimate(bps, t);
    expect(s.update(1000).allocation.tracks[0]!.target).toEqual({ spatial: 0, temporal: 2 });
    // The readings rise (mediasoup's padding found more): 180p after the up hold.
    for (let t = 1250; t <= 7000; t += 250) s.setEstimate(1_000_000, t);
    expect(s.update(7000).allocation.tracks[0]!.target).toEqual({ spatial: 1, temporal: 2 });
    // An app-limited reading that follows what is sent does not take a flowing layer away.
    s.setSent(240_000);
    for (let t = 7250; t <= 12_000; t += 250) s.setEstimate(250_000, t);
    expect(s.update(12_000).allocation.tracks[0]!.target).toEqual({ spatial: 1, temporal: 2 });
  });

  it('readings at twice what they were for LINK_CHANGED_MS with a calm queue let keyframes in: the link came back', () => {
    const settled = [[24_000, 37_000, 62_000], [140_000, 200_000, 300_000], [0, 0, 0]];
    const run = (rtt: (t: number) => number, reading: (t: number) => number) => {
      const s = new SubscriberAllocator({ lastN: 10, initialEstimateBps: 1_000_000 }, 0);
      s.setTrack(cam('a', { layerHeights: [90, 180, 360], tileHeight: 170, bitrates: settled }));
      const spatial: Record<number, number | undefined> = {};
      for (let t = 0; t <= 14_000; t += 500) {
        s.setRtt(rtt(t), t);
        s.setEstimate(reading(t), t);
        spatial[t] = s.update(t).allocation.tracks[0]!.target?.spatial;
      }
      return spatial;
    };
    // mediasoup read 100 kbit/s for 10 s (a 180p keyframe needs ~320), then 700.
    const back = (t: number) => (t < 10_000 ? 100_000 : 700_000);
    const calm = (t: number) => 40 + (t % 1000 ? 1 : 0);
    const came = run(calm, back);
    expect(came[9500]).toBe(0);
    expect(came[12_000]).toBe(0); // 2 s of high readings: not yet
    expect(came[10_000 + LINK_CHANGED_MS]).toBe(1); // the 20th percentile of 10 s would wait until ~18 s
    // The same readings while the queue fills (RTT 80-120 ms above the link's own): no.
    const filling = run((t) => (t < 10_000 ? calm(t) : 120 + (t % 1000 ? 1 : 0)), back);
    expect(filling[14_000]).toBe(0);
    // A jittery link whose readings jump between 60 and 400 kbit/s: no.
    const jittery = run(calm, (t) => (t < 10_000 ? 100_000 : t % 1000 ? 400_000 : 60_000));
    expect(jittery[14_000]).toBe(0);
  });

  it('on a plainly clear link the highest recent calm reading is the keyframe limit: app-limited readings hold no keyframe back', () => {
    // Loopback on a loaded box: ~200 kbit/s out, mediasoup reading 600 kbit/s with jumps to
    // 1.2 Mbit/s, the queue calm. A 360p keyframe needs ~920 kbit/s (with the margin).
    const run = (rtxBps: number) => {
      const s = new SubscriberAllocator({ lastN: 10, initialEstimateBps: 2_000_000 }, 0);
      s.setTrack(cam('a', { tileHeight: 360 }));
      const spatial: Record<number, number | undefined> = {};
      for (let t = 0; t <= 8000; t += 500) {
        s.setRtt(40 + (t % 1000 ? 1 : 0), t);
        s.setSent(200_000, t % 1000 ? 0 : rtxBps, t);
        s.setLoss(0, { stream: 'a', lost: 0 }, t);
        s.setEstimate(t % 1000 ? 1_200_000 : 600_000, t);
        spatial[t] = s.update(t).allocation.tracks[0]!.target?.spatial;
      }
      return spatial;
    };
    const clear = run(0);
    expect(clear[LAG_CLEAN_MS - 500]).toBe(1); // not clear long enough yet: the 20th percentile (600)
    expect(clear[8000]).toBe(2);
    // The same readings with a packet resent every second (the edge link's random loss): 180p.
    expect(run(2_000)[8000]).toBe(1);
  });

  it("the transport's retransmissions reach the estimate: a link that stepped down is followed at once", () => {
    const s = new SubscriberAllocator({ lastN: 10, initialEstimateBps: 1_000_000 }, 0);
    s.setTrack(cam('a'));
    s.setRtt(40, 0);
    s.setRtt(41, 500); // a calm queue
    s.setSent(640_000, 60_000);
    s.setEstimate(164_000, 1000);
    expect(s.linkBudget).toBe(1_000_000); // 9 % retransmitted: waits for evidence
    s.setSent(640_000, 380_000);
    s.setEstimate(164_000, 1200);
    expect(s.linkBudget).toBe(164_000);
  });

  it('a report that lost a few packets is chance, not congestion: loss counts from LOSS_MIN_PACKETS lost since the last report', () => {
    // The edge link: mediasoup reads below what is sent (as it always does there), the queue
    // is calm but not empty (its jitter: 30 ms above the link's own), and a 90p video's
    // report of ~15 packets lost two of them (13 %).
    const edge = () => {
      const a = new SubscriberAllocator({ lastN: 10, initialEstimateBps: 300_000 }, 0);
      a.setTrack(cam('a'));
      a.setRtt(300, 0);
      a.setRtt(330, 250);
      a.setRtt(340, 500);
      a.setSent(200_000, 4000);
      return a;
    };
    const s = edge();
    s.setLoss(0, { stream: 'c1', lost: 10 });
    s.setEstimate(120_000, 1000);
    s.setLoss(0.13, { stream: 'c1', lost: 10 + LOSS_MIN_PACKETS - 2 });
    for (let now = 1500; now <= 3000; now += 500) s.setEstimate(120_000, now);
    expect(s.linkBudget).toBe(300_000);
    // The same reading repeated (no new report) keeps that verdict ...
    s.setLoss(0.13, { stream: 'c1', lost: 10 + LOSS_MIN_PACKETS - 2 });
    s.setEstimate(120_000, 3500);
    expect(s.linkBudget).toBe(300_000);
    // ... and a report that lost LOSS_MIN_PACKETS is evidence: the budget follows the reading.
    s.setLoss(0.25, { stream: 'c1', lost: 10 + 2 * LOSS_MIN_PACKETS - 2 });
    s.setEstimate(120_000, 4000);
    expect(s.linkBudget).toBe(120_000);
    // A stream's first report (the measured consumer changed) cannot tell how many packets it stands for.
    const t = edge();
    t.setLoss(0.3, { stream: 'c2', lost: 500 });
    for (let now = 1000; now <= 3000; now += 500) t.setEstimate(120_000, now);
    expect(t.linkBudget).toBe(300_000);
  });

  it('congestion cuts a video over to its lower layer at once; a smaller tile or a cap switches it smoothly', () => {
    const s = new SubscriberAllocator({ lastN: 10, initialEstimateBps: 2_000_000 }, 0);
    s.setTrack(cam('a', { speaking: true }));
    s.setTrack(cam('b', { tileHeight: 360 }));
    expect(s.update(0).cutOver).toEqual([]);
    // The tile shrinks: a switch, no congestion.
    s.patchTrack('b', { tileHeight: 180 });
    let u = s.update(500);
    expect(u.changed.map((t) => [t.id, t.target?.spatial])).toEqual([['b', 1]]);
    expect(u.cutOver).toEqual([]);
    // The link steps down: the reading falls below what is sent, with retransmissions as
    // evidence. Both videos go down to their lowest picture, cut over.
    s.setRtt(40, 1000);
    s.setRtt(41, 1500);
    s.setSent(1_200_000, 700_000);
    s.setEstimate(120_000, 2000);
    u = s.update(2000);
    expect(u.allocation.tracks.map((t) => [t.id, t.target?.spatial ?? t.pausedReason])).toEqual([['a', 0], ['b', 0]]);
    expect(u.cutOver).toEqual(['a', 'b']);
    // Long after the congestion, a step down by a cap ("save data") switches smoothly again.
    // (What goes out follows what is allocated: probes stay within twice of it.)
    for (let t = 2500; t < 30_000; t += 500) { s.setSent(Math.max(200_000, s.used), 0); s.setRtt(40 + (t % 1000 ? 1 : 0), t); s.setEstimate(2_000_000, t); s.update(t); }
    expect(s.update(30_000).allocation.tracks[0]!.target?.spatial).toBe(2);
    s.setCap(400_000);
    u = s.update(31_000);
    expect(u.changed.some((t) => t.id === 'a')).toBe(true);
    expect(u.cutOver).toEqual([]);
  });

  it('a retransmission storm is heavy retransmission on a link congested within CUT_OVER_MS', () => {
    const s = new SubscriberAllocator({ lastN: 10, initialEstimateBps: 1_000_000 }, 0);
    s.setTrack(cam('a'));
    s.update(0);
    s.setSent(900_000, 500_000);
    expect(s.retransmissionStorm(500)).toBe(false); // no congestion: a lossy link's repairs
    s.setRtt(40, 0);
    s.setRtt(41, 500);
    s.setEstimate(150_000, 1000); // a collapse, with retransmissions as evidence
    expect(s.linkBudget).toBe(150_000);
    expect(s.retransmissionStorm(1000)).toBe(true);
    s.setSent(200_000, 0.2 * 200_000); // below RTX_EVIDENCE: repairs, no storm
    expect(s.retransmissionStorm(1500)).toBe(false);
    s.setSent(200_000, 0.5 * 200_000);
    expect(s.retransmissionStorm(1000 + CUT_OVER_MS)).toBe(true);
    expect(s.retransmissionStorm(1001 + CUT_OVER_MS)).toBe(false); // the congestion is over
  });

  it('after a step down the next step up waits UP_HOLD_MS, after a step up only UP_AFTER_UP_MS', () => {
    const s = new SubscriberAllocator({ lastN: 10, initialEstimateBps: 2_000_000 }, 0);
    s.setTrack(cam('a'));
    const layer = (now: number) => s.update(now).allocation.tracks[0]!.target?.spatial ?? null;
    expect(layer(0)).toBe(2);
    s.setCap(120_000);
    expect(layer(1000)).toBe(0); // down at once
    s.setCap(400_000);
    expect(layer(5999)).toBe(0); // 5 s after the step down: not yet
    expect(layer(6000)).toBe(1);
    s.setCap(null);
    expect(layer(7999)).toBe(1); // climbing back: 2 s after the step up
    expect(layer(8000)).toBe(2);
  });

  it('probes only while a larger budget would be used: not while the sender does not send what the tile wants', () => {
    const s = new SubscriberAllocator({ lastN: 10, initialEstimateBps: 250_000 }, 0);
    // The camera stepped down: only its lowest layer arrives, the tile wants the top one.
    s.setTrack(cam('a', { bitrates: [[50_000, 75_000, 100_000], [0, 0, 0], [0, 0, 0]] }));
    for (let now = 0; now <= 30_000; now += 500) { s.setSent(110_000); s.setEstimate(5_000_000, now); s.update(now); }
    expect(s.videoBudget).toBe(250_000); // nothing to test a probe with: no growth
    // The camera is back at full size: now more budget would be used, so it probes.
    s.patchTrack('a', { bitrates: CAM });
    for (let now = 30_500; now <= 40_000; now += 500) { s.setSent(Math.max(110_000, s.used)); s.setEstimate(5_000_000, now); s.update(now); }
    expect(s.videoBudget).toBeGreaterThan(1_000_000);
  });

  it('does not probe while an upgrade only waits for its hold (the budget already covers it)', () => {
    const s = new SubscriberAllocator({ lastN: 10, initialEstimateBps: 2_000_000 }, 0);
    s.setTrack(cam('a'));
    s.update(0);
    s.setCap(120_000);
    s.update(1000); // down at once
    s.setCap(null);
    for (let now = 1500; now < 6000; now += 500) {
      s.setEstimate(5_000_000, now);
      expect(s.update(now).allocation.tracks[0]!.target?.spatial).toBe(0); // held
    }
    expect(s.videoBudget).toBe(2_000_000); // a probe here would test nothing
  });

  it('does not probe while a paused track waits for its hold to resume, and then probes one step at a time', () => {
    const s = new SubscriberAllocator({ lastN: 10, initialEstimateBps: 1_000_000, estimate: { holdMs: 3000 } }, 0);
    s.setAudioBitrate(80_000);
    s.setTrack(cam('a'));
    s.setTrack(cam('b'));
    s.update(0);
    s.setRtt(40, 0);
    s.setRtt(300, 900);
    s.setRtt(310, 1000);
    s.setEstimate(80_000, 1000); // collapse with a full queue: audio only
    expect(s.update(1000).allocation.tracks.every((t) => t.pausedReason === 'bandwidth')).toBe(true);
    s.setSent(75_000);
    s.setRtt(40, 2000);
    s.setRtt(42, 2500);
    const budgets: number[] = [];
    let resumedAt = -1;
    for (let now = 1500; now <= 8000; now += 500) {
      if (now > 2500) s.setRtt(40 + (now % 1000) / 100, now); // a calm report every tick
      // Below the audio it carries (app-limited), no queue; once video flows, it follows it.
      if (resumedAt < 0) s.setEstimate(66_000, now);
      else { s.setSent(75_000 + s.used); s.setEstimate(80_000 + s.used, now); }
      const tracks = s.update(now).allocation.tracks;
      budgets.push(s.videoBudget);
      if (resumedAt < 0 && tracks.some((t) => t.target !== null)) resumedAt = now;
    }
    // One probe after the hold (80 -> 160 kbit/s: one video's lowest layer fits), then none
    // until that video resumed after its own hold (UP_HOLD_MS after its pause).
    expect(resumedAt).toBe(1000 + UP_HOLD_MS);
    expect(Math.max(...budgets.slice(0, (resumedAt - 1500) / 500))).toBe(80_000);
    expect(s.videoBudget).toBeGreaterThan(90_000); // and probing went on once it was sent
  });

  it('keeps the first video\'s cheapest layer whatever the estimate reads; only a cap too small turns it off', () => {
    const cheap = [[25_000, 40_000, 60_000], [150_000, 225_000, 300_000], [450_000, 675_000, 900_000]];
    const s = new SubscriberAllocator({ lastN: 10, initialEstimateBps: 1_000_000 }, 0);
    s.setAudioBitrate(80_000);
    s.setTrack(cam('speaker', { speaking: true, bitrates: cheap }));
    s.setTrack(cam('other', { bitrates: cheap }));
    s.update(0);
    s.setEstimate(31_000, 1000); // after a retransmission storm: half the audio that flows
    expect(s.videoBudget).toBe(0);
    const at = (now: number) => Object.fromEntries(s.update(now).allocation.tracks.map((t) => [t.id, t.target ? `${t.target.spatial}.${t.target.temporal}` : t.pausedReason]));
    expect(at(1000)).toEqual({ speaker: '0.0', other: 'bandwidth' });
    expect(FLOOR_MAX_BPS).toBeGreaterThanOrEqual(25_000);
    // A keyframe makes the layer's measured rate jump above the floor for a moment: paused;
    // back within the floor, it resumes after its hold although the budget is still zero.
    const heavy = [[45_000, 60_000, 80_000], ...cheap.slice(1)];
    s.patchTrack('speaker', { bitrates: heavy });
    expect(at(1500)).toEqual({ speaker: 'bandwidth', other: 'bandwidth' });
    s.patchTrack('speaker', { bitrates: cheap });
    expect(at(2000).speaker).toBe('bandwidth'); // inside its hold
    expect(at(1500 + UP_HOLD_MS).speaker).toBe('0.0');
    // "Save data" at 100 kbit/s with 80 kbit/s of audio: no room for the floor.
    s.setCap(100_000);
    expect(at(10_000).speaker).toBe('bandwidth');
  });

  it('recovers from an audio-only period: an estimate that follows the audio is not congestion', () => {
    const s = new SubscriberAllocator({ lastN: 10, initialEstimateBps: 2_000_000, estimate: { holdMs: 3000 } }, 0);
    s.setAudioBitrate(80_000);
    s.setTrack(cam('a'));
    s.update(0);
    s.setEstimate(60_000, 1000); // congested: below what video used
    expect(s.update(1000).allocation.tracks[0]!.pausedReason).toBe('bandwidth');
    // The link is back, but with video paused the BWE only sees ~30 kbit/s of DTX audio.
    let now = 1000;
    let reason: string | null = 'bandwidth';
    while (reason !== null && now < 20_000) { now += 500; s.setEstimate(30_000, now); reason = s.update(now).allocation.tracks[0]!.pausedReason; }
    expect(reason).toBeNull();
  });

  it('judges the estimate against what the transport really sends, not the layers\' nominal rates', () => {
    const s = new SubscriberAllocator({ lastN: 10, initialEstimateBps: 600_000 }, 0);
    s.setAudioBitrate(80_000);
    s.setTrack(cam('a', { tileHeight: 180 }));
    expect(s.update(0).allocation.tracks[0]!.target).toEqual({ spatial: 1, temporal: 2 }); // 300 kbit/s by its matrix
    // What goes out is less (180 kbit/s), and an app-limited BWE follows it: no congestion.
    s.setSent(180_000);
    for (let t = 250; t <= 3000; t += 250) s.setEstimate(185_000, t);
    expect(s.update(3000).allocation.tracks[0]!.target).toEqual({ spatial: 1, temporal: 2 });
    // Well below what goes out (28 %) for 500 ms: congestion, and the budget follows the estimate.
    s.setEstimate(130_000, 3250);
    s.setEstimate(130_000, 3750);
    expect(s.videoBudget).toBe(50_000);
    expect(s.update(3750).allocation.tracks[0]!.target).toEqual({ spatial: 0, temporal: 0 });
  });

  it('reports only changed decisions, and removed tracks', () => {
    const s = new SubscriberAllocator({ lastN: 10, initialEstimateBps: 5_000_000 }, 0);
    s.setTrack(cam('a'));
    s.setTrack(cam('b'));
    expect(s.update(0).changed).toHaveLength(2);
    expect(s.update(0).changed).toHaveLength(0);
    s.patchTrack('b', { visible: false });
    expect(s.update(0).changed.map((t) => [t.id, t.pausedReason])).toEqual([['b', 'hidden']]);
    s.removeTrack('a');
    const u = s.update(0);
    expect(u.removed).toEqual(['a']);
    s.setCap(40_000);
    s.patchTrack('b', { visible: true });
    expect(s.update(0).changed.map((t) => [t.id, t.pausedReason])).toEqual([['b', 'bandwidth']]);
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
});
