// The shared minutes in the browser: a Yjs replica of the meeting's document. Local edits
// (from the text area) become Yjs operations sent to the server; remote updates are
// merged, so two writers typing at once converge on the same text.
import * as Y from 'yjs';
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

export class MinutesState {
  text = $state('');
  writers = $state.raw<string[]>([]);
  agenda = $state.raw<string[]>([]);
  /** Set when an edit was refused (e.g. not a writer any more). */
  error = $state<string | null>(null);
  #doc = new Y.Doc();
  #editor: Editor | null = null;
  readonly #transport: MinutesTransport;

  constructor(transport: MinutesTransport) {
    this.#transport = transport;
    this.#bind();
  }

  #bind(): void {
    const body = this.#doc.getText('body');
    body.observe(() => { this.text = body.toString(); });
    this.#doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== 'local') return;
      this.#transport.request('minutesUpdate', { update: toB64(update) }).catch((e: unknown) => { this.error = e instanceof Error ? e.message : String(e); });
    });
  }

  load(s: MinutesSnapshot): void {
    this.#doc.destroy();
    this.#doc = new Y.Doc();
    this.#bind();
    Y.applyUpdate(this.#doc, fromB64(s.state), 'remote');
    this.text = this.#doc.getText('body').toString();
    this.writers = s.writers;
    this.agenda = s.agenda;
  }

  /** The text area showing the minutes (null when the panel closes). */
  attach(editor: Editor | null): void {
    this.#editor = editor;
    if (editor) editor.value = this.text;
  }

  /**
   * Merges a remote update. The writer's caret is pinned to the text around it (Yjs
   * relative positions taken before the merge), so typing continues where it was.
   */
  #applyRemote(update: Uint8Array): void {
    const el = this.#editor;
    const body = this.#doc.getText('body');
    const pin = el?.focused ? [Y.createRelativePositionFromTypeIndex(body, el.selectionStart), Y.createRelativePositionFromTypeIndex(body, el.selectionEnd)] : null;
    Y.applyUpdate(this.#doc, update, 'remote');
    if (!el) return;
    el.value = body.toString();
    if (pin) {
      const [a, b] = pin.map((r) => Y.createAbsolutePositionFromRelativePosition(r!, this.#doc)?.index ?? 0);
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
    const body = this.#doc.getText('body');
    const prev = body.toString();
    if (next === prev) return;
    let start = 0;
    while (start < prev.length && start < next.length && prev[start] === next[start]) start++;
    let endPrev = prev.length, endNext = next.length;
    while (endPrev > start && endNext > start && prev[endPrev - 1] === next[endNext - 1]) { endPrev--; endNext--; }
    this.#doc.transact(() => {
      if (endPrev > start) body.delete(start, endPrev - start);
      if (endNext > start) body.insert(start, next.slice(start, endNext));
    }, 'local');
  }
}
