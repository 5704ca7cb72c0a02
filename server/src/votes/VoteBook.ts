// The votes of one room: open motions and the record of closed ones, loaded from storage
// at start (an open vote survives a restart; the chair closes it afterwards).
import type { KeyObject } from 'node:crypto';
import type { Notification, VoteReport } from '../../../protocol/index.js';
import type { Canonical } from '../../../protocol/canonical.js';
import type { Peer } from '../domain/Peer.js';
import { signResult } from './ledger.js';
import { Motion } from './Motion.js';
import type { VoteStore } from './store.js';

export interface VoteKeys { privateKey: KeyObject; publicKeyPem: string }

export interface VoteRoom {
  readonly id: string;
  readonly peers: ReadonlyMap<string, Peer>;
  readonly record: { name: string };
}

export class VoteBook {
  readonly #motions = new Map<string, Motion>();
  readonly #room: VoteRoom;
  readonly #store: VoteStore;
  readonly #keys: VoteKeys;

  constructor(room: VoteRoom, store: VoteStore, keys: VoteKeys) {
    this.#room = room;
    this.#store = store;
    this.#keys = keys;
    for (const m of store.list(room.id)) this.add(new Motion(m, store));
  }

  get store(): VoteStore { return this.#store; }
  get(id: string): Motion | undefined { return this.#motions.get(id); }
  open(): Motion[] { return [...this.#motions.values()].filter((m) => m.state === 'open'); }
  all(): Motion[] { return [...this.#motions.values()]; }
  /** Keeps a motion; one with a duration closes itself when the time is up (also after a restart). */
  add(m: Motion): void {
    this.#motions.set(m.id, m);
    if (m.state === 'open' && m.params.closesAt !== null) {
      setTimeout(() => {
        if (m.state !== 'open') return;
        const result = m.close('timer', this.presentEligible(m.params.eligible));
        this.#onClosed?.(m, result.outcome);
        this.announce(m);
      }, Math.max(0, m.params.closesAt - Date.now())).unref();
    }
  }

  #onClosed: ((m: Motion, outcome: string) => void) | null = null;
  /** Called when a motion closes by itself (the room writes it into the minutes). */
  onClosed(fn: (m: Motion, outcome: string) => void): void { this.#onClosed = fn; }

  /** Eligible voters who are in the room and connected right now. */
  presentEligible(eligible: readonly { id: string }[]): number {
    return eligible.filter((e) => this.#room.peers.get(e.id)?.connected).length;
  }

  /** After a ballot: the turnout (and a live roll-call's vote) to everyone, a few bytes each. */
  announceBallot(m: Motion, vote: { voter: string; name: string; choices: number[] } | null): void {
    const data = { motionId: m.id, voted: m.votedCount, vote: m.params.kind === 'live-roll-call' ? vote : null };
    const text = { notification: 'motionVoted', data } as Notification;
    for (const p of this.#room.peers.values()) p.notify(text);
  }

  announce(m: Motion): void {
    for (const p of this.#room.peers.values()) p.notify({ notification: 'motion', data: { motion: m.view(p.id) } } as Notification);
  }

  /** A voter joined, left or came back while votes are open: recorded in each ledger. */
  presence(peer: Peer, event: 'joined' | 'left' | 'reconnected'): void {
    for (const m of this.open()) {
      if (!m.isEligible(peer.id)) continue;
      m.presence(peer, event);
      this.announce(m);
    }
  }

  report(m: Motion): VoteReport {
    const entries = m.ledger.entries.map((e) => ({ ...e }));
    const last = entries.at(-1)!;
    const result = last.type === 'result' ? last.data : null;
    return {
      format: 'thinline-vote-report/1', motionId: m.id, roomName: this.#room.record.name, entries, head: m.ledger.head,
      signature: result ? signResult(this.#keys.privateKey, m.id, m.ledger.head, result as Canonical) : '',
      publicKey: this.#keys.publicKeyPem,
    };
  }
}
