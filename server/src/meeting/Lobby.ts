// The waiting room: people who opened the link and wait for a moderator. A state machine
// per entry: waiting -> admitted (holds a one-time ticket until the client joins with it)
// or gone (rejected, left, room locked). The entry keeps the waiting socket's link so
// the person hears about the decision.
import type { WaitingInfo } from '../../../protocol/index.js';
import type { PeerLink } from '../domain/Peer.js';
import { secretId } from '../domain/ids.js';

export interface WaitingEntry {
  id: string;
  name: string;
  since: number;
  clientId: string | undefined;
  link: PeerLink;
  /** Set once admitted: the client joins with it. */
  ticket: string | null;
}

/** An admitted person has this long to come in with their ticket. */
const TICKET_MS = 60_000;

export class Lobby {
  readonly #entries = new Map<string, WaitingEntry>();
  readonly #max: number;

  constructor(max = 300) { this.#max = max; }

  get size(): number { return this.#entries.size; }

  add(entry: Omit<WaitingEntry, 'ticket'>): WaitingEntry | null {
    if (this.#entries.size >= this.#max) return null;
    const e: WaitingEntry = { ...entry, ticket: null };
    this.#entries.set(e.id, e);
    return e;
  }

  get(id: string): WaitingEntry | undefined { return this.#entries.get(id); }

  /** Those still waiting for a decision (not yet admitted), oldest first. */
  waiting(): WaitingInfo[] {
    return [...this.#entries.values()].filter((e) => e.ticket === null).sort((a, b) => a.since - b.since).map(({ id, name, since }) => ({ id, name, since }));
  }

  /** Admits a waiting person: returns their one-time ticket (null if not waiting). */
  admit(id: string, now = Date.now()): string | null {
    const e = this.#entries.get(id);
    if (!e || e.ticket !== null) return null;
    e.ticket = secretId();
    const ticket = e.ticket;
    setTimeout(() => { if (this.#entries.get(id)?.ticket === ticket) this.#entries.delete(id); }, TICKET_MS - (Date.now() - now)).unref();
    return ticket;
  }

  /** Whose ticket this is (without using it). */
  byTicket(ticket: string): WaitingEntry | undefined {
    for (const e of this.#entries.values()) if (e.ticket !== null && e.ticket === ticket) return e;
    return undefined;
  }

  /** Uses a ticket once. */
  redeem(ticket: string): WaitingEntry | undefined {
    for (const e of this.#entries.values()) {
      if (e.ticket !== null && e.ticket === ticket) {
        this.#entries.delete(e.id);
        return e;
      }
    }
    return undefined;
  }

  remove(id: string): WaitingEntry | undefined {
    const e = this.#entries.get(id);
    this.#entries.delete(id);
    return e;
  }

  /** Everyone, for notices when the room locks or ends. */
  drain(): WaitingEntry[] {
    const all = [...this.#entries.values()];
    this.#entries.clear();
    return all;
  }

  /** Whose link this is (a waiting socket that closes leaves the lobby). */
  byLink(link: PeerLink): WaitingEntry | undefined {
    for (const e of this.#entries.values()) if (e.link === link) return e;
    return undefined;
  }
}
