// One mediasoup worker per core, each with a WebRtcServer (one UDP + one TCP port per
// worker: firewall-friendly, and ICE-TCP rescues UDP-blocked networks). Rooms go to the
// least-loaded worker. A dead worker is logged and replaced; listeners move their rooms.
// A dead slot is never handed out; its replacement is retried with backoff until it works.
import { EventEmitter } from 'node:events';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { ErrorCode } from '../../../protocol/index.js';
import { logger } from '../log.js';
import { AppError } from '../errors.js';

const log = logger('workers');

export interface PoolOptions {
  numWorkers: number;
  listenIp: string;
  announcedIp: string | undefined;
  /** Worker slot i listens on portBase + i; 0 lets the OS pick (tests). */
  portBase: number;
  logLevel?: types.WorkerLogLevel;
  /** How workers are started (tests wrap it to make spawns fail). */
  createWorker?: typeof mediasoup.createWorker;
}

export interface MediaWorker {
  readonly slot: number;
  readonly worker: types.Worker;
  readonly webRtcServer: types.WebRtcServer;
  /** Routers (rooms) currently placed on this worker. */
  load: number;
  /** False from the moment the process died until its replacement takes the slot. */
  alive: boolean;
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

  /** The live worker with the fewest routers; ties go to the lowest slot. */
  leastLoaded(): MediaWorker {
    if (this.#closed) throw new Error('WorkerPool closed');
    let best: MediaWorker | undefined;
    for (const s of this.#slots) if (s.alive && (!best || s.load < best.load)) best = s;
    if (!best) throw new AppError(ErrorCode.MediaUnavailable, 'no media worker is running right now; try again in a moment');
    return best;
  }

  async #spawn(slot: number): Promise<MediaWorker> {
    const worker = await (this.#options.createWorker ?? mediasoup.createWorker)({ logLevel: this.#options.logLevel ?? 'warn' });
    const port = this.#options.portBase > 0 ? this.#options.portBase + slot : undefined;
    const listen = (protocol: 'udp' | 'tcp'): types.WebRtcServerListenInfo => ({
      protocol, ip: this.#options.listenIp, announcedIp: this.#options.announcedIp, port,
    });
    const webRtcServer = await worker.createWebRtcServer({ listenInfos: [listen('udp'), listen('tcp')] });
    const entry: MediaWorker = { slot, worker, webRtcServer, load: 0, alive: true };
    worker.on('died', (error) => void this.#onDied(entry, error));
    return entry;
  }

  async #onDied(dead: MediaWorker, error: Error): Promise<void> {
    dead.alive = false;
    if (this.#closed) return;
    log.error('media worker died, replacing it', { slot: dead.slot, pid: dead.worker.pid, error: error.message });
    // Its ports are free again once the process is gone; until a spawn works, back off
    // (100 ms doubling to 30 s) and keep trying: the slot stays out of service meanwhile.
    for (let attempt = 0; !this.#closed; attempt++) {
      try {
        const replacement = await this.#spawn(dead.slot);
        if (this.#closed) { replacement.worker.close(); return; }
        this.#slots[dead.slot] = replacement;
        log.info('media worker replaced', { slot: dead.slot, pid: replacement.worker.pid, attempts: attempt + 1 });
        this.emit('workerreplaced', dead, replacement);
        return;
      } catch (e) {
        const delay = Math.min(30_000, 100 * 2 ** attempt);
        log.error('could not replace media worker, retrying', { slot: dead.slot, attempt: attempt + 1, retryInMs: delay, error: (e as Error).message });
        await new Promise((r) => setTimeout(r, delay).unref());
      }
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#slots) s.worker.close();
  }
}
