// The media worker thread, seen from the gateway: typed messages, one listener per call.
import { Worker } from 'node:worker_threads';
import { logger } from '../log.js';
import type { FromMedia, ToMedia } from './media-protocol.js';

const log = logger('phone');

export class MediaThread {
  readonly #worker: Worker;
  readonly #listeners = new Map<string, (m: FromMedia) => void>();
  #closed = false;

  constructor() {
    // The worker is TypeScript like the rest of the server: it registers tsx, then loads it
    // (Node 20 ignores `--import` in a worker's execArgv for the entry module).
    const tsx = import.meta.resolve('tsx/esm/api');
    const entry = new URL('./media-worker.ts', import.meta.url).href;
    this.#worker = new Worker(`import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`, { eval: true });
    this.#worker.on('message', (m: FromMedia) => this.#listeners.get(m.callId)?.(m));
    this.#worker.on('error', (e) => log.error('phone media thread failed', { error: e.message }));
    this.#worker.on('exit', (code) => { if (!this.#closed) log.error('phone media thread exited', { code }); });
    this.#worker.unref();
  }

  post(m: ToMedia): void { if (!this.#closed) this.#worker.postMessage(m); }

  listen(callId: string, fn: (m: FromMedia) => void): () => void {
    this.#listeners.set(callId, fn);
    return () => this.#listeners.delete(callId);
  }

  /** Opens a call's sockets; resolves with their ports. */
  open(m: Extract<ToMedia, { type: 'open' }>): Promise<{ phonePort: number; roomPort: number }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('media thread did not answer')), 5000);
      const previous = this.#listeners.get(m.callId);
      this.#listeners.set(m.callId, (r) => {
        if (r.type === 'opened') { clearTimeout(timer); previous ? this.#listeners.set(m.callId, previous) : this.#listeners.delete(m.callId); resolve(r); }
        else previous?.(r);
      });
      this.post(m);
    });
  }

  close(): void {
    this.#closed = true;
    void this.#worker.terminate();
  }
}
