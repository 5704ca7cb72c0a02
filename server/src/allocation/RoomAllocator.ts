// The edge between the pure allocator and mediasoup, for one room. Gathers inputs
// (producer layer bitrates, each subscriber's downlink estimate, tiles, the speaker),
// runs every subscriber's allocator when something changed, and applies only the
// changed decisions: setPreferredLayers / setPriority / pause / resume, plus a notice to
// the client; dynacast (dynacast.ts) tells each sender the highest layer anyone wants.
import type { types } from 'mediasoup';
import { applyDecision, notifyLayers, toLayer, upgradePending } from './apply.js';
import { CongestionReaction } from './congestion.js';
import type { ConsumerAppData, Peer, ProducerAppData } from '../domain/Peer.js';
import { logger } from '../log.js';
import { bitrateMatrix, layerHeights } from './layerStats.js';
import { isSimulcast, measureSubscriber } from './measure.js';
import { Dynacast } from './dynacast.js';
import { ProducerRates } from './producerRates.js';
import { SubscriberAllocator } from './SubscriberAllocator.js';
import { KeyframeThrottle } from './keyframes.js';
import { StillBucket } from './stills.js';
import { RecvCap, recvFloorBps } from './recvCap.js';
import { snapshotOf, type SubscriberSnapshot } from './snapshot.js';
import type { TrackAllocation } from './types.js';

const log = logger('allocator');
/** Ticks between stats measurements (producer layers, downlink), and between RTT readings. */
const MEASURE_EVERY = 2;
const RTT_EVERY = 4;
/** Opus at 24 kbit/s plus packet overhead; reserved per audio consumer before any video. */
const AUDIO_RESERVE_BPS = 40_000;

export interface RoomAllocatorOptions { lastN: number; intervalMs: number; initialEstimateBps: number }
/**
 * Where a new subscriber's downlink estimate starts (and mediasoup's BWE with it): below
 * the narrowest link we promise to serve (256 kbit/s), then probing finds more. Starting
 * higher fills a narrow link's queue in the first seconds (we measured 1-1.6 s of jitter
 * buffer at 600 kbit/s), and at 250 kbit/s the edge link's queue was full before its first
 * RTT reading: the link's own RTT, which every later reading is judged against, read
 * 200 ms high, so probes that filled the queue passed as calm.
 */
export const INITIAL_ESTIMATE_BPS = 150_000;
export const DEFAULT_ALLOCATION: RoomAllocatorOptions = { lastN: 16, intervalMs: 500, initialEstimateBps: INITIAL_ESTIMATE_BPS };
export interface Tile { consumerId: string; height: number; visible: boolean; pinned: boolean }

interface Subscriber {
  peer: Peer; allocator: SubscriberAllocator; ready: Set<string>; decisions: Map<string, TrackAllocation>;
  /** Still-image byte bucket (see allowStill). */
  stills: StillBucket;
  /** The ceiling of mediasoup's probing on its receive transport (see recvCap.ts). */
  cap: RecvCap;
  /** Measured at once when it reads low or sends NACKs, audio flushed in a retransmission storm. */
  congestion: CongestionReaction;
}

export class RoomAllocator {
  readonly #opts: RoomAllocatorOptions;
  readonly #peers: () => Iterable<Peer>;
  readonly #subs = new Map<string, Subscriber>();
  readonly #rates = new ProducerRates();
  readonly #lastSpoke = new Map<string, number>();
  readonly #dynacast = new Dynacast();
  readonly #keyframes = new KeyframeThrottle();
  #speaker: string | null = null;
  #timer: NodeJS.Timeout | null = null;
  #scheduled = false;
  #closed = false;
  #ticks = 0;

  constructor(peers: () => Iterable<Peer>, opts: RoomAllocatorOptions) {
    this.#peers = peers;
    this.#opts = opts;
    this.#timer = setInterval(() => void this.#tick(), opts.intervalMs);
    this.#timer.unref();
  }

  #sub(peer: Peer): Subscriber {
    let s = this.#subs.get(peer.id);
    if (!s) {
      s = { peer, allocator: new SubscriberAllocator({ lastN: this.#opts.lastN, initialEstimateBps: this.#opts.initialEstimateBps, estimate: { probeNeedsRtt: true } }, Date.now()), ready: new Set(), decisions: new Map(), stills: new StillBucket(), cap: new RecvCap(), congestion: new CongestionReaction() };
      if (!peer.closed) this.#subs.set(peer.id, s);
    }
    return s;
  }

  /** A video producer joined the room: its measurements are dropped when it closes. */
  addProducer(producer: types.Producer<ProducerAppData>): void {
    this.#rates.addProducer(producer);
    producer.observer.once('close', () => this.#dynacast.forget(producer.id));
  }

  /** A peer left: forget everything kept about it. */
  removePeer(peerId: string): void {
    this.#subs.delete(peerId);
    this.#lastSpoke.delete(peerId);
    if (this.#speaker === peerId) this.#speaker = null;
  }

  /** A still image for this subscriber fits what its downlink has left (see stills.ts). */
  allowStill(peer: Peer, bytes: number, now = Date.now()): boolean {
    const { allocator, stills } = this.#sub(peer);
    return stills.allow(allocator.videoBudget - allocator.used, bytes, now);
  }

  /** Sizes of the per-room maps (tests and metrics: they must not grow with churn). */
  sizes(): Record<'subscribers' | 'matrices' | 'measured' | 'lastSpoke' | 'dynacast' | 'keyframes', number> {
    return { subscribers: this.#subs.size, ...this.#rates.sizes(), lastSpoke: this.#lastSpoke.size, dynacast: this.#dynacast.size, keyframes: this.#keyframes.size };
  }

  /**
   * The sender rescaled its camera (its ladder moved): every layer is now a different
   * size, so which layer fits a tile changes. Re-derive the heights for all its consumers.
   */
  setProducerHeight(producer: types.Producer<ProducerAppData>, height: number): void {
    const heights = layerHeights(producer.rtpParameters.encodings ?? [], height);
    for (const sub of this.#subs.values()) {
      for (const consumer of sub.peer.consumers.values()) {
        if (consumer.producerId === producer.id) sub.allocator.patchTrack(consumer.id, { layerHeights: heights });
      }
    }
    this.schedule();
  }

  /** A subscriber's view of one consumer (tests, debugging). */
  trackOf(peer: Peer, consumerId: string): ReturnType<SubscriberAllocator['track']> {
    return this.#subs.get(peer.id)?.allocator.track(consumerId);
  }

  /** A consumer was created for `peer`; it stays paused until the client is ready. */
  addConsumer(peer: Peer, consumer: types.Consumer<ConsumerAppData>, producer: types.Producer<ProducerAppData>): void {
    const sub = this.#sub(peer);
    consumer.observer.once('close', () => {
      this.#keyframes.clear(consumer.id);
      sub.allocator.removeTrack(consumer.id);
      sub.ready.delete(consumer.id);
      sub.decisions.delete(consumer.id);
      this.schedule();
    });
    // Each NACK the subscriber sends: a loss it saw, as soon as it saw it (receiver reports
    // lag a second). They wake a measurement of how much is resent (nackPressure.ts).
    consumer.on('trace', (t) => {
      if (t.type === 'nack') sub.congestion.nack(sub.peer, sub.allocator, consumer.kind, Date.now())?.then(() => this.schedule(), () => undefined);
    });
    consumer.enableTraceEvent(['nack']).catch(() => undefined);
    if (consumer.kind !== 'video') return;
    const encodings = producer.rtpParameters.encodings ?? [];
    sub.allocator.setTrack({
      id: consumer.id,
      source: producer.appData.source === 'screen' ? 'screen' : 'camera',
      bitrates: this.#rates.get(producer.id) ?? bitrateMatrix(encodings, []),
      layerHeights: layerHeights(encodings, producer.appData.videoHeight ?? 720),
      tileHeight: null, visible: true, pinned: false,
      speaking: this.#speaker === producer.appData.peerId,
      lastSpokeAt: this.#lastSpoke.get(producer.appData.peerId) ?? 0,
      producerPaused: consumer.producerPaused,
    });
    const paused = () => { sub.allocator.patchTrack(consumer.id, { producerPaused: consumer.producerPaused }); this.schedule(); };
    consumer.on('producerpause', paused);
    consumer.on('producerresume', paused);
    consumer.on('layerschange', (layers) => this.#notifyLayers(sub, consumer.id, layers));
  }

  /** The client set up its side: audio flows at once, video when allocated. */
  async clientReady(peer: Peer, consumer: types.Consumer<ConsumerAppData>): Promise<void> {
    if (consumer.kind === 'audio') return consumer.resume();
    this.#sub(peer).ready.add(consumer.id);
    const decision = this.#sub(peer).decisions.get(consumer.id);
    if (decision?.target) await consumer.resume();
    this.schedule();
  }

  setTiles(peer: Peer, tiles: readonly Tile[]): void {
    const sub = this.#sub(peer);
    for (const t of tiles) sub.allocator.patchTrack(t.consumerId, { tileHeight: t.height, visible: t.visible, pinned: t.pinned });
    this.schedule();
  }

  /**
   * A subscriber's receive transport exists: its ceiling applies before the first consumer.
   * Without one, mediasoup's max bitrate follows what the consumers would like (the senders'
   * top layers x 1.35) and probes at once at 1x and 2x of it: on the edge link an ~12 KB
   * burst right after joining queued the audio for ~400 ms, and the jitter buffer then held
   * 600 ms and took ~15 s to come down.
   */
  async recvTransportCreated(peer: Peer, transport: types.WebRtcTransport): Promise<void> {
    const sub = this.#sub(peer);
    await sub.cap.update(transport, sub.allocator.linkBudget);
  }

  async setReceiveCap(peer: Peer, bps: number | null): Promise<void> {
    const sub = this.#sub(peer);
    sub.allocator.setCap(bps);
    sub.cap.setUserCap(bps);
    await sub.cap.update(peer.recvTransport(), sub.allocator.linkBudget);
    this.schedule();
  }

  setSpeaker(peerId: string | null): void {
    const now = Date.now();
    if (this.#speaker) this.#lastSpoke.set(this.#speaker, now);
    if (peerId) this.#lastSpoke.set(peerId, now);
    this.#speaker = peerId;
    for (const sub of this.#subs.values()) {
      for (const consumer of sub.peer.consumers.values()) {
        const owner = consumer.appData.producerPeerId;
        sub.allocator.patchTrack(consumer.id, { speaking: owner === peerId, lastSpokeAt: this.#lastSpoke.get(owner) ?? 0 });
      }
    }
    this.schedule();
  }

  /** A reading of a subscriber's downlink from mediasoup's BWE trace. */
  setEstimate(peer: Peer, bps: number): void {
    const sub = this.#sub(peer);
    const { allocator, decisions } = sub;
    allocator.setUpgradePending(upgradePending(peer.consumers.values(), decisions));
    const now = Date.now();
    allocator.setEstimate(bps, now);
    sub.congestion.measureIfSuspect(peer, allocator, now)?.then(() => this.schedule(), () => undefined);
    this.schedule();
  }

  schedule(): void {
    if (this.#scheduled || this.#closed) return;
    this.#scheduled = true;
    setImmediate(() => { this.#scheduled = false; void this.#run(); });
  }

  async #tick(): Promise<void> {
    // Stats requests cost the media worker: measure every 2nd tick (1 s), RTT every 4th
    // (receiver reports come about once a second). The capacity bench measured 87 % of the
    // raw worker's capacity when every tick polled everything. Simulcast producers (one
    // per camera, not per consumer) every tick: a layer their sender stopped shows sooner.
    const n = this.#ticks++;
    const due = n % MEASURE_EVERY === 0;
    try {
      for (const peer of this.#peers()) {
        const { allocator, decisions } = this.#sub(peer);
        allocator.setUpgradePending(upgradePending(peer.consumers.values(), decisions));
        for (const producer of peer.producers.values()) {
          if (producer.kind !== 'video' || producer.closed || !(due || isSimulcast(producer))) continue;
          await this.#rates.measure(producer, () => this.#closed);
        }
        // A subscriber whose estimate reads low is measured every tick, RTT and loss
        // included: they decide whether it is congestion, and every 500 ms counts.
        if (!due && !allocator.wantsRtt) continue;
        await measureSubscriber(peer, allocator, n % RTT_EVERY === 0 || allocator.wantsRtt);
      }
      for (const sub of this.#subs.values()) {
        for (const consumer of sub.peer.consumers.values()) {
          const m = this.#rates.get(consumer.producerId);
          if (m && consumer.kind === 'video') sub.allocator.patchTrack(consumer.id, { bitrates: m });
        }
        await this.#keyframes.askWaiting(sub.peer.consumers.values(), Date.now());
      }
      await this.#run();
    } catch (error) {
      // Objects close under our feet when peers leave; the next tick sees the new state.
      log.debug('allocation tick skipped', { error: (error as Error).message });
    }
  }

  async #run(): Promise<void> {
    for (const sub of this.#subs.values()) {
      const audio = [...sub.peer.consumers.values()].filter((c) => c.kind === 'audio' && !c.producerPaused).length;
      sub.allocator.setAudioBitrate(audio * AUDIO_RESERVE_BPS);
      const { allocation, changed, cutOver } = sub.allocator.update(Date.now());
      for (const t of allocation.tracks) sub.decisions.set(t.id, t);
      for (const decision of changed) await this.#apply(sub, decision, allocation.budget, cutOver.includes(decision.id)).catch(() => undefined);
      await sub.congestion.flushIfStorm(sub.peer, sub.allocator, Date.now()).catch(() => undefined);
      const floor = recvFloorBps(allocation.tracks, (id) => sub.allocator.track(id));
      await sub.cap.update(sub.peer.recvTransport(), sub.allocator.linkBudget, floor, sub.allocator.takeLinkProbe()).catch(() => undefined);
    }
    this.#dynacast.update([...this.#subs.values()].map((sub) => ({
      consumers: sub.peer.consumers.values(), decision: (id) => sub.decisions.get(id), track: (id) => sub.allocator.track(id),
    })), this.#peers());
  }

  async #apply(sub: Subscriber, d: TrackAllocation, budget: number, cutOver: boolean): Promise<void> {
    const consumer = sub.peer.consumers.get(d.id);
    if (consumer && !consumer.closed) await applyDecision(sub.peer, consumer, d, budget, sub.ready.has(d.id), cutOver);
  }

  #notifyLayers(sub: Subscriber, consumerId: string, layers: types.ConsumerLayers | undefined): void {
    notifyLayers(sub.peer, consumerId, sub.decisions.get(consumerId), toLayer(layers), sub.allocator.videoBudget);
  }

  /** Per subscriber: budget and every video consumer's decision (server metrics). */
  snapshot(): SubscriberSnapshot[] {
    return [...this.#subs.values()].map((sub) => snapshotOf(sub.peer, sub.allocator, sub.cap, sub.decisions));
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#subs.clear();
    this.#rates.clear();
    this.#lastSpoke.clear();
    this.#dynacast.clear();
  }

  get closed(): boolean { return this.#closed; }
}
