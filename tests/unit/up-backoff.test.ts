// A track whose step up failed waits longer before the next (upBackoff.ts), step by step.
import { describe, expect, it } from 'vitest';
import { FAILED_UP_MS, MAX_UP_HOLD_MS, UpBackoff } from '../../server/src/allocation/upBackoff.js';
import { UP_HOLD_MS } from '../../server/src/allocation/stabilize.js';

describe('UpBackoff', () => {
  it('a plain step down holds UP_HOLD_MS', () => {
    const b = new UpBackoff();
    expect(b.down('v', 0)).toBe(UP_HOLD_MS);
    b.up('v', 5000);
    // Up long enough: the step up held, the next down starts over.
    expect(b.down('v', 5000 + FAILED_UP_MS)).toBe(UP_HOLD_MS);
  });

  it('each step up that fails within FAILED_UP_MS doubles the hold, up to MAX_UP_HOLD_MS', () => {
    const b = new UpBackoff();
    let now = 0;
    const holds: number[] = [b.down('v', now)];
    for (let i = 0; i < 4; i++) {
      now += holds.at(-1)!;
      b.up('v', now);
      now += FAILED_UP_MS - 1;
      holds.push(b.down('v', now));
    }
    expect(holds).toEqual([UP_HOLD_MS, 2 * UP_HOLD_MS, 4 * UP_HOLD_MS, MAX_UP_HOLD_MS, MAX_UP_HOLD_MS]);
    // A success starts over.
    b.up('v', now + MAX_UP_HOLD_MS);
    expect(b.down('v', now + MAX_UP_HOLD_MS + FAILED_UP_MS)).toBe(UP_HOLD_MS);
  });

  it('tracks are independent; a down without an up before is no failure', () => {
    const b = new UpBackoff();
    b.up('a', 0);
    expect(b.down('a', 100)).toBe(2 * UP_HOLD_MS);
    expect(b.down('b', 100)).toBe(UP_HOLD_MS);
    expect(b.down('b', 200)).toBe(UP_HOLD_MS);
  });

  it('a link change takes every track back to the plain hold, and says until when the longer ones would wait', () => {
    const b = new UpBackoff();
    b.up('a', 0);
    b.down('a', 1000); // 10 s
    b.down('b', 1000); // 5 s, plain
    expect(b.reset()).toEqual([['a', 1000 + UP_HOLD_MS]]);
    b.up('a', 6000);
    expect(b.down('a', 7000)).toBe(2 * UP_HOLD_MS); // doubles from the plain hold again
  });

  it('forgets removed tracks', () => {
    const b = new UpBackoff();
    b.up('a', 0);
    b.down('b', 0);
    b.forget('a');
    b.forget('b');
    expect(b.size).toBe(0);
  });
});
