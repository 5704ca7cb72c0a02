// The speaker queue: raised hands in the order they went up. Everyone sees the same
// order (the server's), participants their own position.
export class HandQueue {
  #order: { peerId: string; at: number }[] = [];

  raise(peerId: string, at: number): number {
    if (!this.#order.some((h) => h.peerId === peerId)) this.#order.push({ peerId, at });
    return this.position(peerId)!;
  }

  lower(peerId: string): boolean {
    const before = this.#order.length;
    this.#order = this.#order.filter((h) => h.peerId !== peerId);
    return this.#order.length !== before;
  }

  clear(): string[] {
    const all = this.#order.map((h) => h.peerId);
    this.#order = [];
    return all;
  }

  /** 1-based position, or null when the hand is down. */
  position(peerId: string): number | null {
    const i = this.#order.findIndex((h) => h.peerId === peerId);
    return i < 0 ? null : i + 1;
  }

  first(): string | undefined { return this.#order[0]?.peerId; }
  list(): string[] { return this.#order.map((h) => h.peerId); }
  has(peerId: string): boolean { return this.#order.some((h) => h.peerId === peerId); }
}
