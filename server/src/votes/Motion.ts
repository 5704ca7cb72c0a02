// One motion or election: its parameters, its ledger, who voted, and its state machine
// (open -> closed | cancelled). Every change is stored before it is kept in memory, so an
// acknowledged ballot survives a crash.
import { createHash, randomBytes } from 'node:crypto';
import type { MotionView, VoteResult } from '../../../protocol/index.js';
import type { Canonical } from '../../../protocol/canonical.js';
import { Ledger, type ChainedEntry } from './ledger.js';
import { decide } from './result.js';
import type { MotionParams, StoredMotion, VoteStore } from './store.js';

export type Channel = 'browser' | 'phone';
const tokenHash = (t: string) => createHash('sha256').update(t).digest('hex');

export class Motion {
  readonly params: MotionParams;
  state: StoredMotion['state'];
  readonly ledger: Ledger;
  readonly #voted: Set<string>;
  readonly #store: VoteStore;

  constructor(stored: StoredMotion, store: VoteStore) {
    this.params = stored.params;
    this.state = stored.state;
    this.ledger = new Ledger([...stored.entries]);
    this.#voted = new Set(stored.voted);
    this.#store = store;
  }

  static open(roomId: string, params: MotionParams, presentEligible: number, openedBy: string, store: VoteStore): Motion {
    const ledger = new Ledger();
    const opened = ledger.next('opened', {
      motionId: params.id, title: params.title, text: params.text, type: params.type, options: params.options, kind: params.kind, rule: params.rule,
      quorum: params.quorum, seats: params.seats, eligible: params.eligible, presentEligible, openedBy, closesAt: params.closesAt,
    }, params.openedAt);
    store.open(roomId, params, opened);
    return new Motion({ params, state: 'open', entries: [opened], voted: [] }, store);
  }

  get id(): string { return this.params.id; }
  isEligible(peerId: string): boolean { return this.params.eligible.some((e) => e.id === peerId); }
  hasVoted(peerId: string): boolean { return this.#voted.has(peerId); }
  get votedCount(): number { return this.#voted.size; }

  #append(type: Parameters<Ledger['next']>[0], data: { [k: string]: Canonical }, state?: 'closed' | 'cancelled'): ChainedEntry {
    const e = this.ledger.next(type, data);
    this.#store.append(this.id, [e], state);
    this.ledger.push(e);
    return e;
  }

  /** Named ballot (roll-call): returns the ledger entry holding it. */
  castNamed(voter: { id: string; name: string }, choices: number[], channel: Channel): ChainedEntry {
    const e = this.ledger.next('ballot', { voter: voter.id, name: voter.name, choices, channel });
    this.#store.castNamed(this.id, voter.id, e);
    this.ledger.push(e);
    this.#voted.add(voter.id);
    return e;
  }

  /** A fresh secret-ballot token; only its hash is kept, and nothing links it to a voter. */
  issueToken(): string {
    const token = randomBytes(16).toString('base64url');
    this.#store.issueToken(this.id, tokenHash(token));
    return token;
  }

  tokenUsable(token: string): boolean { return this.#store.tokenUsable(this.id, tokenHash(token)); }

  /** Secret ballot: the ledger records now only that the voter voted; the ballot joins it at closing. */
  castSecret(voter: { id: string; name: string }, token: string, choices: number[], channel: Channel): void {
    const e = this.ledger.next('voted', { voter: voter.id, name: voter.name, channel });
    this.#store.castSecret(this.id, voter.id, tokenHash(token), token, choices, e);
    this.ledger.push(e);
    this.#voted.add(voter.id);
  }

  presence(voter: { id: string; name: string }, event: 'joined' | 'left' | 'reconnected'): void {
    if (this.state === 'open' && this.isEligible(voter.id)) this.#append('presence', { voter: voter.id, name: voter.name, event });
  }

  problem(voter: { id: string; name: string }, kind: string, text: string): void {
    this.#append('problem', { voter: voter.id, name: voter.name, kind, text });
  }

  cancel(by: string, reason: string): void {
    this.#append('cancelled', { by, reason }, 'cancelled');
    this.state = 'cancelled';
  }

  /** Closes: secret ballots join the ledger in random order, then the result; returns the result. */
  close(by: string, presentAtClose: number): VoteResult {
    const entries: ChainedEntry[] = [];
    const chain = new Ledger([...this.ledger.entries]);
    const add = (type: Parameters<Ledger['next']>[0], data: { [k: string]: Canonical }) => { const e = chain.next(type, data); chain.push(e); entries.push(e); };
    add('closed', { by, presentEligible: presentAtClose });
    const ballots = this.params.kind === 'secret' ? shuffle(this.#store.secretBallots(this.id)) : [];
    for (const b of ballots) add('ballot', { token: b.token, choices: b.choices });
    const result = this.result(presentAtClose, chain);
    add('result', result as unknown as { [k: string]: Canonical });
    this.#store.append(this.id, entries, 'closed');
    for (const e of entries) this.ledger.push(e);
    this.state = 'closed';
    return result;
  }

  result(presentAtClose: number, chain: Ledger = this.ledger): VoteResult {
    const ballots = chain.entries.filter((e) => e.type === 'ballot').map((e) => e.data.choices as number[]);
    const opened = chain.entries[0]!.data;
    const presentAtOpen = opened.presentEligible as number;
    const d = decide({ type: this.params.type, options: this.params.options, rule: this.params.rule, quorum: this.params.quorum, seats: this.params.seats, eligible: this.params.eligible.length },
      ballots, { atOpen: presentAtOpen, atClose: presentAtClose });
    return { outcome: d.outcome, counts: d.counts, cast: d.cast, yes: d.yes, no: d.no, abstain: d.abstain, elected: d.elected, eligible: this.params.eligible.length, presentAtOpen, presentAtClose, reason: d.reason };
  }

  view(viewer: string): MotionView {
    const p = this.params;
    const named = p.kind === 'live-roll-call' || (p.kind === 'roll-call' && this.state === 'closed');
    const resultEntry = this.ledger.entries.find((e) => e.type === 'result');
    return {
      id: p.id, title: p.title, text: p.text, type: p.type, options: p.options, kind: p.kind, rule: p.rule, quorum: p.quorum, seats: p.seats, eligible: p.eligible,
      state: this.state, openedAt: p.openedAt, closesAt: p.closesAt, voted: this.#voted.size,
      votes: named ? this.ledger.entries.filter((e) => e.type === 'ballot').map((e) => ({ voter: e.data.voter as string, name: e.data.name as string, choices: e.data.choices as number[] })) : null,
      eligibleMe: this.isEligible(viewer), votedMe: this.#voted.has(viewer),
      result: resultEntry ? (resultEntry.data as unknown as VoteResult) : null,
    };
  }
}

function shuffle<T>(xs: T[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = randomBytes(4).readUInt32BE(0) % (i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
