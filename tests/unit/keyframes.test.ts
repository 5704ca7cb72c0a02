// Keyframe requests for a consumer still waiting for video: at once, then backing off
// (1, 2, 4, 8, 8 s ...), and from scratch once media flows.
import { expect, it } from 'vitest';
import { KeyframeThrottle } from '../../server/src/allocation/keyframes.js';

it('asks at once, then backs off, and starts over after clear', () => {
  const k = new KeyframeThrottle(1000, 8000);
  const asked = (from: number, to: number, step = 100) => {
    const at: number[] = [];
    for (let t = from; t <= to; t += step) if (k.due('c', t)) at.push(t);
    return at;
  };
  // The allocator ticks every 500 ms; here every 100 ms to see the exact schedule.
  expect(asked(0, 20_000)).toEqual([0, 1000, 3000, 7000, 15_000]);
  expect(k.size).toBe(1);
  k.clear('c');
  expect(k.size).toBe(0);
  expect(k.due('c', 20_000)).toBe(true);
  expect(k.due('c', 20_500)).toBe(false);
  expect(k.due('other', 20_500)).toBe(true);
});
