// A meeting: its peers, its router on one media worker, and who is speaking.
// The router and the layer allocator exist only while someone is in the room: the first
// join creates them, the last leave closes them, so an empty room runs nothing. If the
// worker dies the room moves to its replacement and every peer rebuilds its media
// (`mediaReset`); a room that cannot move is closed for everyone, with a notice.
// The room owns its council meeting (meeting/) and writes its attendance record.
import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { ErrorCode, type Notification, type Role } from '../../../protocol/index.js';
import { logger } from '../log.js';
import type { MediaWorker, WorkerPool } from '../media/WorkerPool.js';
import { mediaCodecs } from '../media/codecs.js';
import { AppError } from '../errors.js';
import { peerId, secretId } from './ids.js';
import { Peer, type PeerLink } from './Peer.js';
import { QualityTracker } from './QualityTracker.js';
import type { RoomStore } from './RoomStore.js';
import { hashSecret, logId } from './secrets.js';
import { Meeting } from '../meeting/Meeting.js';
import { VoteBook, type VoteKeys } from '../votes/VoteBook.js';
import type { Motion } from '../votes/Motion.js';
import { minutesLine } from '../votes/words.js';
import type { VoteStore } from '../votes/store.js';
import { Minutes } from '../minutes/Minutes.js';
import type { MinutesStore } from '../minutes/store.js';
import type { AttendanceRecord, MeetingStores } from '../meeting/stores.js';
import { Recording } from '../recording/Recording.js';
import type { RecordingStore } from '../recording/store.js';
import type { MeetingSettings } from '../../../protocol/index.js';

const log = logger('room');

/** What the room needs of its layer allocator (the media layer provides one; see server.ts). */
export interface AllocatorPort {
  setSpeaker(peerId: string | null): void;
  removePeer(peerId: string): void;
  close(): void;
}
export type AllocatorFactory<A extends AllocatorPort> = (peers: () => Iterable<Peer>) => A;

export interface RoomRecord {
  id: string;
  /** SHA-256 of the moderator key (the key itself is never stored). */
  moderatorKeyHash: string;
  name: string;
  createdAt: string;
  lastJoinAt: string;
  /** Phone dial-in: the meeting number (10 digits) and its PIN (6 digits, can be regenerated). */
  dialInId: string;
  dialInPin: string;
}

export interface RoomEvents {
  empty: [];
}

export interface RoomOptions<A extends AllocatorPort> {
  createAllocator: AllocatorFactory<A>;
  stores: MeetingStores;
  maxParticipants?: number;
  store?: Pick<RoomStore, 'touch'>;
  /** Settings of a new room (e.g. without a waiting room). */
  initialSettings?: Partial<MeetingSettings>;
  votes: { store: VoteStore; keys: VoteKeys };
  minutes: MinutesStore;
  recording: RecordingStore;
}

interface MediaState {
  worker: MediaWorker;
  router: types.Router;
  speaker: types.ActiveSpeakerObserver;
}

export class Room<A extends AllocatorPort = AllocatorPort> extends EventEmitter<RoomEvents> {
  readonly record: RoomRecord;
  readonly peers = new Map<string, Peer>();
  readonly meeting: Meeting;
  readonly votes: VoteBook;
  readonly minutes: Minutes;
  readonly recording: Recording;
  readonly #pool: WorkerPool;
  readonly #createAllocator: AllocatorFactory<A>;
  readonly #maxParticipants: number;
  readonly #store: Pick<RoomStore, 'touch'> | undefined;
  readonly #stores: MeetingStores;
  #media: Promise<MediaState> | null = null;
  #allocator: A | null = null;
  #closed = false;
  readonly #quality = new QualityTracker((peerId, score) => this.broadcast({ notification: 'peerQuality', data: { peerId, score } }));

  constructor(record: RoomRecord, pool: WorkerPool, opts: RoomOptions<A>) {
    super();
    this.record = record;
    this.#pool = pool;
    this.#createAllocator = opts.createAllocator;
    this.#maxParticipants = opts.maxParticipants ?? 300;
    this.#store = opts.store;
    this.#stores = opts.stores;
    this.meeting = new Meeting(this, opts.stores, opts.initialSettings);
    this.minutes = new Minutes(record.id, opts.minutes);
    this.votes = new VoteBook(this, opts.votes.store, opts.votes.keys);
    this.votes.onClosed((m) => this.recordVote(m));
    this.recording = new Recording(record.id, opts.recording, (recording) => this.broadcast({ notification: 'recording', data: { recording } }));
  }

  get id(): string { return this.record.id; }
  get closed(): boolean { return this.#closed; }

  /** The layer allocator; exists (and ticks) only while the room has media. */
  get allocator(): A {
    this.#allocator ??= this.#createAllocator(() => this.peers.values());
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

  /** The minutes get every closed vote with its outcome and tally (written by the server). */
  recordVote(m: Motion): void {
    const r = m.ledger.entries.at(-1)?.data as { counts?: number[]; outcome?: string; cast?: number; eligible?: number } | undefined;
    if (!r?.counts) return;
    const update = this.minutes.append(minutesLine(m.params.title, m.params, { counts: r.counts, outcome: r.outcome ?? '', cast: r.cast ?? 0, eligible: r.eligible ?? 0 }));
    this.broadcast({ notification: 'minutesUpdate', data: { update: Buffer.from(update).toString('base64') } });
  }

  /** The peer whose resume token this is (compared by hash: after a restart only hashes are known). */
  resumable(resumeToken: string): Peer | undefined {
    const hash = hashSecret(resumeToken);
    for (const p of this.peers.values()) if (!p.closed && p.resumeTokenHash === hash) return p;
    return undefined;
  }

  /** Joins a new peer, or resumes one whose socket dropped if the token matches. */
  join(opts: { name: string; role: Role; rtpCapabilities: types.RtpCapabilities; resumeToken?: string | undefined; clientId?: string | undefined; link: PeerLink; channel?: 'browser' | 'phone' }): { peer: Peer; resumed: boolean } {
    if (this.#closed) throw new AppError(ErrorCode.RoomNotFound, 'this meeting has ended');
    const existing = opts.resumeToken ? this.resumable(opts.resumeToken) : undefined;
    if (existing) {
      existing.rtpCapabilities = opts.rtpCapabilities;
      existing.attach(opts.link);
      this.meeting.announceModeratorPresence();
      this.votes.presence(existing, 'reconnected');
      return { peer: existing, resumed: true };
    }
    if (this.peers.size >= this.#maxParticipants) {
      throw new AppError(ErrorCode.RoomFull, `this meeting is full (${this.#maxParticipants} participants)`);
    }
    const peer = new Peer({ id: peerId(), name: opts.name, role: opts.role, resumeToken: secretId(), rtpCapabilities: opts.rtpCapabilities, clientId: opts.clientId, channel: opts.channel ?? 'browser' });
    this.#add(peer);
    peer.attach(opts.link);
    this.saveAttendance(peer);
    this.record.lastJoinAt = new Date().toISOString();
    this.#store?.touch(this.id, this.record.lastJoinAt);
    this.broadcast({ notification: 'peerJoined', data: { peer: peer.info() } }, peer.id);
    if (peer.role === 'moderator') this.meeting.announceModeratorPresence();
    this.votes.presence(peer, 'joined');
    log.info('peer joined', { room: logId(this.id), peer: peer.id, peers: this.peers.size });
    return { peer, resumed: false };
  }

  #add(peer: Peer): void {
    this.peers.set(peer.id, peer);
    peer.once('close', () => this.#onPeerClosed(peer));
  }

  /** Writes (or updates) the attendance row: durable before the change is acknowledged. */
  saveAttendance(peer: Peer): void {
    this.#stores.attendance.upsert(this.id, {
      peerId: peer.id, name: peer.name, role: peer.role, resumeTokenHash: peer.resumeTokenHash, clientId: peer.clientId ?? null,
      screenShare: peer.screenShare ?? null, mutedByChair: peer.mutedByChair, joinedAt: peer.joinedAt, leftAt: null, channel: peer.channel,
    });
  }

  /**
   * After a restart: the participants who were present get their seats back for the grace
   * period, so their clients resume (with new media) instead of joining anew.
   */
  restore(records: AttendanceRecord[], graceMs: number): void {
    for (const r of records) {
      const peer = new Peer({ id: r.peerId, name: r.name, role: r.role, resumeToken: null, resumeTokenHash: r.resumeTokenHash, rtpCapabilities: {}, clientId: r.clientId ?? undefined, joinedAt: r.joinedAt, channel: r.channel });
      peer.mutedByChair = r.mutedByChair;
      peer.screenShare = r.screenShare ?? undefined;
      peer.mediaLost = true;
      this.#add(peer);
      peer.detach(null, graceMs);
    }
    if (records.length) log.info('restored participants after a restart', { room: logId(this.id), peers: records.length });
  }

  #onPeerClosed(peer: Peer): void {
    this.peers.delete(peer.id);
    this.#stores.attendance.left(this.id, peer.id, Date.now());
    this.#quality.forget(peer.id);
    this.#allocator?.removePeer(peer.id);
    this.meeting.peerLeft(peer.id);
    this.recording.peerLeft(peer.id);
    this.votes.presence(peer, 'left');
    this.broadcast({ notification: 'peerLeft', data: { peerId: peer.id } });
    if (peer.role === 'moderator') this.meeting.announceModeratorPresence();
    log.info('peer left', { room: logId(this.id), peer: peer.id, peers: this.peers.size });
    if (this.peers.size === 0) this.#release();
  }

  peer(id: string): Peer {
    const p = this.peers.get(id);
    if (!p) throw new AppError(ErrorCode.NotFound, `no peer ${id} in this room`);
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
    for (const e of this.meeting.lobby.drain()) e.link.send({ notification: 'rejected', data: { reason: 'ended' } });
    for (const p of [...this.peers.values()]) p.close();
    this.#release();
  }

  close(): void {
    this.#closed = true;
    for (const p of [...this.peers.values()]) p.close();
    this.#release();
  }
}
