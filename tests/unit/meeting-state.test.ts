// The meeting's small state machines, step by step: waiting room, speaker queue, polls.
import { describe, expect, it } from 'vitest';
import { HandQueue } from '../../server/src/meeting/HandQueue.js';
import { Lobby } from '../../server/src/meeting/Lobby.js';
import { answerProblem, pollView, tally } from '../../server/src/meeting/polls.js';
import type { StoredPoll } from '../../server/src/meeting/stores.js';

const link = () => ({ send: () => undefined, replaced: () => undefined });

describe('Lobby', () => {
  it('waiting -> admitted (ticket, once) -> gone; waiting -> removed', () => {
    const lobby = new Lobby();
    const a = lobby.add({ id: 'a', name: 'Anna', since: 2, clientId: undefined, link: link() })!;
    lobby.add({ id: 'b', name: 'Ben', since: 1, clientId: undefined, link: link() });
    expect(lobby.waiting().map((w) => w.name)).toEqual(['Ben', 'Anna']);
    const ticket = lobby.admit('a')!;
    expect(ticket).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(lobby.admit('a')).toBeNull(); // not waiting any more
    expect(lobby.waiting().map((w) => w.id)).toEqual(['b']);
    expect(lobby.redeem('wrong')).toBeUndefined();
    expect(lobby.redeem(ticket)).toBe(a);
    expect(lobby.redeem(ticket)).toBeUndefined(); // one use
    expect(lobby.remove('b')?.name).toBe('Ben');
    expect(lobby.size).toBe(0);
    expect(lobby.admit('nobody')).toBeNull();
  });

  it('is bounded', () => {
    const lobby = new Lobby(2);
    expect(lobby.add({ id: '1', name: '1', since: 0, clientId: undefined, link: link() })).not.toBeNull();
    expect(lobby.add({ id: '2', name: '2', since: 0, clientId: undefined, link: link() })).not.toBeNull();
    expect(lobby.add({ id: '3', name: '3', since: 0, clientId: undefined, link: link() })).toBeNull();
    expect(lobby.drain()).toHaveLength(2);
    expect(lobby.size).toBe(0);
  });
});

describe('HandQueue', () => {
  it('keeps the order hands went up; positions follow', () => {
    const q = new HandQueue();
    expect(q.raise('c', 3)).toBe(1);
    expect(q.raise('a', 5)).toBe(2);
    expect(q.raise('b', 9)).toBe(3);
    expect(q.raise('a', 10)).toBe(2); // raising again changes nothing
    expect(q.list()).toEqual(['c', 'a', 'b']);
    expect(q.lower('a')).toBe(true);
    expect(q.lower('a')).toBe(false);
    expect(q.position('b')).toBe(2);
    expect(q.position('a')).toBeNull();
    expect(q.first()).toBe('c');
    expect(q.clear()).toEqual(['c', 'b']);
    expect(q.first()).toBeUndefined();
  });
});

describe('polls', () => {
  const poll = (p: Partial<StoredPoll> = {}): StoredPoll => ({
    id: 'p', question: 'Q?', options: ['A', 'B', 'C'], multiple: false, anonymous: false, liveResults: false, createdAt: 0, closesAt: null, closed: false, answers: [], ...p,
  });

  it.each([
    [{}, [0], null],
    [{}, [0, 1], 'choices: this poll takes exactly one choice'],
    [{ multiple: true }, [0, 2], null],
    [{ multiple: true }, [1, 1], 'choices: each option at most once'],
    [{}, [3], 'choices: options are 0..2'],
    [{ closed: true }, [0], 'the poll is closed'],
    [{ closesAt: 100 }, [0], 'the poll is closed'],
    [{ closesAt: 1000 }, [0], null],
  ] as [Partial<StoredPoll>, number[], string | null][])('%j answer %j -> %s', (p, choices, problem) => {
    expect(answerProblem(poll(p), choices, 500)).toBe(problem);
  });

  it('tallies every choice', () => {
    expect(tally(3, [{ choices: [0] }, { choices: [0, 2] }, { choices: [2] }])).toEqual([2, 0, 2]);
    expect(tally(2, [])).toEqual([0, 0]);
  });

  it('hides results until closed unless live; names only in named polls', () => {
    const answers = [{ peerId: 'x', name: 'Xena', choices: [1] }, { peerId: 'y', name: 'Yves', choices: [0] }];
    const hidden = pollView(poll({ answers }), 'x', 0);
    expect(hidden.counts).toBeNull();
    expect(hidden.voters).toBeNull();
    expect(hidden.answered).toBe(2);
    expect(hidden.mine).toEqual([1]);
    const closed = pollView(poll({ answers, closed: true }), 'z', 0);
    expect(closed.counts).toEqual([1, 1, 0]);
    expect(closed.voters).toEqual([{ name: 'Xena', choices: [1] }, { name: 'Yves', choices: [0] }]);
    expect(closed.mine).toBeNull();
    const anonymous = pollView(poll({ answers, anonymous: true, liveResults: true }), 'x', 0);
    expect(anonymous.counts).toEqual([1, 1, 0]);
    expect(anonymous.voters).toBeNull();
  });
});
