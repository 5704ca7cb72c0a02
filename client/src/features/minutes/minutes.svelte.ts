// The shared minutes in the browser: a Yjs replica of the meeting's document. Local edits
// (from the text area) become Yjs operations sent to the server; remote updates are
// merged, so two writers typing at once converge on the same text.
// Yjs (~25 KB gzip with lib0) loads only when the minutes panel opens: joining a call must
// not wait for it (on a 256 kbit/s link the call's code took 3.4 s to arrive). Until then
// the snapshot and the updates that follow it are kept as they came, in order.
import type * as Y from 'yjs';
import type { MinutesSnapshot, Notification } from '../../../../protocol/index.js';
import type { Requester } from '../../lib/signaling.js';

export type MinutesTransport = Requester;

const toB64 = (u: Uint8Array) => { let s = ''; for (const b of u) s += String.fromCharCode(b); return btoa(s); };
const fromB64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

/** What the minutes need of the text area: its value and the writer's selection. */
export interface Editor {
  value: string;
  selectionStart: number;
  selectionEnd: number;
  setSelectionRange(start: number, end: number): void;
  readonly focused: boolean;
}

type Yjs = typeof import('yjs');
let yjs: Promise<Yjs> | null = null;
const loadYjs = (): Promise<Yjs> => (yjs ??= import('yjs'));

export class MinutesState {
  text = $state('');
  /** The replica is built (Yjs loaded): the text area may be edited. */
  ready = $state(false);
  writers = $state.raw<string[]>([]);
  agenda = $state.raw<string[]>([]);
  /** Set when an edit was refused (e.g. not a writer any more). */
  error = $state<string | null>(null);
  #Y: Yjs | null = null;
  #doc: Y.Doc | null = null;
  /** The last snapshot and the updates after it, while Yjs is not loaded yet. */
  #snapshot: Uint8Array | null = null;
  #pending: Uint8Array[] = [];
  #editor: Editor | null = null;
  readonly #transport: MinutesTransport;

  constructor(transport: MinutesTransport) {
    this.#transport = transport;
  }

  /** Loads Yjs and builds the replica from what has arrived so far. */
  async ensure(): Promise<void> {
    if (this.#doc) return;
    this.#Y = await loadYjs();
    if (!this.#doc) this.#build();
  }

  #build(): void {
    const Yjs = this.#Y!;
    this.#doc?.destroy();
    this.#doc = new Yjs.Doc();
    this.#bind(this.#doc);
    if (this.#snapshot) Yjs.applyUpdate(this.#doc, this.#snapshot, 'remote');
    for (const u of this.#pending) Yjs.applyUpdate(this.#doc, u, 'remote');
    this.#snapshot = null;
    this.#pending = [];
    this.text = this.#doc.getText('body').toString();
    if (this.#editor) this.#editor.value = this.text;
    this.ready = true;
  }

  #bind(doc: Y.Doc): void {
    const body = doc.getText('body');
    body.observe(() => { this.text = body.toString(); });
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== 'local') return;
      this.#transport.request('minutesUpdate', { update: toB64(update) }).catch((e: unknown) => { this.error = e instanceof Error ? e.message : String(e); });
    });
  }

  load(s: MinutesSnapshot): void {
    this.#snapshot = fromB64(s.state);
    this.#pending = [];
    this.writers = s.writers;
    this.agenda = s.agenda;
    if (this.#Y) this.#build();
    else { this.#doc?.destroy(); this.#doc = null; }
  }

  /** The text area showing the minutes (null when the panel closes); opening it loads Yjs. */
  attach(editor: Editor | null): void {
    this.#editor = editor;
    if (!editor) return;
    editor.value = this.text;
    this.ensure().catch((e: unknown) => { this.error = e instanceof Error ? e.message : String(e); });
  }

  /**
   * Merges a remote update. The writer's caret is pinned to the text around it (Yjs
   * relative positions taken before the merge), so typing continues where it was.
   */
  #applyRemote(update: Uint8Array): void {
    const doc = this.#doc;
    const Y = this.#Y;
    if (!doc || !Y) { this.#pending.push(update); return; }
    const el = this.#editor;
    const body = doc.getText('body');
    const pin = el?.focused ? [Y.createRelativePositionFromTypeIndex(body, el.selectionStart), Y.createRelativePositionFromTypeIndex(body, el.selectionEnd)] : null;
    Y.applyUpdate(doc, update, 'remote');
    if (!el) return;
    el.value = body.toString();
    if (pin) {
      const [a, b] = pin.map((r) => Y.createAbsolutePositionFromRelativePosition(r!, doc)?.index ?? 0);
      el.setSelectionRange(a!, b!);
    }
  }

  handle(n: Notification): boolean {
    if (n.notification === 'minutesUpdate') { this.#applyRemote(fromB64(n.data.update)); return true; }
    if (n.notification === 'minutesWriters') { this.writers = n.data.writers; return true; }
    if (n.notification === 'agenda') { this.agenda = n.data.items; return true; }
    return false;
  }

  /** The text area's new value: the smallest replace (common prefix and suffix kept). */
  edit(next: string): void {
    const doc = this.#doc;
    if (!doc) return; // the text area is read-only until the replica is built
    const body = doc.getText('body');
    const prev = body.toString();
    if (next === prev) return;
    let start = 0;
    while (start < prev.length && start < next.length && prev[start] === next[start]) start++;
    let endPrev = prev.length, endNext = next.length;
    while (endPrev > start && endNext > start && prev[endPrev - 1] === next[endNext - 1]) { endPrev--; endNext--; }
    doc.transact(() => {
      if (endPrev > start) body.delete(start, endPrev - start);
      if (endNext > start) body.insert(start, next.slice(start, endNext));
    }, 'local');
  }
}
