// Per-key token buckets (room creation per address, INVITEs per source, failed PIN entries
// per caller): keys are independent, `available` does not spend, idle keys are forgotten
// only once refilled (so forgetting never hands out extra tokens early).
import { expect, it } from 'vitest';
import { KeyedRateLimiter } from '../../server/src/signaling/RateLimiter.js';

it('keys are independent; a spent key is unavailable; available() takes nothing', () => {
  const l = new KeyedRateLimiter(5 / 600, 5);
  for (let i = 0; i < 5; i++) expect(l.take('num:+49123')).toBe(true);
  expect(l.available('num:+49123')).toBe(false);
  expect(l.take('num:+49123')).toBe(false);
  expect(l.available('src:10.0.0.1')).toBe(true);
  expect(l.available('src:10.0.0.1')).toBe(true);
  expect(l.take('src:10.0.0.1')).toBe(true);
});

it('bounded: above maxKeys, only buckets idle for a full refill are forgotten', () => {
  const l = new KeyedRateLimiter(1, 2, 3);
  const t0 = Date.now();
  l.take('a', t0); l.take('a', t0); // 'a' is spent
  for (const k of ['b', 'c', 'd']) l.take(k, t0);
  // One second later nothing has fully refilled (2 s): 'a' must still be limited.
  l.take('e', t0 + 1000);
  expect(l.available('a')).toBe(false);
});
