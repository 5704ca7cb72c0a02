// The vote ledger: an append-only chain of entries per motion. Each entry's hash is
// SHA-256 over the previous entry's hash (hex; 64 zeros for the first) and the entry's
// canonical JSON (protocol/canonical.ts), so changing, dropping, reordering or adding any
// entry changes every hash after it. The closing result is signed with the server's
// Ed25519 key over the canonical JSON of { motionId, head, result }.
import { createHash, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { canonicalJson, type Canonical } from '../../../protocol/canonical.js';

export const GENESIS = '0'.repeat(64);

export type EntryType = 'opened' | 'ballot' | 'voted' | 'presence' | 'problem' | 'closed' | 'cancelled' | 'result';
export interface Entry { seq: number; at: number; type: EntryType; data: { [key: string]: Canonical } }
export interface ChainedEntry extends Entry { prev: string; hash: string }

export function entryHash(prev: string, entry: Entry): string {
  return createHash('sha256').update(prev + canonicalJson(entry as unknown as Canonical), 'utf8').digest('hex');
}

export class Ledger {
  readonly #entries: ChainedEntry[];

  constructor(entries: ChainedEntry[] = []) { this.#entries = entries; }

  get entries(): readonly ChainedEntry[] { return this.#entries; }
  get head(): string { return this.#entries.at(-1)?.hash ?? GENESIS; }

  /** The next entry, chained but not yet kept (the caller stores it, then `push`es it). */
  next(type: EntryType, data: Entry['data'], at = Date.now()): ChainedEntry {
    const entry: Entry = { seq: this.#entries.length, at, type, data };
    const prev = this.head;
    return { ...entry, prev, hash: entryHash(prev, entry) };
  }

  push(e: ChainedEntry): void {
    if (e.prev !== this.head || e.seq !== this.#entries.length) throw new Error('ledger: entry does not follow the head');
    this.#entries.push(e);
  }
}

export function signResult(key: KeyObject, motionId: string, head: string, result: Canonical): string {
  return sign(null, Buffer.from(canonicalJson({ motionId, head, result }), 'utf8'), key).toString('base64');
}
