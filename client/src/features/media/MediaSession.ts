// mediasoup-client plumbing for one joined session: device, a send and a receive
// transport, our producers (one per source) and our consumers. Owns no UI state; the Call
// listens to its events. `reset()` drops everything so it can be rebuilt after the server
// moved the room to a new media worker or our session could not be resumed.
import { Device } from 'mediasoup-client';
import type { types } from 'mediasoup-client';
import type { MediaSource, ResponseData } from '../../../../protocol/index.js';
import { simulcastLayers } from '../../../../protocol/media.js';
import { Emitter } from '../../lib/emitter.js';
import { inboundVideo, pathRttMs, StallWatch } from './stall.js';
import type { SignalingClient } from '../../lib/signaling.js';

export interface RemoteTrack {
  consumerId: string;
  producerId: string;
  peerId: string;
  source: MediaSource;
  track: MediaStreamTrack;
  producerPaused: boolean;
}

export interface MediaSessionEvents extends Record<string, unknown[]> {
  track: [RemoteTrack];
  trackended: [RemoteTrack];
  transportstate: [direction: 'send' | 'recv', state: string];
}

// Three simulcast layers so the SFU can pick per subscriber; L1T3 also lets it drop frame rate.
export const CAMERA_ENCODINGS: types.RtpEncodingParameters[] = [
  { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 60_000, scalabilityMode: 'L1T3' },
  { rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 300_000, scalabilityMode: 'L1T3' },
  { rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 900_000, scalabilityMode: 'L1T3' },
];
// Speech in wideband (7 kHz): there libopus fits in-band FEC into 24 kbit/s at the 1-5 %
// loss receivers report (in fullband it needs ~28.5 kbit/s at 1 %, so the edge bench's
// receivers got no FEC at all and concealed what was lost).
// opusNack: the SFU asks again for what the uplink lost (see the server's consume()).
const AUDIO_OPTIONS: types.ProducerCodecOptions = { opusStereo: false, opusDtx: true, opusFec: true, opusNack: true, opusMaxAverageBitrate: 24_000, opusMaxPlaybackRate: 16_000 };
// VP9 SVC: one stream, three spatial and three temporal layers; the SFU drops what a viewer cannot take.
const SVC_ENCODINGS: types.RtpEncodingParameters[] = [{ scalabilityMode: 'L3T3_KEY', maxBitrate: 1_300_000 }];
// Screen share: sharp text over smooth motion, so a low frame rate and one good layer.
const SCREEN_ENCODINGS: types.RtpEncodingParameters[] = [{ maxBitrate: 1_200_000, maxFramerate: 5 }];

export class MediaSession extends Emitter<MediaSessionEvents> {
  readonly #signaling: SignalingClient;
  #device: Device | null = null;
  #send: types.Transport | null = null;
  #recv: Promise<types.Transport> | null = null;
  readonly #producers = new Map<MediaSource, types.Producer>();
  readonly #consumers = new Map<string, { consumer: types.Consumer; remote: RemoteTrack }>();
  readonly #stalls = new StallWatch();
  #stallTimer: ReturnType<typeof setInterval> | null = null;

  constructor(signaling: SignalingClient) {
    super();
    this.#signaling = signaling;
  }

  async loadDevice(roomId: string): Promise<types.RtpCapabilities> {
    if (!this.#device) {
      const { rtpCapabilities } = await this.#signaling.request('routerCapabilities', { roomId });
      const device = new Device();
      await device.load({ routerRtpCapabilities: rtpCapabilities as types.RtpCapabilities });
      this.#device = device;
    }
    return this.#device.rtpCapabilities;
  }

  #wire(transport: types.Transport, direction: 'send' | 'recv'): void {
    transport.on('connect', ({ dtlsParameters }, ok, fail) => {
      this.#signaling.request('connectTransport', { transportId: transport.id, dtlsParameters: dtlsParameters as never }).then(() => ok(), fail);
    });
    transport.on('connectionstatechange', (state) => {
      this.emit('transportstate', direction, state);
      if (state === 'failed' || state === 'disconnected') void this.restartIce(transport);
    });
  }

  async #createTransport(direction: 'send' | 'recv'): Promise<types.Transport> {
    const device = this.#device;
    if (!device) throw new Error('MediaSession: device not loaded');
    const info = await this.#signaling.request('createTransport', { direction });
    const options = {
      id: info.id,
      iceParameters: info.iceParameters as types.IceParameters,
      iceCandidates: info.iceCandidates as types.IceCandidate[],
      dtlsParameters: info.dtlsParameters as types.DtlsParameters,
    };
    const transport = direction === 'send' ? device.createSendTransport(options) : device.createRecvTransport(options);
    this.#wire(transport, direction);
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters, appData }, ok, fail) => {
        const source = appData.source as MediaSource;
        const videoHeight = typeof appData.videoHeight === 'number' ? appData.videoHeight : undefined;
        this.#signaling.request('produce', { transportId: transport.id, kind, source, rtpParameters: rtpParameters as never, ...(videoHeight ? { videoHeight } : {}) })
          .then(({ producerId }) => ok({ id: producerId }), fail);
      });
    }
    return transport;
  }

  async restartIce(transport: types.Transport): Promise<void> {
    if (transport.closed) return;
    try {
      const { iceParameters } = await this.#signaling.request('restartIce', { transportId: transport.id });
      await transport.restartIce({ iceParameters: iceParameters as types.IceParameters });
      this.iceRestarts++;
    } catch {
      // Not connected right now: the Call retries after the signaling socket is back.
    }
  }

  /** ICE restart on transports that lost connectivity while signaling was down. */
  async recoverTransports(): Promise<void> {
    const recv = this.#recv ? await this.#recv.catch(() => null) : null;
    for (const t of [this.#send, recv]) {
      if (t && (t.connectionState === 'failed' || t.connectionState === 'disconnected')) await this.restartIce(t);
    }
  }

  #recvTransport(): Promise<types.Transport> {
    this.#recv ??= this.#createTransport('recv').catch((e: unknown) => { this.#recv = null; throw e; });
    this.#stallTimer ??= setInterval(() => void this.#repairStalls(), 150);
    return this.#recv;
  }

  /** Videos stuck while their packets arrive get a keyframe request (see stall.ts). */
  async #repairStalls(): Promise<void> {
    const report = await this.recvStats().catch(() => null);
    if (!report) return;
    for (const trackId of this.#stalls.check(inboundVideo(report), Date.now(), pathRttMs(report))) {
      const entry = [...this.#consumers.values()].find((c) => c.remote.track.id === trackId);
      if (!entry) continue;
      this.keyframeRequests++;
      void this.#signaling.request('requestKeyFrame', { consumerId: entry.consumer.id }).catch(() => undefined);
    }
  }

  /** 'vp9' uses SVC when this browser can send VP9; otherwise VP8 simulcast. */
  videoCodec: 'vp8' | 'vp9' = 'vp8';

  async produce(source: MediaSource, track: MediaStreamTrack, videoHeight?: number): Promise<void> {
    this.#send ??= await this.#createTransport('send');
    const existing = this.#producers.get(source);
    if (existing) { await existing.replaceTrack({ track }); return; }
    const vp9 = source === 'camera' && this.videoCodec === 'vp9'
      ? this.#device?.rtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === 'video/vp9') : undefined;
    if (source === 'screen') track.contentHint = 'detail';
    const producer = await this.#send.produce({
      track,
      appData: { source, videoHeight: track.kind === 'video' ? (videoHeight ?? track.getSettings().height) : undefined },
      stopTracks: false,
      ...(source === 'camera' ? (vp9 ? { encodings: SVC_ENCODINGS, codec: vp9 } : { encodings: CAMERA_ENCODINGS }) : {}),
      ...(source === 'screen' ? { encodings: SCREEN_ENCODINGS } : {}),
      ...(source === 'mic' ? { codecOptions: AUDIO_OPTIONS } : {}),
    });
    this.#producers.set(source, producer);
    const height = track.kind === 'video' ? (videoHeight ?? track.getSettings().height) : undefined;
    if (source === 'camera' && height) await this.setSentHeight('camera', height).catch(() => undefined);
  }

  async closeProducer(source: MediaSource): Promise<void> {
    const producer = this.#producers.get(source);
    if (!producer) return;
    this.#producers.delete(source);
    producer.close();
    await this.#signaling.request('closeProducer', { producerId: producer.id }).catch(() => undefined);
  }

  /**
   * Dynacast: stop encoding layers nobody watches (null: none at all). Set directly on the
   * RTCRtpSender: Producer.setMaxSpatialLayer remembers its last value and would skip
   * turning layers back on after they were all switched off.
   */
  async setMaxSpatialLayer(producerId: string, max: number | null): Promise<void> {
    const state = this.#encodingState.get(producerId) ?? { max: undefined, height: null };
    state.max = max;
    this.#encodingState.set(producerId, state);
    await this.#applyEncodings(producerId);
  }

  /**
   * The camera's sent picture is now `height` tall (the ladder rescaled it): the simulcast
   * encodings are re-scaled so that no layer falls below 90 px (the SFU derives the same
   * layers from `setVideoHeight`, protocol simulcastLayers(), and its dynacast switches off
   * layers that coincide in size).
   */
  async setSentHeight(source: MediaSource, height: number): Promise<void> {
    const producer = this.#producers.get(source);
    if (!producer) return;
    const state = this.#encodingState.get(producer.id) ?? { max: undefined, height: null };
    if (state.height === height) return;
    state.height = height;
    this.#encodingState.set(producer.id, state);
    await this.#applyEncodings(producer.id);
  }

  /** Dynacast's highest wanted layer (undefined: all) and the sent height, per producer. */
  readonly #encodingState = new Map<string, { max: number | null | undefined; height: number | null }>();

  async #applyEncodings(producerId: string): Promise<void> {
    const producer = [...this.#producers.values()].find((p) => p.id === producerId);
    const sender = producer?.rtpSender;
    if (!producer || producer.closed || !sender) return;
    const { max, height } = this.#encodingState.get(producerId) ?? { max: undefined, height: null };
    const params = sender.getParameters();
    const simulcast = (producer.appData as { source?: string }).source === 'camera' && params.encodings.length === CAMERA_ENCODINGS.length;
    const plan = simulcast && height ? simulcastLayers(height, CAMERA_ENCODINGS.map((e) => e.scaleResolutionDownBy ?? 1)) : null;
    params.encodings.forEach((e, i) => {
      const wanted = max === undefined || (max !== null && i <= max);
      e.active = wanted;
      if (plan?.[i]) e.scaleResolutionDownBy = plan[i]!.scale;
    });
    await sender.setParameters(params);
  }

  /** Current Opus target; lowered on a weak uplink. */
  async setAudioBitrate(bps: number): Promise<void> {
    await this.#producers.get('mic')?.setRtpEncodingParameters({ maxBitrate: bps });
  }

  /** `reason` 'ladder': paused for the still-image rung (receivers keep the still). */
  async setPaused(source: MediaSource, paused: boolean, reason: 'user' | 'ladder' = 'user'): Promise<void> {
    const producer = this.#producers.get(source);
    if (!producer) return;
    if (paused) producer.pause(); else producer.resume();
    await this.#signaling.request('setProducerPaused', { producerId: producer.id, paused, reason });
  }

  /** ICE restarts done on our transports (debug overlay, tests). */
  iceRestarts = 0;
  /** Keyframes asked for stuck videos (see stall.ts), for the debug overlay and the bench. */
  keyframeRequests = 0;

  /** Pauses our producer locally only (the server already paused it: chair mute). */
  pauseLocal(source: MediaSource): void {
    const p = this.#producers.get(source);
    if (p && !p.paused) p.pause();
  }

  /** The server closed our producer (the chair stopped it): drop it locally. */
  forgetProducer(source: MediaSource): void {
    const p = this.#producers.get(source);
    if (!p) return;
    this.#producers.delete(source);
    p.close();
  }

  producerId(source: MediaSource): string | undefined {
    return this.#producers.get(source)?.id;
  }

  hasProducer(source: MediaSource): boolean {
    return this.#producers.has(source);
  }

  async consume(producerId: string): Promise<void> {
    if ([...this.#consumers.values()].some((c) => c.remote.producerId === producerId)) return;
    const transport = await this.#recvTransport();
    const info: ResponseData['consume'] = await this.#signaling.request('consume', { transportId: transport.id, producerId });
    const consumer = await transport.consume({
      id: info.consumerId,
      producerId: info.producerId,
      kind: info.kind,
      rtpParameters: info.rtpParameters as types.RtpParameters,
    });
    const remote: RemoteTrack = {
      consumerId: consumer.id, producerId, peerId: info.peerId, source: info.source, track: consumer.track, producerPaused: info.producerPaused,
    };
    this.#consumers.set(consumer.id, { consumer, remote });
    await this.#signaling.request('resumeConsumer', { consumerId: consumer.id });
    this.emit('track', remote);
  }

  /** Closes our consumer (server already closed it, or the producer went away). */
  dropConsumer(match: { consumerId?: string; producerId?: string; peerId?: string }): void {
    for (const [id, { consumer, remote }] of this.#consumers) {
      if (id === match.consumerId || remote.producerId === match.producerId || remote.peerId === match.peerId) {
        consumer.close();
        this.#consumers.delete(id);
        this.emit('trackended', remote);
      }
    }
  }

  remote(consumerId: string): RemoteTrack | undefined {
    return this.#consumers.get(consumerId)?.remote;
  }

  consumedProducerIds(): string[] {
    return [...this.#consumers.values()].map((c) => c.remote.producerId);
  }

  async recvStats(): Promise<RTCStatsReport | null> {
    const recv = this.#recv ? await this.#recv.catch(() => null) : null;
    return recv ? recv.getStats() : null;
  }

  async sendStats(): Promise<RTCStatsReport | null> {
    return this.#send ? this.#send.getStats() : null;
  }

  /** Forgets all transports, producers and consumers (the server side is gone already). */
  reset(): void {
    if (this.#stallTimer) clearInterval(this.#stallTimer);
    this.#stallTimer = null;
    for (const { remote } of this.#consumers.values()) this.emit('trackended', remote);
    this.#consumers.clear();
    this.#producers.clear();
    this.#send?.close();
    this.#send = null;
    const recv = this.#recv;
    this.#recv = null;
    void recv?.then((t) => t.close(), () => undefined);
  }

  close(): void {
    this.reset();
  }
}
