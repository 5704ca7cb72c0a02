// Step by step: when a video counts as stuck (packets arrive, no frame decodes).
import { describe, expect, it } from 'vitest';
import { RETRY_MS, STALL_MS, StallWatch } from '../../client/src/features/media/stall.js';

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
});
