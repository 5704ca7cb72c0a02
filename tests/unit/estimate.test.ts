// Step-by-step scenarios for the Estimate's hysteresis: drops, holds, probes and their verdicts.
import { describe, expect, it } from 'vitest';
import { Estimate } from '../../server/src/allocation/Estimate.js';
import { CEILING_APPROACH, LAG_CLEAN_MS, PENDING_MAX_MS, PROBE_SEEN_MS, RTX_EVIDENCE } from '../../server/src/allocation/estimateTuning.js';

/**
 * A link with RTT known since 2.5 s, mediasoup reading 400k while 100k goes out: the first
 * probe, at 3 s, takes the budget from 120k to 230k.
 */
function probedAt3s(): Estimate {
  const e = new Estimate(120_000, { holdMs: 3000, probeIntervalMs: 1000 }, 0);
  e.queueSeen(2500);
  e.update(400_000, 3000, 100_000, true, { queueMs: 30 });
  return e;
}

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
    const climb = (cleanMs: number, reading = 1_000_000) => {
      const e = new Estimate(234_000, { holdMs: 3000, probeIntervalMs: 1000 }, 0);
      const steps: number[] = [];
      for (let t = 500; t <= 12_000; t += 500) {
        const b = e.update(reading, t, 110_000, true, { queueMs: 1, loss: 0, cleanMs, sentBps: 110_000, nextBps: 300_000, wantBps: 900_000 });
        if (b !== (steps.at(-1) ?? 234_000)) steps.push(b);
      }
      return steps;
    };
    // Loopback: one 180p layer out, two 360p wanted; mediasoup reads 1 Mbit/s for 2 s, so
    // the first probe goes to all that is wanted (link-probe.test.ts) ...
    expect(climb(LAG_CLEAN_MS)).toEqual([900_000]);
    // ... and with readings below twice the budget, in steps from the budget.
    expect(climb(LAG_CLEAN_MS, 460_000)).toEqual([401_000, 651_500, 900_000]);
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
    const e = probedAt3s(); // probe: 230k
    expect(e.bps).toBe(230_000);
    e.queueSeen(3500); // a report whose round trip began half a second into the probe
    e.update(400_000, 4000, 200_000, true, { queueMs: 30 });
    expect(e.bps).toBe(230_000); // no verdict yet: no second probe
    e.queueSeen(4100); // one that saw a second of it, calm
    e.update(400_000, 4500, 200_000, true, { queueMs: 30 });
    expect(e.bps).toBe(395_000);
  });

  it('a probe counts from when its layers arrive: verdict, next probe and fallback wait for them', () => {
    const e = probedAt3s(); // probe: 230k, a layer switches on
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
    const eager = probedAt3s();
    eager.queueSeen(4000);
    eager.update(400_000, 4000, 100_000, true, { queueMs: 30 });
    expect(eager.bps).toBe(395_000);
  });

  it('a layer that never arrives holds a probe back for PENDING_MAX_MS at most', () => {
    const e = probedAt3s();
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
