// Legally binding votes: motions (yes/no/abstain) and elections (candidates) held as
// live roll-call, roll-call or secret ballot, on a hash-chained, signed ledger. Quick polls
// (meeting.ts) are something else and must never be confused with these.
import * as v from 'valibot';
import type { Canonical } from './canonical.js';
import { Id, request } from './common.js';

const Text = (max: number) => v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(max, `at most ${max} characters`));

export const voteRequests = [
  request('motionOpen', v.strictObject({
    title: Text(300),
    text: v.optional(v.pipe(v.string(), v.maxLength(5000))),
    /** Absent: a motion (yes, no, abstain). Present: an election among these candidates. */
    candidates: v.optional(v.pipe(v.array(Text(120)), v.minLength(2), v.maxLength(50))),
    seats: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(49))),
    allowAbstain: v.boolean(),
    kind: v.picklist(['live-roll-call', 'roll-call', 'secret']),
    /** Peer ids of the eligible voters (a snapshot; the chair edits it before opening). */
    eligible: v.pipe(v.array(Id), v.minLength(1), v.maxLength(500)),
    rule: v.picklist(['simple', 'absolute', 'two-thirds']),
    quorum: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(500))),
    durationS: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(10), v.maxValue(86_400))),
  })),
  request('ballotCast', v.strictObject({
    motionId: Id,
    choices: v.pipe(v.array(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(49))), v.minLength(1), v.maxLength(49)),
    /** Secret ballots: the token from `ballotToken`. */
    token: v.optional(Id),
  })),
  /** Secret ballots: a (new) token for a voter who did not get one (late, reconnected). */
  request('ballotToken', v.strictObject({ motionId: Id })),
  request('motionClose', v.strictObject({ motionId: Id })),
  request('motionCancel', v.strictObject({ motionId: Id, reason: v.pipe(v.string(), v.maxLength(500)) })),
  /** "I could not hear", "my vote did not go through": recorded in the ledger. */
  request('voteProblem', v.strictObject({ motionId: Id, kind: v.picklist(['audio', 'video', 'ballot', 'other']), text: v.optional(v.pipe(v.string(), v.maxLength(500))) })),
  request('motionReport', v.strictObject({ motionId: Id })),
] as const;

export type VoteKind = 'live-roll-call' | 'roll-call' | 'secret';
export interface MotionView {
  id: string; title: string; text: string; type: 'motion' | 'election'; options: string[]; kind: VoteKind;
  rule: 'simple' | 'absolute' | 'two-thirds'; quorum: number | null; seats: number; eligible: { id: string; name: string }[];
  state: 'open' | 'closed' | 'cancelled'; openedAt: number; closesAt: number | null;
  /** How many have voted. */
  voted: number;
  /** Live roll-call: each vote as it comes; roll-call after closing; never for secret ballots. */
  votes: { voter: string; name: string; choices: number[] }[] | null;
  /** Whether this participant may vote and has voted. */
  eligibleMe: boolean; votedMe: boolean;
  result: VoteResult | null;
}
export interface VoteResult {
  outcome: 'accepted' | 'rejected' | 'no_quorum' | 'invalid' | 'elected';
  counts: number[]; cast: number; yes: number; no: number; abstain: number; elected: number[];
  eligible: number; presentAtOpen: number; presentAtClose: number; reason: string;
}
export interface LedgerEntryWire { seq: number; at: number; type: string; data: { [key: string]: Canonical }; prev: string; hash: string }
export interface VoteReport {
  format: 'thinline-vote-report/1';
  motionId: string;
  roomName: string;
  entries: LedgerEntryWire[];
  /** Hash of the last entry (the result). */
  head: string;
  /** Ed25519 over canonical JSON of { motionId, head, result } (base64). */
  signature: string;
  publicKey: string;
}

export interface VoteResponses {
  motionOpen: { motion: MotionView };
  ballotCast: { receipt: { token: string | null; entryHash: string | null } };
  ballotToken: { token: string };
  motionClose: { motion: MotionView };
  motionCancel: { motion: MotionView };
  voteProblem: Record<string, never>;
  motionReport: { report: VoteReport };
}

export interface VoteNotifications {
  /** A motion opened, closed or was cancelled (the whole view). */
  motion: { motion: MotionView };
  /** Someone voted: the turnout, and in a live roll-call the vote itself (small: sent to everyone on every ballot). */
  motionVoted: { motionId: string; voted: number; vote: { voter: string; name: string; choices: number[] } | null };
  /** Secret ballots: your token (sent only to you; the server keeps no link to you). */
  ballotToken: { motionId: string; token: string };
}
