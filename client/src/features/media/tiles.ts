// Reports what each video tile needs to the SFU: its rendered height in device pixels,
// whether it is on screen, and whether it is pinned. Debounced, and only what changed,
// so resizing a window costs one small message, not hundreds.
export interface TileState { consumerId: string; height: number; visible: boolean; pinned: boolean }

export class TileReporter {
  readonly #send: (tiles: TileState[]) => void;
  readonly #debounceMs: number;
  readonly #elements = new Map<string, Element>();
  readonly #state = new Map<string, TileState>();
  readonly #sent = new Map<string, string>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #resize: ResizeObserver | null = null;
  #intersect: IntersectionObserver | null = null;
  readonly #onVisibility = () => this.#markAll();

  constructor(send: (tiles: TileState[]) => void, debounceMs = 300) {
    this.#send = send;
    this.#debounceMs = debounceMs;
    if (typeof ResizeObserver !== 'undefined') {
      this.#resize = new ResizeObserver((entries) => { for (const e of entries) this.#measure(e.target); });
      this.#intersect = new IntersectionObserver((entries) => {
        for (const e of entries) this.#update(e.target, { visible: e.isIntersecting });
      });
      document.addEventListener('visibilitychange', this.#onVisibility);
    }
  }

  observe(consumerId: string, element: Element): () => void {
    this.#elements.set(consumerId, element);
    this.#state.set(consumerId, { consumerId, height: 0, visible: true, pinned: this.#state.get(consumerId)?.pinned ?? false });
    this.#resize?.observe(element);
    this.#intersect?.observe(element);
    this.#measure(element);
    return () => {
      this.#resize?.unobserve(element);
      this.#intersect?.unobserve(element);
      if (this.#elements.get(consumerId) === element) this.#elements.delete(consumerId);
    };
  }

  setPinned(consumerId: string, pinned: boolean): void {
    const s = this.#state.get(consumerId);
    if (s) { s.pinned = pinned; this.#schedule(); }
  }

  /** After a reconnect the server may have lost our reports: send everything again. */
  resendAll(): void {
    this.#sent.clear();
    this.#schedule();
  }

  #consumerOf(element: Element): string | undefined {
    for (const [id, el] of this.#elements) if (el === element) return id;
    return undefined;
  }

  #measure(element: Element): void {
    // Round to 10 px so sub-pixel layout jitter never becomes a message.
    const height = Math.round((element.getBoundingClientRect().height * (globalThis.devicePixelRatio || 1)) / 10) * 10;
    this.#update(element, { height });
  }

  #update(element: Element, patch: Partial<TileState>): void {
    const id = this.#consumerOf(element);
    const s = id ? this.#state.get(id) : undefined;
    if (!s) return;
    Object.assign(s, patch);
    this.#schedule();
  }

  #markAll(): void { this.#schedule(); }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => { this.#timer = null; this.#flush(); }, this.#debounceMs);
  }

  #flush(): void {
    const hidden = typeof document !== 'undefined' && document.visibilityState === 'hidden';
    const changed: TileState[] = [];
    for (const [id, s] of this.#state) {
      if (!this.#elements.has(id)) { this.#state.delete(id); this.#sent.delete(id); continue; }
      const out = { ...s, visible: s.visible && !hidden };
      const key = `${out.height}|${out.visible}|${out.pinned}`;
      if (this.#sent.get(id) === key) continue;
      this.#sent.set(id, key);
      changed.push(out);
    }
    if (changed.length > 0) this.#send(changed);
  }

  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#resize?.disconnect();
    this.#intersect?.disconnect();
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', this.#onVisibility);
  }
}
