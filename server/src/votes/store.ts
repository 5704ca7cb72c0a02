// Storage of votes (interface; SQLite in storage/SqliteVoteStore.ts). Every method that
// records a ballot is one transaction, committed before the ballot is acknowledged. For
// secret ballots the store keeps who voted (turnout) and the ballots (token + choice)
// in separate tables with no common key, no time and no insertion order.
import type { ChainedEntry } from './ledger.js';

export interface MotionParams {
  id: string; title: string; text: string; type: 'motion' | 'election'; options: string[]; kind: 'live-roll-call' | 'roll-call' | 'secret';
  rule: 'simple' | 'absolute' | 'two-thirds'; quorum: number | null; seats: number; eligible: { id: string; name: string }[];
  openedAt: number; closesAt: number | null;
}
export interface StoredMotion { params: MotionParams; state: 'open' | 'closed' | 'cancelled'; entries: ChainedEntry[]; voted: string[] }

export interface VoteStore {
  open(roomId: string, params: MotionParams, opened: ChainedEntry): void;
  append(motionId: string, entries: ChainedEntry[], state?: 'closed' | 'cancelled'): void;
  /** Roll-call: the turnout row and the ballot entry, together. */
  castNamed(motionId: string, voter: string, entry: ChainedEntry): void;
  issueToken(motionId: string, tokenHash: string): void;
  tokenUsable(motionId: string, tokenHash: string): boolean;
  /** Secret: turnout (voter) + the token used + the ballot (token, choices) + the "voted" entry, together. */
  castSecret(motionId: string, voter: string, tokenHash: string, token: string, choices: number[], voted: ChainedEntry): void;
  secretBallots(motionId: string): { token: string; choices: number[] }[];
  list(roomId: string): StoredMotion[];
}
