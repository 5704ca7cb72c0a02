// One mediasoup worker per core, each with a WebRtcServer (one UDP + one TCP port per
// worker: firewall-friendly, and ICE-TCP rescues UDP-blocked networks). Rooms go to the
// least-loaded worker. A dead worker is logged and replaced; listeners move their rooms.
import { EventEmitter } from 'node:events';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { logger } from '../log.js';

const log = logger('workers');

export interface PoolOptions {
  numWorkers: number;
  listenIp: string;
  announcedIp: string | undefined;
  /** Worker slot i listens on portBase + i; 0 lets the OS pick (tests). */
  portBase: number;
  logLevel?: types.WorkerLogLevel;
}

export interface MediaWorker {
  readonly slot: number;
  readonly worker: types.Worker;
  readonly webRtcServer: types.WebRtcServer;
  /** Routers (rooms) currently placed on this worker. */
  load: number;
}

export interface PoolEvents {
  /** A worker died; `replacement` is its successor in the same slot. */
  workerreplaced: [dead: MediaWorker, replacement: MediaWorker];
}

export class WorkerPool extends EventEmitter<PoolEvents> {
  readonly #options: PoolOptions;
  readonly #slots: MediaWorker[] = [];
  #closed = false;

  private constructor(options: PoolOptions) {
    super();
    this.#options = options;
  }

  static async create(options: PoolOptions): Promise<WorkerPool> {
    if (!Number.isInteger(options.numWorkers) || options.numWorkers < 1) throw new TypeError('numWorkers must be >= 1');
    const pool = new WorkerPool(options);
    for (let slot = 0; slot < options.numWorkers; slot++) pool.#slots.push(await pool.#spawn(slot));
    log.info('media workers ready', { count: options.numWorkers, pids: pool.#slots.map((s) => s.worker.pid) });
    return pool;
  }

  get workers(): readonly MediaWorker[] {
    return this.#slots;
  }

  /** The worker with the fewest routers; ties go to the lowest slot. */
  leastLoaded(): MediaWorker {
    if (this.#closed) throw new Error('WorkerPool closed');
    let best = this.#slots[0]!;
    for (const s of this.#slots) if (s.load < best.load) best = s;
    return best;
  }

  async #spawn(slot: number): Promise<MediaWorker> {
    const worker = await mediasoup.createWorker({ logLevel: this.#options.logLevel ?? 'warn' });
    const port = this.#options.portBase > 0 ? this.#options.portBase + slot : undefined;
    const listen = (protocol: 'udp' | 'tcp'): types.WebRtcServerListenInfo => ({
      protocol, ip: this.#options.listenIp, announcedIp: this.#options.announcedIp, port,
    });
    const webRtcServer = await worker.createWebRtcServer({ listenInfos: [listen('udp'), listen('tcp')] });
    const entry: MediaWorker = { slot, worker, webRtcServer, load: 0 };
    worker.on('died', (error) => void this.#onDied(entry, error));
    return entry;
  }

  async #onDied(dead: MediaWorker, error: Error): Promise<void> {
    if (this.#closed) return;
    log.error('media worker died, replacing it', { slot: dead.slot, pid: dead.worker.pid, error: error.message });
    // Its ports are free again once the process is gone; retry briefly if not yet.
    for (let attempt = 0; ; attempt++) {
      try {
        const replacement = await this.#spawn(dead.slot);
        if (this.#closed) { replacement.worker.close(); return; }
        this.#slots[dead.slot] = replacement;
        log.info('media worker replaced', { slot: dead.slot, pid: replacement.worker.pid });
        this.emit('workerreplaced', dead, replacement);
        return;
      } catch (e) {
        if (attempt >= 20 || this.#closed) {
          log.error('could not replace media worker', { slot: dead.slot, error: (e as Error).message });
          return;
        }
        await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
      }
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#slots) s.worker.close();
  }
}
