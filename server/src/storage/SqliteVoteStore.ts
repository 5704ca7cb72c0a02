// Votes in SQLite (see votes/store.ts). The secret-ballot tables are WITHOUT ROWID and keyed
// by random tokens or voter ids, so neither their keys nor their order link a voter to a choice.
import type { ChainedEntry } from '../votes/ledger.js';
import type { MotionParams, StoredMotion, VoteStore } from '../votes/store.js';
import type { Database } from './database.js';

export class SqliteVoteStore implements VoteStore {
  constructor(readonly db: Database) {}

  open(roomId: string, params: MotionParams, opened: ChainedEntry): void {
    this.db.transaction(() => {
      this.db.prepare("INSERT INTO motions (id, room_id, params, state, opened_at) VALUES (?, ?, ?, 'open', ?)").run(params.id, roomId, JSON.stringify(params), params.openedAt);
      this.#insert(params.id, opened);
    })();
  }

  #insert(motionId: string, e: ChainedEntry): void {
    this.db.prepare('INSERT INTO ledger_entries (motion_id, seq, entry) VALUES (?, ?, ?)').run(motionId, e.seq, JSON.stringify(e));
  }

  append(motionId: string, entries: ChainedEntry[], state?: 'closed' | 'cancelled'): void {
    this.db.transaction(() => {
      for (const e of entries) this.#insert(motionId, e);
      if (state) this.db.prepare('UPDATE motions SET state = ? WHERE id = ?').run(state, motionId);
    })();
  }

  castNamed(motionId: string, voter: string, entry: ChainedEntry): void {
    this.db.transaction(() => {
      this.db.prepare('INSERT INTO vote_turnout (motion_id, peer_id) VALUES (?, ?)').run(motionId, voter);
      this.#insert(motionId, entry);
    })();
  }

  issueToken(motionId: string, tokenHash: string): void {
    this.db.prepare('INSERT INTO vote_tokens (motion_id, token_hash, used) VALUES (?, ?, 0)').run(motionId, tokenHash);
  }

  tokenUsable(motionId: string, tokenHash: string): boolean {
    const r = this.db.prepare('SELECT used FROM vote_tokens WHERE motion_id = ? AND token_hash = ?').get(motionId, tokenHash) as { used: number } | undefined;
    return r !== undefined && r.used === 0;
  }

  castSecret(motionId: string, voter: string, tokenHash: string, token: string, choices: number[], voted: ChainedEntry): void {
    this.db.transaction(() => {
      this.db.prepare('INSERT INTO vote_turnout (motion_id, peer_id) VALUES (?, ?)').run(motionId, voter);
      const used = this.db.prepare('UPDATE vote_tokens SET used = 1 WHERE motion_id = ? AND token_hash = ? AND used = 0').run(motionId, tokenHash);
      if (used.changes !== 1) throw new Error('token already used');
      this.db.prepare('INSERT INTO secret_ballots (motion_id, token, choices) VALUES (?, ?, ?)').run(motionId, token, JSON.stringify(choices));
      this.#insert(motionId, voted);
    })();
  }

  secretBallots(motionId: string): { token: string; choices: number[] }[] {
    return (this.db.prepare('SELECT token, choices FROM secret_ballots WHERE motion_id = ?').all(motionId) as { token: string; choices: string }[])
      .map((r) => ({ token: r.token, choices: JSON.parse(r.choices) as number[] }));
  }

  list(roomId: string): StoredMotion[] {
    const motions = this.db.prepare('SELECT id, params, state FROM motions WHERE room_id = ? ORDER BY opened_at').all(roomId) as { id: string; params: string; state: StoredMotion['state'] }[];
    return motions.map((m) => ({
      params: JSON.parse(m.params) as MotionParams,
      state: m.state,
      entries: (this.db.prepare('SELECT entry FROM ledger_entries WHERE motion_id = ? ORDER BY seq').all(m.id) as { entry: string }[]).map((r) => JSON.parse(r.entry) as ChainedEntry),
      voted: (this.db.prepare('SELECT peer_id FROM vote_turnout WHERE motion_id = ?').all(m.id) as { peer_id: string }[]).map((r) => r.peer_id),
    }));
  }
}
