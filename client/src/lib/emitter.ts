/** Minimal typed event emitter for browser code (no Node `events` in the bundle). */
export class Emitter<E extends Record<string, unknown[]>> {
  readonly #listeners = new Map<keyof E, Set<(...args: never[]) => void>>();

  on<K extends keyof E>(event: K, fn: (...args: E[K]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(fn as (...args: never[]) => void);
    return () => set.delete(fn as (...args: never[]) => void);
  }

  emit<K extends keyof E>(event: K, ...args: E[K]): void {
    for (const fn of [...(this.#listeners.get(event) ?? [])]) (fn as (...a: E[K]) => void)(...args);
  }
}
