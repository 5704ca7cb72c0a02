// Step-by-step scenarios for the per-subscriber allocator: its diffs, holds, probing and floor.
import { describe, expect, it } from 'vitest';
import { RTX_EVIDENCE } from '../../server/src/allocation/estimateTuning.js';
import { FLOOR_MAX_BPS, SubscriberAllocator } from '../../server/src/allocation/SubscriberAllocator.js';
import { UP_HOLD_MS } from '../../server/src/allocation/stabilize.js';
import { CUT_OVER_MS } from '../../server/src/allocation/stormPolicy.js';
import { CAM, cam } from './fixtures/camera.js';

/** One camera on a 2 Mbit/s start, and the spatial layer its allocation forwards at a time (null: paused). */
function oneCamera(): { s: SubscriberAllocator; layer: (now: number) => number | null } {
  const s = new SubscriberAllocator({ lastN: 10, initialEstimateBps: 2_000_000 }, 0);
  s.setTrack(cam('a'));
  return { s, layer: (now) => s.update(now).allocation.tracks[0]!.target?.spatial ?? null };
}

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
    const { s, layer } = oneCamera();
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

  it('a step up that fails (down again within FAILED_UP_MS) doubles the next hold; a link change takes it back', () => {
    const { s, layer } = oneCamera();
    expect(layer(0)).toBe(2);
    s.setCap(120_000);
    expect(layer(1000)).toBe(0);
    s.setCap(400_000);
    expect(layer(6000)).toBe(1); // the plain hold
    s.setCap(120_000);
    expect(layer(8000)).toBe(0); // the step up failed
    s.setCap(400_000);
    expect(layer(8000 + 2 * UP_HOLD_MS - 1)).toBe(0); // twice the hold
    expect(layer(8000 + 2 * UP_HOLD_MS)).toBe(1);
    s.setCap(120_000);
    expect(layer(19_000)).toBe(0); // failed again: 20 s
    s.setCap(400_000);
    expect(layer(19_000 + UP_HOLD_MS)).toBe(0);
    // Readings at twice the budget for a while: the link changed, the plain hold applies.
    for (let now = 24_500; now <= 27_000; now += 500) s.setEstimate(10_000_000, now);
    expect(layer(27_000)).toBe(1);
  });

  it('a smaller tile soon after a step up is no failed step up: the plain hold', () => {
    const { s, layer } = oneCamera();
    expect(layer(0)).toBe(2);
    s.setCap(120_000);
    expect(layer(1000)).toBe(0);
    s.setCap(null);
    expect(layer(6000)).toBe(2);
    s.patchTrack('a', { tileHeight: 90 });
    expect(layer(7000)).toBe(0); // the tile shrank 1 s after the step up
    s.patchTrack('a', { tileHeight: 720 });
    expect(layer(7000 + UP_HOLD_MS - 1)).toBe(0);
    expect(layer(7000 + UP_HOLD_MS)).toBeGreaterThan(0); // not twice the hold
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

  it('a calm paused track that the others keep from resuming does not stop probing (no deadlock at the first budget)', () => {
    // The CI run: 150 kbit/s to start, two audio reserves, two cameras whose lowest layer
    // costs 50 kbit/s; the speaker changes, so the paused video now ranks first.
    const s = new SubscriberAllocator({ lastN: 10, initialEstimateBps: 150_000, estimate: { holdMs: 3000 } }, 0);
    s.setAudioBitrate(80_000);
    s.setTrack(cam('a', { speaking: true }));
    s.setTrack(cam('b'));
    const first = s.update(0).allocation.tracks;
    expect(first.map((t) => [t.id, t.target])).toEqual([['a', { spatial: 0, temporal: 0 }], ['b', null]]);
    s.patchTrack('a', { speaking: false, lastSpokeAt: 500 });
    s.patchTrack('b', { speaking: true });
    let both = -1;
    for (let now = 500; now <= 20_000; now += 500) {
      s.setRtt(40 + (now % 1000) / 100, now); // a calm report every tick
      s.setSent(80_000 + s.used, 0, now);
      s.setEstimate(500_000, now); // app-limited: mediasoup reads far more than is sent
      const tracks = s.update(now).allocation.tracks;
      if (both < 0 && tracks.every((t) => t.target !== null)) both = now;
    }
    // b waits for its hold (UP_HOLD_MS), then the budget grows until both fit.
    expect(both).toBeGreaterThan(UP_HOLD_MS);
    expect(both).toBeLessThan(12_000);
    expect(s.linkBudget).toBeGreaterThan(180_000);
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
