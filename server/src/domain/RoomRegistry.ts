// All rooms of this node, keyed by their unguessable id. Rooms are records first;
// a Room object (with media) exists while anyone may join it.
import type { types } from 'mediasoup';
import type { MediaWorker, WorkerPool } from '../media/WorkerPool.js';
import { mediaCodecs } from '../media/codecs.js';
import { secretId } from './ids.js';
import { DEFAULT_ALLOCATION, Room, type RoomRecord } from './Room.js';
import type { RoomAllocatorOptions } from '../allocation/RoomAllocator.js';
import type { RoomStore } from './RoomStore.js';

export class RoomRegistry {
  readonly #pool: WorkerPool;
  readonly #store: RoomStore;
  readonly #rooms = new Map<string, Room>();
  #capabilities: types.RtpCapabilities | null = null;

  readonly #allocation: RoomAllocatorOptions;

  constructor(pool: WorkerPool, store: RoomStore, allocation: Partial<RoomAllocatorOptions> = {}) {
    this.#pool = pool;
    this.#store = store;
    this.#allocation = { ...DEFAULT_ALLOCATION, ...allocation };
    for (const record of store.loadAll()) this.#rooms.set(record.id, new Room(record, pool, this.#allocation));
    pool.on('workerreplaced', (dead, replacement) => void this.#onWorkerReplaced(dead, replacement));
  }

  async create(name: string): Promise<Room> {
    const record: RoomRecord = { id: secretId(), moderatorKey: secretId(), name, createdAt: new Date().toISOString() };
    await this.#store.save(record);
    const room = new Room(record, this.#pool, this.#allocation);
    this.#rooms.set(record.id, room);
    return room;
  }

  get(id: string): Room | undefined {
    return this.#rooms.get(id);
  }

  get rooms(): IterableIterator<Room> {
    return this.#rooms.values();
  }

  /** Router capabilities are the same for every room (same codecs): compute once. */
  async rtpCapabilities(): Promise<types.RtpCapabilities> {
    if (!this.#capabilities) {
      const router = await this.#pool.leastLoaded().worker.createRouter({ mediaCodecs });
      this.#capabilities = router.rtpCapabilities;
      router.close();
    }
    return this.#capabilities;
  }

  async #onWorkerReplaced(dead: MediaWorker, replacement: MediaWorker): Promise<void> {
    await Promise.all([...this.#rooms.values()].map((r) => r.moveTo(dead, replacement)));
  }

  close(): void {
    for (const r of this.#rooms.values()) r.close();
  }
}
