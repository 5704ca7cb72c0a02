// All rooms of this node, keyed by their unguessable id. Rooms are records first; a
// Room object costs nothing but its record until someone joins (no router, no timers).
// Bounded: at most `maxRooms` are stored, and rooms nobody joined for `idleDays` are
// deleted by an hourly sweep.
import { randomInt } from 'node:crypto';
import type { types } from 'mediasoup';
import { ErrorCode } from '../../../protocol/index.js';
import type { MediaWorker, WorkerPool } from '../media/WorkerPool.js';
import { mediaCodecs } from '../media/codecs.js';
import { logger } from '../log.js';
import { AppError } from '../errors.js';
import { secretId } from './ids.js';
import { Room, type AllocatorFactory, type AllocatorPort, type RoomRecord } from './Room.js';
import type { RoomStore } from './RoomStore.js';
import type { MeetingStores } from '../meeting/stores.js';
import type { VoteStore } from '../votes/store.js';
import type { VoteKeys } from '../votes/VoteBook.js';
import type { MinutesStore } from '../minutes/store.js';
import type { RecordingStore } from '../recording/store.js';
import type { MeetingSettings } from '../../../protocol/index.js';
import { hashSecret, logId } from './secrets.js';

const log = logger('rooms');
const DAY_MS = 86_400_000;
/** Six digits: what a caller can type; guessing is bounded by the gateway's attempt limits. */
function dialInPin(): string { return String(randomInt(0, 1_000_000)).padStart(6, '0'); }

const SWEEP_MS = 3_600_000;
const DEMO_SETTING = 'demo_room_id';

export interface RegistryOptions<A extends AllocatorPort> {
  createAllocator: AllocatorFactory<A>;
  stores: MeetingStores;
  votes: { store: VoteStore; keys: VoteKeys };
  minutes: MinutesStore;
  recording: RecordingStore;
  maxRooms?: number;
  idleDays?: number;
  participantsPerRoom?: number;
  /** Seats of participants present before a restart are kept this long for them to resume. */
  graceMs?: number;
}

export class RoomRegistry<A extends AllocatorPort = AllocatorPort> {
  readonly #pool: WorkerPool;
  readonly #store: RoomStore;
  readonly #rooms = new Map<string, Room<A>>();
  #capabilities: types.RtpCapabilities | null = null;
  readonly #opts: RegistryOptions<A>;
  readonly #maxRooms: number;
  readonly #idleMs: number;
  readonly #participantsPerRoom: number;
  readonly #sweeper: NodeJS.Timeout;

  constructor(pool: WorkerPool, store: RoomStore, opts: RegistryOptions<A>) {
    this.#pool = pool;
    this.#store = store;
    this.#opts = opts;
    this.#maxRooms = opts.maxRooms ?? 10_000;
    this.#idleMs = (opts.idleDays ?? 30) * DAY_MS;
    this.#participantsPerRoom = opts.participantsPerRoom ?? 300;
    for (const record of store.loadAll()) {
      const room = this.#add(record);
      room.restore(opts.stores.attendance.present(record.id), opts.graceMs ?? 30_000);
    }
    pool.on('workerreplaced', (dead, replacement) => void this.#onWorkerReplaced(dead, replacement));
    this.#sweeper = setInterval(() => void this.sweep(), SWEEP_MS);
    this.#sweeper.unref();
  }

  #add(record: RoomRecord, initialSettings?: Partial<MeetingSettings>): Room<A> {
    const room = new Room<A>(record, this.#pool, {
      createAllocator: this.#opts.createAllocator, stores: this.#opts.stores, votes: this.#opts.votes, minutes: this.#opts.minutes, recording: this.#opts.recording, maxParticipants: this.#participantsPerRoom, store: this.#store,
      ...(initialSettings ? { initialSettings } : {}),
    });
    this.#rooms.set(record.id, room);
    return room;
  }

  /** Creates a room; its moderator key is returned once and stored only as a hash. */
  async create(name: string, settings: Partial<MeetingSettings> = {}): Promise<{ room: Room<A>; moderatorKey: string }> {
    if (this.#rooms.size >= this.#maxRooms) throw new AppError(ErrorCode.TooManyRooms, `this server holds its maximum of ${this.#maxRooms} rooms`);
    const moderatorKey = secretId();
    const now = new Date().toISOString();
    const record: RoomRecord = { id: secretId(), moderatorKeyHash: hashSecret(moderatorKey), name, createdAt: now, lastJoinAt: now, dialInId: this.#freeDialInId(), dialInPin: dialInPin() };
    await this.#store.insert(record);
    const room = this.#add(record, settings);
    room.meeting.persistSettings();
    return { room, moderatorKey };
  }

  /** Issues a new moderator key for a room (the old one stops working). */
  async rotateModeratorKey(room: Room<A>): Promise<string> {
    const key = secretId();
    room.record.moderatorKeyHash = hashSecret(key);
    await this.#store.setModeratorKeyHash(room.id, room.record.moderatorKeyHash);
    return key;
  }

  /** The demo room `npm start` prints; created once, its key rotated on every start. */
  async demoRoom(): Promise<{ room: Room<A>; moderatorKey: string }> {
    const existing = this.#rooms.get(this.#store.getSetting(DEMO_SETTING) ?? '');
    if (existing) return { room: existing, moderatorKey: await this.rotateModeratorKey(existing) };
    const created = await this.create('Demo meeting', { lobby: false });
    this.#store.setSetting(DEMO_SETTING, created.room.id);
    return created;
  }

  get(id: string): Room<A> | undefined {
    return this.#rooms.get(id);
  }

  /** The room a caller means by its meeting number (phone dial-in). */
  byDialIn(dialInId: string): Room<A> | undefined {
    for (const r of this.#rooms.values()) if (r.record.dialInId === dialInId) return r;
    return undefined;
  }

  /** A new PIN for a room's dial-in (the old one stops working at once). */
  regenerateDialInPin(room: Room<A>): string {
    room.record.dialInPin = dialInPin();
    this.#store.setDialInPin(room.id, room.record.dialInPin);
    return room.record.dialInPin;
  }

  #freeDialInId(): string {
    for (;;) {
      const id = String(randomInt(1_000_000_000, 10_000_000_000));
      if (!this.byDialIn(id)) return id;
    }
  }

  get rooms(): IterableIterator<Room<A>> {
    return this.#rooms.values();
  }

  get size(): number { return this.#rooms.size; }

  /** Deletes rooms that nobody joined for the idle period (and that are empty now). */
  async sweep(now = Date.now()): Promise<number> {
    let removed = 0;
    for (const room of [...this.#rooms.values()]) {
      if (room.peers.size > 0 || now - Date.parse(room.record.lastJoinAt) < this.#idleMs) continue;
      this.#rooms.delete(room.id);
      room.close();
      await this.#store.delete(room.id);
      removed++;
    }
    if (removed) log.info('expired idle rooms', { removed, left: this.#rooms.size });
    return removed;
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
    await Promise.all([...this.#rooms.values()].map(async (r) => {
      try {
        await r.moveTo(dead, replacement);
      } catch (error) {
        log.error('room could not move to the new media worker: closed', { room: logId(r.id), error: (error as Error).message });
      }
    }));
  }

  close(): void {
    clearInterval(this.#sweeper);
    for (const r of this.#rooms.values()) r.close();
  }
}
