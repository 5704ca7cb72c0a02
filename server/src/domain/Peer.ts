// A participant in a room. Owns its mediasoup transports (and through them its
// producers and consumers); every lookup is scoped to this peer, so nobody can act on
// another peer's objects. Survives a dropped socket for the reconnect grace period.
import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { ErrorCode, type MediaSource, type Notification, type PeerInfo, type ProducerInfo, type Role } from '../../../protocol/index.js';
import { AppError } from '../errors.js';
import { hashSecret } from './secrets.js';

export interface PeerLink {
  send(message: Notification): void;
  /** Another socket resumed this peer's session: stop acting for it. */
  replaced(): void;
}

export interface PeerEvents {
  close: [];
  /** Role, name, hand or rights changed (the meeting persists and announces it). */
  updated: [];
}

export interface ProducerAppData extends types.AppData { peerId: string; source: MediaSource; videoHeight?: number }
export interface ConsumerAppData extends types.AppData {
  peerId: string; producerPeerId: string; source: MediaSource;
  /** When the receiver last asked for a keyframe (its requests are rate-limited). */
  keyframeRequestedAt?: number;
}

export interface PeerOptions {
  id: string; name: string; role: Role; resumeToken: string | null; resumeTokenHash?: string;
  rtpCapabilities: types.RtpCapabilities; clientId?: string | undefined; joinedAt?: number;
  channel?: 'browser' | 'phone';
}

export class Peer extends EventEmitter<PeerEvents> {
  readonly id: string;
  name: string;
  role: Role;
  /** The plain token is only known to this process (null after a restart); the hash is stored. */
  readonly resumeToken: string | null;
  readonly resumeTokenHash: string;
  readonly clientId: string | undefined;
  readonly joinedAt: number;
  /** A browser, or a telephone through the phone gateway (votes and attendance record it). */
  readonly channel: 'browser' | 'phone';
  rtpCapabilities: types.RtpCapabilities;
  /** When this peer last sent a still image (rate limit). */
  lastStillAt = 0;
  /** Others are showing a still image of this peer (cleared when the camera goes off). */
  stillShown = false;
  /** The room's media worker was replaced while this peer was away: tell it on resume. */
  mediaLost = false;
  handRaisedAt: number | null = null;
  /** Muted by the chair: with "only the chair unmutes" it may not unmute itself. */
  mutedByChair = false;
  /** Screen sharing granted (true) or revoked (false) by a moderator; undefined: role default. */
  screenShare: boolean | undefined = undefined;
  readonly transports = new Map<string, types.WebRtcTransport>();
  readonly producers = new Map<string, types.Producer<ProducerAppData>>();
  readonly consumers = new Map<string, types.Consumer<ConsumerAppData>>();
  #link: PeerLink | null = null;
  #graceTimer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(opts: PeerOptions) {
    super();
    this.id = opts.id;
    this.name = opts.name;
    this.role = opts.role;
    this.resumeToken = opts.resumeToken;
    this.resumeTokenHash = opts.resumeTokenHash ?? hashSecret(opts.resumeToken ?? '');
    this.rtpCapabilities = opts.rtpCapabilities;
    this.clientId = opts.clientId;
    this.joinedAt = opts.joinedAt ?? Date.now();
    this.channel = opts.channel ?? 'browser';
  }

  get closed(): boolean { return this.#closed; }
  get connected(): boolean { return this.#link !== null; }
  get canShareScreen(): boolean { return this.screenShare ?? this.role !== 'guest'; }

  info(): PeerInfo {
    return {
      id: this.id, name: this.name, role: this.role, producers: [...this.producers.values()].map(producerInfo),
      handRaisedAt: this.handRaisedAt, mutedByChair: this.mutedByChair, canShareScreen: this.canShareScreen, channel: this.channel,
    };
  }

  notify(message: Notification): void {
    this.#link?.send(message);
  }

  /** Binds a (new) socket; cancels a pending grace timer. */
  attach(link: PeerLink): void {
    if (this.#graceTimer) clearTimeout(this.#graceTimer);
    this.#graceTimer = null;
    const previous = this.#link;
    this.#link = link;
    if (previous && previous !== link) previous.replaced();
  }

  /** The socket dropped (or, after a restart, never came back yet): keep everything for `graceMs`, then close. */
  detach(link: PeerLink | null, graceMs: number): void {
    if (this.#link !== link || this.#closed) return;
    this.#link = null;
    if (this.#graceTimer) clearTimeout(this.#graceTimer);
    this.#graceTimer = setTimeout(() => this.close(), graceMs);
    this.#graceTimer.unref();
  }

  transport(id: string): types.WebRtcTransport {
    const t = this.transports.get(id);
    if (!t) throw new AppError(ErrorCode.NotFound, `transportId: no transport ${id} of yours`);
    return t;
  }

  producer(id: string): types.Producer<ProducerAppData> {
    const p = this.producers.get(id);
    if (!p) throw new AppError(ErrorCode.NotFound, `producerId: no producer ${id} of yours`);
    return p;
  }

  producerOf(source: MediaSource): types.Producer<ProducerAppData> | undefined {
    for (const p of this.producers.values()) if (p.appData.source === source) return p;
    return undefined;
  }

  consumer(id: string): types.Consumer<ConsumerAppData> {
    const c = this.consumers.get(id);
    if (!c) throw new AppError(ErrorCode.NotFound, `consumerId: no consumer ${id} of yours`);
    return c;
  }

  /** The transport mediasoup sends to this peer on (its downlink), if created. */
  recvTransport(): types.WebRtcTransport | undefined {
    return [...this.transports.values()].find((t) => (t.appData as { direction?: string }).direction === 'recv');
  }

  addTransport(transport: types.WebRtcTransport): void {
    this.transports.set(transport.id, transport);
    transport.observer.once('close', () => this.transports.delete(transport.id));
  }

  addProducer(producer: types.Producer<ProducerAppData>): void {
    this.producers.set(producer.id, producer);
    producer.observer.once('close', () => this.producers.delete(producer.id));
  }

  addConsumer(consumer: types.Consumer<ConsumerAppData>): void {
    this.consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => this.consumers.delete(consumer.id));
  }

  /** Drops all media objects (worker died, or leaving); the peer itself stays. */
  closeMedia(): void {
    for (const t of [...this.transports.values()]) t.close();
    this.transports.clear();
    this.producers.clear();
    this.consumers.clear();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#graceTimer) clearTimeout(this.#graceTimer);
    this.#link = null;
    this.closeMedia();
    this.emit('close');
  }
}

export function producerInfo(p: types.Producer<ProducerAppData>): ProducerInfo {
  return { id: p.id, kind: p.kind, source: p.appData.source, paused: p.paused };
}
