// A meeting: its peers, its router on one media worker, and who is speaking.
// The router is created on the first join and closed when the room empties, so idle
// rooms cost nothing but their record. If the worker dies the room moves to its
// replacement and every peer is told to rebuild its media (`mediaReset`).
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

const log = logger('room');

export const DEFAULT_ALLOCATION: RoomAllocatorOptions = { lastN: 16, intervalMs: 500, initialEstimateBps: 600_000 };

export interface RoomRecord {
  id: string;
  moderatorKey: string;
  name: string;
  createdAt: string;
}

export interface RoomEvents {
  empty: [];
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
  #media: Promise<MediaState> | null = null;
  readonly #quality = new QualityTracker((peerId, score) => this.broadcast({ notification: 'peerQuality', data: { peerId, score } }));

  readonly allocator: RoomAllocator;

  constructor(record: RoomRecord, pool: WorkerPool, allocation: RoomAllocatorOptions = DEFAULT_ALLOCATION) {
    super();
    this.record = record;
    this.#pool = pool;
    this.allocator = new RoomAllocator(() => this.peers.values(), allocation);
  }

  get id(): string { return this.record.id; }

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
    log.info('router created', { room: this.id, worker: worker.slot });
    return { worker, router, speaker };
  }

  /** Joins a new peer, or resumes one whose socket dropped if the token matches. */
  join(opts: { name: string; role: Role; rtpCapabilities: types.RtpCapabilities; resumeToken?: string; link: PeerLink }): { peer: Peer; resumed: boolean } {
    if (opts.resumeToken) {
      const existing = [...this.peers.values()].find((p) => p.resumeToken === opts.resumeToken);
      if (existing && !existing.closed) {
        existing.rtpCapabilities = opts.rtpCapabilities;
        existing.attach(opts.link);
        return { peer: existing, resumed: true };
      }
    }
    const peer = new Peer({ id: peerId(), name: opts.name, role: opts.role, resumeToken: secretId(), rtpCapabilities: opts.rtpCapabilities });
    peer.attach(opts.link);
    this.peers.set(peer.id, peer);
    peer.once('close', () => this.#onPeerClosed(peer));
    this.broadcast({ notification: 'peerJoined', data: { peer: peer.info() } }, peer.id);
    log.info('peer joined', { room: this.id, peer: peer.id, peers: this.peers.size });
    return { peer, resumed: false };
  }

  #onPeerClosed(peer: Peer): void {
    this.peers.delete(peer.id);
    this.#quality.forget(peer.id);
    this.broadcast({ notification: 'peerLeft', data: { peerId: peer.id } });
    log.info('peer left', { room: this.id, peer: peer.id, peers: this.peers.size });
    if (this.peers.size === 0) this.#closeMedia();
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

  #closeMedia(): void {
    const media = this.#media;
    this.#media = null;
    void media?.then((m) => m.router.close(), () => undefined);
    this.emit('empty');
  }

  /** Our worker died: move to `replacement` and have every peer rebuild its media. */
  async moveTo(dead: MediaWorker, replacement: MediaWorker): Promise<void> {
    const current = this.#media;
    if (!current) return;
    const state = await current.catch(() => null);
    if (state && state.worker !== dead) return;
    this.#media = this.#createMedia(replacement);
    await this.#media;
    for (const p of this.peers.values()) {
      p.closeMedia();
      p.notify({ notification: 'mediaReset', data: { reason: 'media worker restarted' } });
    }
    log.warn('room moved to a new media worker', { room: this.id, slot: replacement.slot, peers: this.peers.size });
  }

  close(): void {
    for (const p of [...this.peers.values()]) p.close();
    this.#closeMedia();
    this.allocator.close();
  }
}
