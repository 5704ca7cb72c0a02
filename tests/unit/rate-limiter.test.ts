import { expect, it } from 'vitest';
import { RateLimiter } from '../../server/src/signaling/RateLimiter.js';

it('allows a burst, then the refill rate', () => {
  let now = 0;
  const rl = new RateLimiter(10, 30, () => now);
  const burst = Array.from({ length: 40 }, () => rl.take()).filter(Boolean).length;
  expect(burst).toBe(30);
  now += 100; // 0.1 s at 10/s = 1 token
  expect(rl.take()).toBe(true);
  expect(rl.take()).toBe(false);
  now += 10_000; // refills, but never above the burst
  expect(Array.from({ length: 40 }, () => rl.take()).filter(Boolean).length).toBe(30);
});

it('names bad parameters', () => {
  expect(() => new RateLimiter(0, 30)).toThrow(/perSecond/);
  expect(() => new RateLimiter(10, 0)).toThrow(/burst/);
});
