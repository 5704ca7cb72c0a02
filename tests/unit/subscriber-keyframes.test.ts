// Step-by-step scenarios for the per-subscriber allocator's keyframe limit and its evidence
// of congestion (retransmissions, loss reports).
import { describe, expect, it } from 'vitest';
import { LAG_CLEAN_MS } from '../../server/src/allocation/estimateTuning.js';
import { SubscriberAllocator } from '../../server/src/allocation/SubscriberAllocator.js';
import { LINK_CHANGED_MS } from '../../server/src/allocation/keyframeLink.js';
import { LOSS_MIN_PACKETS } from '../../server/src/allocation/lossEvidence.js';
import { cam } from './fixtures/camera.js';

describe('SubscriberAllocator: keyframes and evidence', () => {
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

});
