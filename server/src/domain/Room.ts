// A meeting: its peers, its router on one media worker, and who is speaking.
// The router and the layer allocator exist only while someone is in the room: the first
// join creates them, the last leave closes them, so an empty room runs nothing. If the
// worker dies the room moves to its replacement and every peer rebuilds its media
// (`mediaReset`); a room that cannot move is closed for everyone, with a notice.
import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { ErrorCode, type Notification, type Role } from '../../../protocol/messages.js';
import { logger } from '../log.js';
import type { MediaWorker, WorkerPool } from '../media/WorkerPool.js';
import { mediaCodecs } from '../media/codecs.js';
import { SignalingError } from '../signaling/errors.js';
import { peerId, secretId } from './ids.js';
import { Peer, type PeerLink } from './Peer.js';
import { QualityTracker } from './QualityTracker.js';
import { RoomAllocator, type RoomAllocatorOptions } from '../allocation/RoomAllocator.js';
import type { RoomStore } from './RoomStore.js';
import { logId } from './secrets.js';

const log = logger('room');

export const DEFAULT_ALLOCATION: RoomAllocatorOptions = { lastN: 16, intervalMs: 500, initialEstimateBps: 600_000 };

export interface RoomRecord {
  id: string;
  /** SHA-256 of the moderator key (the key itself is never stored). */
  moderatorKeyHash: string;
  name: string;
  createdAt: string;
  lastJoinAt: string;
}

export interface RoomEvents {
  empty: [];
}

export interface RoomOptions {
  allocation?: RoomAllocatorOptions;
  maxParticipants?: number;
  store?: Pick<RoomStore, 'touch'>;
}

interface MediaState {
  worker: MediaWorker;
  router: types.Router;
  speaker: types.ActiveSpeakerObserver;
}

export class Room extends EventEmitter<RoomEvents> {
  readonly record: RoomRecord;
  readonly peers = new Map<string, Peer>();
  readonly #pool: WorkerPool;
  readonly #allocation: RoomAllocatorOptions;
  readonly #maxParticipants: number;
  readonly #store: Pick<RoomStore, 'touch'> | undefined;
  #media: Promise<MediaState> | null = null;
  #allocator: RoomAllocator | null = null;
  #closed = false;
  readonly #quality = new QualityTracker((peerId, score) => this.broadcast({ notification: 'peerQuality', data: { peerId, score } }));

  constructor(record: RoomRecord, pool: WorkerPool, opts: RoomOptions = {}) {
    super();
    this.record = record;
    this.#pool = pool;
    this.#allocation = opts.allocation ?? DEFAULT_ALLOCATION;
    this.#maxParticipants = opts.maxParticipants ?? 300;
    this.#store = opts.store;
  }

  get id(): string { return this.record.id; }
  get closed(): boolean { return this.#closed; }

  /** The layer allocator; exists (and ticks) only while the room has media. */
  get allocator(): RoomAllocator {
    this.#allocator ??= new RoomAllocator(() => this.peers.values(), this.#allocation);
    return this.#allocator;
  }

  /** True while per-room machinery runs (router or allocator): false for an empty room. */
  get active(): boolean { return this.#media !== null || this.#allocator !== null; }

  /** The room's router, created on first use on the least-loaded worker. */
  media(): Promise<MediaState> {
    this.#media ??= this.#createMedia(this.#pool.leastLoaded()).catch((error: unknown) => {
      this.#media = null;
      throw error;
    });
    return this.#media;
  }

  async #createMedia(worker: MediaWorker): Promise<MediaState> {
    const router = await worker.worker.createRouter({ mediaCodecs });
    worker.load++;
    router.observer.once('close', () => { worker.load--; });
    const speaker = await router.createActiveSpeakerObserver({ interval: 300 });
    speaker.on('dominantspeaker', ({ producer }) => {
      const peerId = (producer.appData as { peerId?: string }).peerId ?? null;
      this.allocator.setSpeaker(peerId);
      this.broadcast({ notification: 'activeSpeaker', data: { peerId } });
    });
    log.info('router created', { room: logId(this.id), worker: worker.slot });
    return { worker, router, speaker };
  }

  /** Joins a new peer, or resumes one whose socket dropped if the token matches. */
  join(opts: { name: string; role: Role; rtpCapabilities: types.RtpCapabilities; resumeToken?: string; link: PeerLink }): { peer: Peer; resumed: boolean } {
    if (this.#closed) throw new SignalingError(ErrorCode.RoomNotFound, 'this meeting has ended');
    if (opts.resumeToken) {
      const existing = [...this.peers.values()].find((p) => p.resumeToken === opts.resumeToken);
      if (existing && !existing.closed) {
        existing.rtpCapabilities = opts.rtpCapabilities;
        existing.attach(opts.link);
        return { peer: existing, resumed: true };
      }
    }
    if (this.peers.size >= this.#maxParticipants) {
      throw new SignalingError(ErrorCode.RoomFull, `this meeting is full (${this.#maxParticipants} participants)`);
    }
    const peer = new Peer({ id: peerId(), name: opts.name, role: opts.role, resumeToken: secretId(), rtpCapabilities: opts.rtpCapabilities });
    peer.attach(opts.link);
    this.peers.set(peer.id, peer);
    peer.once('close', () => this.#onPeerClosed(peer));
    this.record.lastJoinAt = new Date().toISOString();
    this.#store?.touch(this.id, this.record.lastJoinAt);
    this.broadcast({ notification: 'peerJoined', data: { peer: peer.info() } }, peer.id);
    log.info('peer joined', { room: logId(this.id), peer: peer.id, peers: this.peers.size });
    return { peer, resumed: false };
  }

  #onPeerClosed(peer: Peer): void {
    this.peers.delete(peer.id);
    this.#quality.forget(peer.id);
    this.#allocator?.removePeer(peer.id);
    this.broadcast({ notification: 'peerLeft', data: { peerId: peer.id } });
    log.info('peer left', { room: logId(this.id), peer: peer.id, peers: this.peers.size });
    if (this.peers.size === 0) this.#release();
  }

  peer(id: string): Peer {
    const p = this.peers.get(id);
    if (!p) throw new SignalingError(ErrorCode.NotFound, `no peer ${id} in this room`);
    return p;
  }

  broadcast(message: Notification, exceptPeerId?: string): void {
    for (const p of this.peers.values()) if (p.id !== exceptPeerId) p.notify(message);
  }

  get quality(): QualityTracker { return this.#quality; }

  /** Nobody is here: close the router and stop the allocator (its timer and maps go with it). */
  #release(): void {
    if (!this.#media && !this.#allocator) return;
    const media = this.#media;
    this.#media = null;
    void media?.then((m) => m.router.close(), () => undefined);
    this.#allocator?.close();
    this.#allocator = null;
    this.emit('empty');
  }

  /** Our worker died: move to `replacement` and have every peer rebuild its media. */
  async moveTo(dead: MediaWorker, replacement: MediaWorker): Promise<void> {
    const current = this.#media;
    if (!current) return;
    const state = await current.catch(() => null);
    if (state && state.worker !== dead) return;
    // Allocation decisions referred to the dead worker's consumers: start afresh.
    this.#allocator?.close();
    this.#allocator = null;
    for (const p of this.peers.values()) p.closeMedia();
    this.#media = this.#createMedia(replacement);
    try {
      await this.#media;
    } catch (error) {
      this.#media = null;
      this.closeForEveryone('media_failed');
      throw error;
    }
    for (const p of this.peers.values()) {
      // A peer in its reconnect grace hears of it when it resumes (join answers mediaReset).
      if (p.connected) p.notify({ notification: 'mediaReset', data: { reason: 'media worker restarted' } });
      else p.mediaLost = true;
    }
    log.warn('room moved to a new media worker', { room: logId(this.id), slot: replacement.slot, peers: this.peers.size });
  }

  /** Ends the meeting for everyone with a reason they are told (not a silent drop). */
  closeForEveryone(reason: 'media_failed' | 'ended'): void {
    this.broadcast({ notification: 'roomClosed', data: { reason } });
    for (const p of [...this.peers.values()]) p.close();
    this.#release();
  }

  close(): void {
    this.#closed = true;
    for (const p of [...this.peers.values()]) p.close();
    this.#release();
  }
}
