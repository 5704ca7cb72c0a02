// Step by step: when a video counts as stuck (packets arrive, no frame is assembled).
import { describe, expect, it } from 'vitest';
import { RETRY_MS, STALL_MIN_MS, STALL_MS, StallWatch, stuckAfterMs } from '../../client/src/features/media/stall.js';

describe('StallWatch', () => {
  it('asks once a decoder is stuck while packets arrive, then not before RETRY_MS', () => {
    const w = new StallWatch();
    expect(w.check([{ trackId: 'v', packets: 100, frames: 50 }], 0)).toEqual([]);
    expect(w.check([{ trackId: 'v', packets: 110, frames: 50 }], STALL_MS - 1)).toEqual([]); // not long enough
    expect(w.check([{ trackId: 'v', packets: 115, frames: 50 }], STALL_MS)).toEqual(['v']);
    expect(w.check([{ trackId: 'v', packets: 120, frames: 50 }], STALL_MS + 250)).toEqual([]); // just asked
    expect(w.check([{ trackId: 'v', packets: 130, frames: 50 }], STALL_MS + RETRY_MS)).toEqual(['v']); // still stuck: again
  });

  it('is not stuck when frames advance, when nothing arrives (paused), or before the first frame', () => {
    const w = new StallWatch();
    w.check([{ trackId: 'a', packets: 10, frames: 5 }, { trackId: 'p', packets: 10, frames: 5 }, { trackId: 'new', packets: 3, frames: 0 }], 0);
    const out = w.check([{ trackId: 'a', packets: 20, frames: 9 }, { trackId: 'p', packets: 10, frames: 5 }, { trackId: 'new', packets: 30, frames: 0 }], 1000);
    expect(out).toEqual([]);
  });

  it('forgets tracks that are gone', () => {
    const w = new StallWatch();
    w.check([{ trackId: 'v', packets: 1, frames: 1 }], 0);
    w.check([], 100);
    // Back with the same counters: a fresh start, not a 1 s stall.
    expect(w.check([{ trackId: 'v', packets: 5, frames: 1 }], 1000)).toEqual([]);
  });

  // lossy-burst-3: assembly stopped 200-400 ms before decoding did (the jitter buffer drained).
  it('measures progress on assembled frames: a drained jitter buffer does not hide a stall', () => {
    const w = new StallWatch();
    w.check([{ trackId: 'v', packets: 100, frames: 40, assembled: 46 }], 0);
    // Decoding goes on from the jitter buffer; nothing new is assembled.
    expect(w.check([{ trackId: 'v', packets: 110, frames: 44, assembled: 46 }], 200)).toEqual([]);
    expect(w.check([{ trackId: 'v', packets: 118, frames: 46, assembled: 46 }], STALL_MS)).toEqual(['v']);
  });

  it('after a loss asks as soon as the stream is late for its frame rate, not after STALL_MS', () => {
    const w = new StallWatch();
    // 15 frames/s: a frame every ~67 ms.
    let t = 0;
    for (let f = 1; f <= 15; f++) { t = f * 67; w.check([{ trackId: 'v', packets: f * 3, frames: f, assembled: f, nacks: 0 }], t); }
    const late = stuckAfterMs(67, 90, true);
    expect(late).toBeLessThan(STALL_MS);
    // A NACK went out and no frame followed.
    expect(w.check([{ trackId: 'v', packets: 50, frames: 15, assembled: 15, nacks: 1 }], t + late - 1)).toEqual([]);
    expect(w.check([{ trackId: 'v', packets: 52, frames: 15, assembled: 15, nacks: 1 }], t + late)).toEqual(['v']);
  });

  // step-down-3: the lowest layers ran at 3-5 frames/s; a fixed 350 ms asked every second.
  it('a slow stream is not stuck between its frames', () => {
    const w = new StallWatch();
    let t = 0;
    for (let f = 1; f <= 10; f++) { t = f * 250; w.check([{ trackId: 'v', packets: f * 2, frames: f, assembled: f, nacks: 0 }], t); }
    // 400 ms without a frame at 4 frames/s, packets arriving: late, not frozen.
    expect(w.check([{ trackId: 'v', packets: 21, frames: 10, assembled: 10, nacks: 0 }], t + 400)).toEqual([]);
    expect(w.check([{ trackId: 'v', packets: 22, frames: 10, assembled: 10, nacks: 0 }], t + 750)).toEqual(['v']);
  });

  it('a stream that stopped after part of a frame (paused) is not asked for again and again', () => {
    const w = new StallWatch();
    w.check([{ trackId: 'v', packets: 100, frames: 50 }], 0);
    w.check([{ trackId: 'v', packets: 101, frames: 50 }], 100); // part of a frame, then nothing
    let asks = 0;
    for (let t = 250; t <= 5000; t += 150) asks += w.check([{ trackId: 'v', packets: 101, frames: 50 }], t).length;
    expect(asks).toBeLessThanOrEqual(1); // once, maybe (it could have been stuck), not every second
  });

  it('without a loss keeps STALL_MS, whatever the frame rate (a large frame may be in transit)', () => {
    const w = new StallWatch();
    let t = 0;
    for (let f = 1; f <= 15; f++) { t = f * 67; w.check([{ trackId: 'v', packets: f * 3, frames: f, assembled: f, nacks: 2 }], t); }
    expect(w.check([{ trackId: 'v', packets: 60, frames: 15, assembled: 15, nacks: 2 }], t + STALL_MS - 1)).toEqual([]);
    expect(w.check([{ trackId: 'v', packets: 61, frames: 15, assembled: 15, nacks: 2 }], t + STALL_MS)).toEqual(['v']);
  });
});

describe('stuckAfterMs', () => {
  it.each([
    // WebRTC's freeze rule for the frame rate; after a loss at least STALL_MIN_MS and a round trip + 50 (that at most STALL_MS); else STALL_MS
    { interval: null, rtt: 80, lost: true, want: STALL_MS }, // no rate known yet
    { interval: 33, rtt: 80, lost: true, want: STALL_MIN_MS }, // 30 fps: 183 ms -> the minimum
    { interval: 67, rtt: 80, lost: true, want: 217 }, // 15 fps: interval + 150
    { interval: 100, rtt: 80, lost: true, want: 300 }, // 10 fps: 3 intervals
    { interval: 140, rtt: 80, lost: true, want: 420 }, // ~7 fps: 3 intervals, beyond STALL_MS
    { interval: 33, rtt: 250, lost: true, want: 300 }, // a long round trip: the NACK's answer first
    { interval: 33, rtt: 450, lost: true, want: STALL_MS }, // the edge link: no later than without a loss
    { interval: 33, rtt: null, lost: true, want: STALL_MIN_MS },
    { interval: null, rtt: 80, lost: false, want: STALL_MS },
    { interval: 67, rtt: 80, lost: false, want: STALL_MS },
    { interval: 250, rtt: 80, lost: false, want: 750 }, // 4 fps (step-down's lowest layer): 3 intervals
  ])('$interval ms per frame, $rtt ms round trip, loss $lost -> $want ms', ({ interval, rtt, lost, want }) => {
    expect(stuckAfterMs(interval, rtt, lost)).toBeCloseTo(want, 0);
  });
});
