// The one function that decides motions: every rule x quorum x abstain setting, with the
// edge cases (ties, zero votes, exactly two thirds, exactly half).
import { describe, expect, it } from 'vitest';
import { decide, type MotionShape, type Rule } from '../../server/src/votes/result.js';

const YES = [0], NO = [1], ABST = [2];
const motion = (rule: Rule, eligible: number, quorum: number | null = null, options = ['yes', 'no', 'abstain']): MotionShape =>
  ({ type: 'motion', options, rule, quorum, seats: 1, eligible });
const votes = (y: number, n: number, a = 0) => [...Array(y).fill(YES), ...Array(n).fill(NO), ...Array(a).fill(ABST)];
const here = (n: number) => ({ atOpen: n, atClose: n });

describe('motions', () => {
  it.each([
    // rule, eligible, yes, no, abstain, outcome
    ['simple', 10, 5, 4, 1, 'accepted'],
    ['simple', 10, 4, 4, 2, 'rejected'], // tie
    ['simple', 10, 3, 2, 5, 'accepted'], // abstentions do not count
    ['simple', 10, 0, 0, 0, 'rejected'], // nobody voted
    ['simple', 10, 0, 0, 7, 'rejected'],
    ['absolute', 10, 6, 0, 4, 'accepted'],
    ['absolute', 10, 5, 0, 5, 'rejected'], // exactly half is not more than half
    ['absolute', 10, 5, 1, 0, 'rejected'],
    ['absolute', 9, 5, 4, 0, 'accepted'],
    ['two-thirds', 10, 6, 3, 1, 'accepted'], // exactly two thirds of yes+no
    ['two-thirds', 10, 5, 3, 2, 'rejected'],
    ['two-thirds', 10, 2, 1, 7, 'accepted'], // abstentions do not count
    ['two-thirds', 10, 0, 0, 5, 'rejected'],
  ] as [Rule, number, number, number, number, string][])('%s, %i eligible: %i yes, %i no, %i abstain -> %s', (rule, eligible, y, n, a, outcome) => {
    const d = decide(motion(rule, eligible), votes(y, n, a), here(eligible));
    expect(d.outcome).toBe(outcome);
    expect([d.yes, d.no, d.abstain, d.cast]).toEqual([y, n, a, y + n + a]);
  });

  it.each(['simple', 'absolute', 'two-thirds'] as Rule[])('%s without abstain option counts only yes and no', (rule) => {
    const d = decide(motion(rule, 3, null, ['yes', 'no']), votes(2, 1), here(3));
    expect(d.counts).toEqual([2, 1]);
    expect(d.outcome).toBe('accepted');
  });

  describe.each(['simple', 'absolute', 'two-thirds'] as Rule[])('quorum under %s', (rule) => {
    it('no quorum at opening or at closing overrides the vote', () => {
      expect(decide(motion(rule, 10, 6), votes(9, 0), { atOpen: 5, atClose: 9 }).outcome).toBe('no_quorum');
      expect(decide(motion(rule, 10, 6), votes(9, 0), { atOpen: 9, atClose: 5 }).outcome).toBe('no_quorum');
      expect(decide(motion(rule, 10, 6), votes(9, 0), { atOpen: 6, atClose: 6 }).outcome).toBe('accepted');
    });
  });

  it('more ballots than eligible voters is invalid', () => {
    expect(decide(motion('simple', 2), votes(3, 0), here(2)).outcome).toBe('invalid');
  });
});

describe('elections', () => {
  const election = (seats: number, eligible = 10): MotionShape => ({ type: 'election', options: ['A', 'B', 'C', 'D'], rule: 'simple', quorum: null, seats, eligible });
  it('elects the candidates with the most votes', () => {
    const d = decide(election(2), [[0], [0], [2], [2], [2], [1]], here(10));
    expect(d.outcome).toBe('elected');
    expect(d.elected).toEqual([0, 2]);
    expect(d.counts).toEqual([2, 1, 3, 0]);
  });
  it('a tie for the last seat is invalid (run-off)', () => {
    expect(decide(election(1), [[0], [1]], here(10)).outcome).toBe('invalid');
    expect(decide(election(2), [[0], [0], [1], [2]], here(10)).outcome).toBe('invalid');
  });
  it('no votes at all is invalid', () => {
    expect(decide(election(1), [], here(10)).outcome).toBe('invalid');
  });
  it('several crosses per ballot (multi-seat) count for each candidate', () => {
    expect(decide(election(2), [[0, 1], [0, 2], [1, 0]], here(10))).toMatchObject({ outcome: 'elected', elected: [0, 1], counts: [3, 2, 1, 0] });
  });
});
