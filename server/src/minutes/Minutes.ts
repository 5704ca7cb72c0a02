// The shared minutes of one meeting: a Yjs document (one text, "body"). Updates from
// writers are checked on a scratch copy first (a malformed update changes nothing), stored,
// then applied and relayed. Every SNAPSHOT_EVERY updates the whole state is stored once and
// the updates before it are dropped. The server itself appends each vote's outcome.
import * as Y from 'yjs';
import type { MinutesStore } from './store.js';

const SNAPSHOT_EVERY = 100;
/** The minutes of one meeting stay below this many characters. */
export const MAX_MINUTES_CHARS = 500_000;

export class Minutes {
  readonly doc = new Y.Doc();
  readonly #roomId: string;
  readonly #store: MinutesStore;
  #seq: number;
  #sinceSnapshot = 0;
  readonly #writers: Set<string>;
  #agenda: string[];

  constructor(roomId: string, store: MinutesStore) {
    this.#roomId = roomId;
    this.#store = store;
    const { snapshot, updates, seq } = store.load(roomId);
    if (snapshot) Y.applyUpdate(this.doc, snapshot);
    for (const u of updates) Y.applyUpdate(this.doc, u);
    this.#seq = seq;
    this.#sinceSnapshot = updates.length;
    this.#writers = new Set(store.writers(roomId));
    this.#agenda = store.agenda(roomId);
  }

  get agenda(): string[] { return this.#agenda; }
  setAgenda(items: string[]): void {
    this.#store.setAgenda(this.#roomId, items);
    this.#agenda = items;
  }

  get text(): string { return this.doc.getText('body').toString(); }
  get writers(): string[] { return [...this.#writers]; }
  isWriter(peerId: string): boolean { return this.#writers.has(peerId); }

  setWriter(peerId: string, writer: boolean): void {
    this.#store.setWriter(this.#roomId, peerId, writer);
    if (writer) this.#writers.add(peerId); else this.#writers.delete(peerId);
  }

  state(): string { return Buffer.from(Y.encodeStateAsUpdate(this.doc)).toString('base64'); }

  /** Validates, stores and applies an update; returns a problem or null. */
  apply(update: Uint8Array): string | null {
    const scratch = new Y.Doc();
    try {
      Y.applyUpdate(scratch, Y.encodeStateAsUpdate(this.doc));
      Y.applyUpdate(scratch, update);
    } catch {
      return 'update: not a valid Yjs update';
    }
    if (scratch.getText('body').length > MAX_MINUTES_CHARS) return `update: the minutes would exceed ${MAX_MINUTES_CHARS} characters`;
    scratch.destroy();
    this.#persist(update);
    Y.applyUpdate(this.doc, update, 'remote');
    return null;
  }

  /** The server writes (a vote's outcome): returns the update to relay. */
  append(line: string): Uint8Array {
    let out: Uint8Array | null = null;
    const capture = (u: Uint8Array) => { out = u; };
    this.doc.once('update', capture);
    const body = this.doc.getText('body');
    body.insert(body.length, (body.length > 0 && !body.toString().endsWith('\n') ? '\n' : '') + line + '\n');
    const update = out ?? Y.encodeStateAsUpdate(this.doc);
    this.#persist(update);
    return update;
  }

  #persist(update: Uint8Array): void {
    this.#seq++;
    this.#store.append(this.#roomId, this.#seq, update);
    if (++this.#sinceSnapshot >= SNAPSHOT_EVERY) {
      const next = new Y.Doc();
      Y.applyUpdate(next, Y.encodeStateAsUpdate(this.doc));
      Y.applyUpdate(next, update);
      this.#store.snapshot(this.#roomId, this.#seq, Y.encodeStateAsUpdate(next));
      next.destroy();
      this.#sinceSnapshot = 0;
    }
  }
}
