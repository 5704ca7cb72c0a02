// The meeting as the UI sees it: who is here, their tracks and states, our own controls.
// It drives signaling and the MediaSession and survives a dropped socket: on reconnect it
// resumes the session with its token (others see no leave/join) and reconciles what it
// missed; if the session cannot be resumed it rebuilds media from scratch.
import type { MediaSource, Notification, Notifications, PeerInfo, Role } from '../../../protocol/index.js';
import { i18n } from './i18n.svelte.js';
import { MediaSession, type RemoteTrack } from './MediaSession.js';
import { Participant } from './participant.svelte.js';
import { browserSocket, RequestError, SignalingClient, type SocketFactory } from './signaling.js';
import { TileReporter } from './tiles.js';
import { Sender } from './sender.svelte.js';
import { benchmarkKernels } from './scaler.js';
import { loadSaveData, storeSaveData } from './settings.js';
import { AUDIO_NORMAL_BPS, availableOutgoing, nextAudioBitrate } from './uplink.js';
import { MeetingState } from '../features/meeting/meeting.svelte.js';
import { clientId } from './settings.js';

/** A short two-tone cue (someone is waiting, you are called): no asset to download. */
function chime(): void {
  try {
    const ctx = new AudioContext();
    const o = ctx.createOscillator();
    const g = ctx.createGain();
    o.frequency.setValueAtTime(660, ctx.currentTime);
    o.frequency.setValueAtTime(880, ctx.currentTime + 0.15);
    g.gain.setValueAtTime(0.08, ctx.currentTime);
    g.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.4);
    o.connect(g).connect(ctx.destination);
    o.start();
    o.stop(ctx.currentTime + 0.4);
    o.onended = () => void ctx.close();
  } catch { /* no audio output */ }
}

/** Join-time milestones, visible in the browser's performance timeline and to the bench. */
function mark(name: string): void {
  try { performance.mark(`thinline:${name}`); } catch { /* no performance API */ }
}

export type CallStatus = 'idle' | 'joining' | 'waiting' | 'joined' | 'reconnecting' | 'left' | 'ended' | 'error';

export interface JoinOptions {
  roomId: string;
  name: string;
  moderatorKey?: string;
  mic: MediaStreamTrack | null;
  camera: MediaStreamTrack | null;
  url: string;
  createSocket?: SocketFactory;
}

export class Call {
  status = $state<CallStatus>('idle');
  error = $state<string | null>(null);
  participants = $state<Participant[]>([]);
  activeSpeakerId = $state<string | null>(null);
  selfId = $state<string | null>(null);
  role = $state<Role>('participant');
  name = $state('');
  roomName = $state('');
  /** Our own hand, chair mute and rights, as others see them. */
  handRaised = $state(false);
  mutedByChair = $state(false);
  canShareScreen = $state(true);
  /** A short visible notice (errors of moderation actions, "muted by the chair"). */
  notice = $state<string | null>(null);
  /** Alert-level live region (waiting-room arrivals, being called to speak). */
  alert = $state('');
  readonly meeting: MeetingState;
  micOn = $state(false);
  cameraOn = $state(false);
  selfQuality = $state(10);
  /** Polite live-region text for screen readers. */
  announcement = $state('');
  localCamera = $state.raw<MediaStreamTrack | null>(null);
  localMic = $state.raw<MediaStreamTrack | null>(null);
  /** Sessions resumed after a dropped socket (shown in the debug view, asserted in tests). */
  resumes = $state(0);
  /** Media rebuilds after the server replaced a media worker. */
  mediaResets = $state(0);
  /** Per consumer: what the SFU forwards and why (debug overlay). */
  layers = $state.raw<Record<string, Notifications['consumerLayers']>>({});
  /** Our own Opus target (24 kbit/s, 12 on a weak uplink). */
  audioBitrate = $state(AUDIO_NORMAL_BPS);
  screenOn = $state(false);
  /** "Save data": a cap on what we receive, in bit/s. */
  receiveCap = $state<number | null>(null);
  /** Adapts what we send to our CPU and uplink (null without a camera). */
  sender = $state.raw<Sender | null>(null);
  saveData = $state(false);
  #tiles: TileReporter | null = null;
  #uplinkTimer: ReturnType<typeof setInterval> | null = null;

  #signaling: SignalingClient | null = null;
  #media: MediaSession | null = null;
  #opts: JoinOptions | null = null;
  #resumeToken: string | undefined;

  #everJoined = false;
  #ticket: string | undefined;

  constructor() {
    this.meeting = new MeetingState({ request: (m, d) => this.#request(m, d) });
  }

  #request: MeetingState['request'] = (method, data) => {
    if (!this.#signaling) return Promise.reject(new RequestError('disconnected', 'not connected'));
    return this.#signaling.request(method, data);
  };

  #say = {
    announce: (text: string, urgent = false) => { if (urgent) this.alert = text; else this.announcement = text; },
    chime: () => chime(),
  };

  /**
   * Connects and loads the device while the user is still on the pre-join page, so that
   * "Join" costs one round trip less per step on a slow link. Idempotent.
   */
  prepare(opts: Pick<JoinOptions, 'roomId' | 'url' | 'createSocket'>): void {
    if (this.#signaling) return;
    const signaling = new SignalingClient({ url: opts.url, createSocket: opts.createSocket ?? browserSocket });
    this.#signaling = signaling;
    const media = new MediaSession(signaling);
    this.#media = media;
    this.#tiles = new TileReporter((tiles) => void signaling.request('updateTiles', { tiles }).catch(() => undefined));
    this.#uplinkTimer = setInterval(() => void this.#checkUplink(), 2000);
    media.on('track', (t) => this.#onTrack(t));
    media.on('trackended', (t) => this.#onTrackEnded(t));
    signaling.on('notification', (n) => this.#onNotification(n));
    signaling.on('state', (s) => { if (s === 'reconnecting' && this.status === 'joined') this.status = 'reconnecting'; });
    signaling.on('ended', () => { if (this.status !== 'left' && this.status !== 'ended') this.#end('ended', i18n.t('sessionReplaced')); });
    signaling.on('open', () => {
      if (!this.#opts) return void media.loadDevice(opts.roomId).catch(() => undefined); // warm-up only
      void (this.#everJoined ? this.#resume() : this.#enter()).catch((e: unknown) => this.#fail(e));
    });
  }

  async join(opts: JoinOptions): Promise<void> {
    this.#opts = opts;
    this.status = 'joining';
    this.error = null;
    this.localCamera = opts.camera;
    this.localMic = opts.mic;
    this.prepare(opts);
    // The server closes a pre-join socket that idles too long; open it again now.
    this.#signaling!.connect();
    if (this.#signaling!.state === 'open') await this.#enter().catch((e: unknown) => this.#fail(e));
  }

  async #enter(): Promise<void> {
    const opts = this.#opts!;
    const signaling = this.#signaling!;
    mark('ws-open');
    const rtpCapabilities = await this.#media!.loadDevice(opts.roomId);
    mark('device-loaded');
    const reply = await signaling.request('join', {
      roomId: opts.roomId, name: opts.name, rtpCapabilities: rtpCapabilities as never, clientId: clientId(),
      ...(opts.moderatorKey ? { moderatorKey: opts.moderatorKey } : {}),
      ...(this.#resumeToken ? { resumeToken: this.#resumeToken } : {}),
      ...(this.#ticket ? { ticket: this.#ticket } : {}),
    });
    this.#ticket = undefined;
    this.roomName = reply.roomName;
    if (reply.status === 'waiting') {
      // The waiting room: devices stay on for the preview; we join once admitted.
      this.meeting.moderatorPresent = reply.moderatorPresent;
      this.status = 'waiting';
      this.announcement = i18n.t(reply.moderatorPresent ? 'waitingForAdmission' : 'waitingNoModerator');
      return;
    }
    const joined = reply;
    mark('joined');
    this.#everJoined = true;
    this.selfId = joined.peerId;
    this.#applySelf(joined.self);
    this.meeting.load(joined.meeting);
    this.#media!.videoCodec = joined.videoCodec;
    if (!joined.resumed && (await loadSaveData())) await this.setSaveData(true);
    this.#resumeToken = joined.resumeToken;
    if (joined.resumed) {
      this.resumes++;
      this.#reconcile(joined.peers);
      // The room moved to a new media worker while we were away: our transports are gone.
      if (joined.mediaReset) await this.#rebuildMedia();
      else await this.#media!.recoverTransports();
      this.#tiles?.resendAll();
    } else {
      this.#media!.reset();
      this.participants = joined.peers.map((p) => new Participant(p));
      // Receive first: seeing others is what makes a join feel done; publishing can follow.
      await Promise.all([
        this.#publish().then(() => mark('published')),
        ...joined.peers.flatMap((p) => p.producers.map((pr) => this.#consume(pr.id))),
      ]);
      mark('consumed');
    }
    this.status = 'joined';
  }

  async #resume(): Promise<void> {
    if (this.status !== 'waiting') this.status = 'reconnecting';
    await this.#enter();
  }

  #applySelf(info: PeerInfo): void {
    this.role = info.role;
    this.name = info.name;
    this.handRaised = info.handRaisedAt !== null;
    this.mutedByChair = info.mutedByChair;
    this.canShareScreen = info.canShareScreen;
  }

  /** After a resume: drop what left while we were away, consume what appeared. */
  #reconcile(peers: PeerInfo[]): void {
    const byId = new Map(peers.map((p) => [p.id, p]));
    for (const p of this.participants) if (!byId.has(p.id)) this.#removePeer(p.id);
    const consumed = new Set(this.#media!.consumedProducerIds());
    const live = new Set(peers.flatMap((p) => p.producers.map((pr) => pr.id)));
    for (const id of consumed) if (!live.has(id)) this.#media!.dropConsumer({ producerId: id });
    for (const info of peers) {
      let p = this.participants.find((x) => x.id === info.id);
      if (!p) { p = new Participant(info); this.participants.push(p); } else p.update(info);
      for (const pr of info.producers) {
        p.setProducer(pr.id, pr.source, pr.paused);
        if (!consumed.has(pr.id)) void this.#consume(pr.id);
      }
    }
  }

  async #publish(): Promise<void> {
    const { mic, camera } = this.#opts!;
    const media = this.#media!;
    if (mic && mic.readyState === 'live') {
      await media.produce('mic', mic);
      this.micOn = true;
      if (!mic.enabled) await this.setMic(false);
    }
    if (camera && camera.readyState === 'live') {
      if (!this.sender) {
        this.sender = new Sender(camera, media, this.#signaling!);
        this.sender.saveData = this.saveData;
        void this.#classifyDevice();
      }
      await media.produce('camera', this.sender.track, camera.getSettings().height);
      this.cameraOn = true;
    }
  }

  async #consume(producerId: string): Promise<void> {
    try {
      await this.#media?.consume(producerId);
    } catch (e) {
      // The producer may have closed meanwhile; anything else is worth a console line.
      if (!(e instanceof RequestError && (e.code === 'not_found' || e.code === 'disconnected'))) console.warn('consume failed', e);
    }
  }

  #onTrack(t: RemoteTrack): void {
    mark(`track-${t.source}`);
    const p = this.participants.find((x) => x.id === t.peerId);
    if (!p) return;
    p.setProducer(t.producerId, t.source, t.producerPaused);
    if (t.source === 'mic') p.audioTrack = t.track;
    else if (t.source === 'camera') { p.videoTrack = t.track; p.cameraConsumerId = t.consumerId; }
    else { p.screenTrack = t.track; p.screenConsumerId = t.consumerId; }
  }

  #onTrackEnded(t: RemoteTrack): void {
    const p = this.participants.find((x) => x.id === t.peerId);
    if (p && t.source === 'mic' && p.audioTrack === t.track) p.audioTrack = null;
    if (p && t.source === 'camera' && p.videoTrack === t.track) { p.videoTrack = null; p.cameraConsumerId = null; }
    if (p && t.source === 'screen' && p.screenTrack === t.track) { p.screenTrack = null; p.screenConsumerId = null; }
    if (t.consumerId in this.layers) { const { [t.consumerId]: _, ...rest } = this.layers; this.layers = rest; }
  }

  #removePeer(peerId: string): void {
    const p = this.participants.find((x) => x.id === peerId);
    this.#media?.dropConsumer({ peerId });
    this.participants = this.participants.filter((x) => x.id !== peerId);
    if (this.activeSpeakerId === peerId) this.activeSpeakerId = null;
    if (p) this.announcement = i18n.t('leftRoom', { name: p.name });
  }

  #onNotification(n: Notification): void {
    if (this.meeting.handle(n, this.#say)) return;
    switch (n.notification) {
      case 'admitted':
        this.#ticket = n.data.ticket;
        return void this.#enter().catch((e: unknown) => this.#fail(e));
      case 'rejected':
        return this.#end('ended', i18n.t(n.data.reason === 'locked' ? 'lobbyLocked' : n.data.reason === 'ended' ? 'roomEnded' : 'lobbyRejected'));
      case 'removed':
        if (n.data.reason === 'lobby') {
          // Back to the waiting room: a new join waits there.
          this.#resumeToken = undefined;
          this.#media?.reset();
          this.participants = [];
          return void this.#enter().catch((e: unknown) => this.#fail(e));
        }
        return this.#end('ended', i18n.t(n.data.reason === 'banned' ? 'removedBanned' : 'removedByChair'));
      case 'peerUpdated': {
        if (n.data.peer.id === this.selfId) return this.#applySelf(n.data.peer);
        this.participants.find((x) => x.id === n.data.peer.id)?.update(n.data.peer);
        return;
      }
      case 'mutedByChair':
        this.mutedByChair = true;
        this.micOn = false;
        if (this.#opts?.mic) this.#opts.mic.enabled = false;
        this.#media?.pauseLocal('mic');
        this.alert = i18n.t(n.data.canUnmute ? 'mutedByChair' : 'mutedByChairLocked');
        return;
      case 'mediaStopped':
        if (n.data.source === 'camera') { this.cameraOn = false; this.sender?.close(); this.sender = null; }
        else this.screenOn = false;
        this.#media?.forgetProducer(n.data.source);
        this.alert = i18n.t(n.data.source === 'camera' ? 'cameraStoppedByChair' : 'screenStoppedByChair');
        return;
      case 'peerJoined':
        if (this.participants.some((p) => p.id === n.data.peer.id)) return;
        this.participants.push(new Participant(n.data.peer));
        this.announcement = i18n.t('joined', { name: n.data.peer.name });
        return;
      case 'peerLeft':
        return this.#removePeer(n.data.peerId);
      case 'newProducer': {
        const p = this.participants.find((x) => x.id === n.data.peerId);
        p?.setProducer(n.data.producer.id, n.data.producer.source, n.data.producer.paused);
        return void this.#consume(n.data.producer.id);
      }
      case 'producerClosed':
        this.participants.find((x) => x.id === n.data.peerId)?.producerGone(n.data.producerId);
        return this.#media?.dropConsumer({ producerId: n.data.producerId });
      case 'consumerClosed':
        return this.#media?.dropConsumer({ consumerId: n.data.consumerId });
      case 'producerPaused':
        return this.participants.find((x) => x.id === n.data.peerId)?.producerPaused(n.data.producerId, n.data.paused);
      case 'consumerState': {
        const remote = this.#media?.remote(n.data.consumerId);
        const p = remote && this.participants.find((x) => x.id === remote.peerId);
        if (!p || remote.source === 'mic') return;
        if (remote.source === 'screen') { p.screenPausedReason = n.data.paused ? n.data.reason : null; return; }
        // "Camera off" comes only from the sender's pause (producerPaused); a consumer
        // paused by the SFU says why, but the camera is still on.
        p.videoPausedReason = n.data.paused ? n.data.reason : null;
        return;
      }
      case 'consumerLayers':
        this.layers = { ...this.layers, [n.data.consumerId]: n.data };
        return;
      case 'producerLayers':
        if (n.data.producerId === this.#media?.producerId('camera')) this.sender?.setWatched(n.data.maxSpatialLayer);
        return void this.#media?.setMaxSpatialLayer(n.data.producerId, n.data.maxSpatialLayer).catch(() => undefined);
      case 'stillImage': {
        const p = this.participants.find((x) => x.id === n.data.peerId);
        if (p) { p.still = `data:${n.data.mime};base64,${n.data.data}`; p.stillAt = Date.now(); }
        return;
      }
      case 'stillCleared': {
        const p = this.participants.find((x) => x.id === n.data.peerId);
        if (p) p.still = null;
        return;
      }
      case 'roomClosed':
        return this.#end('ended', i18n.t(n.data.reason === 'media_failed' ? 'roomClosedMedia' : 'roomEnded'));
      case 'activeSpeaker':
        this.activeSpeakerId = n.data.peerId;
        return;
      case 'peerQuality':
        if (n.data.peerId === this.selfId) this.selfQuality = n.data.score;
        else { const p = this.participants.find((x) => x.id === n.data.peerId); if (p) p.quality = n.data.score; }
        return;
      case 'mediaReset':
        return void this.#rebuildMedia().catch((e: unknown) => this.#fail(e));
    }
  }

  /** The server lost our media (worker restart): publish and consume again. */
  async #rebuildMedia(): Promise<void> {
    this.#media!.reset();
    this.screenOn = false;
    await Promise.all([
      this.#publish(),
      ...this.participants.flatMap((p) => [p.micProducerId, p.cameraProducerId, p.screenProducerId]).filter((id): id is string => id !== null).map((id) => this.#consume(id)),
    ]);
    this.mediaResets++;
  }

  async setMic(on: boolean): Promise<void> {
    this.micOn = on;
    if (this.#opts?.mic) this.#opts.mic.enabled = on;
    try {
      await this.#media?.setPaused('mic', !on);
      if (on) this.mutedByChair = false;
    } catch (e) {
      // "Only the chair unmutes": the server refused; stay muted and say why.
      if (on && e instanceof RequestError && e.code === 'forbidden') {
        this.micOn = false;
        if (this.#opts?.mic) this.#opts.mic.enabled = false;
        this.#media?.pauseLocal('mic');
        this.notice = i18n.t('unmuteForbidden');
      }
    }
  }

  async raiseHand(raised: boolean): Promise<void> {
    const { position } = await this.#signaling!.request('raiseHand', { raised });
    this.handRaised = position !== null;
    this.announcement = position ? i18n.t('handPosition', { position }) : i18n.t('handLowered');
  }

  /** Runs a moderator action; a refusal is shown, not thrown. */
  async moderate<M extends Parameters<MeetingState['request']>[0]>(method: M, data: Parameters<MeetingState['request']>[1] & object): Promise<boolean> {
    try {
      await this.meeting.request(method, data as never);
      return true;
    } catch (e) {
      this.notice = e instanceof Error ? e.message : String(e);
      return false;
    }
  }

  async setCamera(on: boolean): Promise<void> {
    this.cameraOn = on;
    if (this.sender) this.sender.userOff = !on;
    if (this.#opts?.camera) this.#opts.camera.enabled = on;
    // 'user': receivers drop our still picture too; the avatar shows instead.
    await this.#media?.setPaused('camera', !on, 'user').catch(() => undefined);
    if (on) await this.sender?.refresh();
  }

  #fail(e: unknown): void {
    if (e instanceof RequestError && e.code === 'disconnected') return; // the reconnect loop retries
    const known = { room_not_found: 'roomNotFound', room_full: 'roomFull', room_locked: 'lobbyLocked', banned: 'removedBanned' } as const;
    const message = e instanceof RequestError && e.code in known
      ? i18n.t(known[e.code as keyof typeof known])
      : i18n.t('error', { message: e instanceof Error ? e.message : String(e) });
    this.#end('error', message);
  }

  /**
   * The call is over (left, ended by the server, or failed): stop every local track so the
   * camera light goes out, stop the scaler worker and timers, and close the socket.
   */
  #end(status: 'left' | 'ended' | 'error', error: string | null = null): void {
    if (this.#uplinkTimer) clearInterval(this.#uplinkTimer);
    this.#uplinkTimer = null;
    this.#tiles?.close();
    this.sender?.close();
    this.sender = null;
    this.#media?.close();
    for (const t of [this.#opts?.mic, this.#opts?.camera]) t?.stop();
    this.localCamera = null;
    this.localMic = null;
    this.micOn = false;
    this.cameraOn = false;
    this.#signaling?.close();
    this.participants = [];
    this.error = error;
    this.status = status;
  }

  get waiting(): boolean { return this.status === 'waiting'; }

  /** Tiles call this so the SFU never sends more than they can show. */
  observeTile(consumerId: string, element: Element): () => void {
    return this.#tiles?.observe(consumerId, element) ?? (() => undefined);
  }

  togglePin(peerId: string): void {
    const p = this.participants.find((x) => x.id === peerId);
    if (!p) return;
    p.pinned = !p.pinned;
    for (const id of [p.cameraConsumerId, p.screenConsumerId]) if (id) this.#tiles?.setPinned(id, p.pinned);
  }

  /** "Save data": receive at most ~150 kbit/s and send at most 180p; remembered. */
  async setSaveData(on: boolean): Promise<void> {
    this.saveData = on;
    if (this.sender) this.sender.saveData = on;
    void storeSaveData(on);
    await this.setReceiveCap(on ? 150_000 : null).catch(() => undefined);
  }

  /** A join-time micro-benchmark: old PCs start (and stay) at most at 360p. */
  async #classifyDevice(): Promise<void> {
    const results = await benchmarkKernels(640, 360, 30).catch(() => []);
    const wasm = results.find((r) => r.name.startsWith('wasm'));
    if (this.sender && ((wasm && wasm.msPerFrame > 2) || navigator.hardwareConcurrency <= 1)) this.sender.weakDevice = true;
  }

  async setReceiveCap(bps: number | null): Promise<void> {
    await this.#signaling?.request('setReceiveBitrate', { maxBps: bps });
    this.receiveCap = bps;
  }

  async startScreenShare(): Promise<void> {
    if (!this.canShareScreen) { this.notice = i18n.t('screenShareNotAllowed'); return; }
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { max: 5 } }, audio: false });
    const track = stream.getVideoTracks()[0];
    if (!track || !this.#media) return;
    track.addEventListener('ended', () => void this.stopScreenShare());
    await this.#media.produce('screen', track);
    this.screenOn = true;
  }

  async stopScreenShare(): Promise<void> {
    await this.#media?.closeProducer('screen');
    this.screenOn = false;
  }

  async #checkUplink(): Promise<void> {
    if (this.status !== 'joined' || !this.#media?.hasProducer('mic')) return;
    const report = await this.#media.sendStats().catch(() => null);
    const next = report ? nextAudioBitrate(this.audioBitrate, availableOutgoing(report)) : this.audioBitrate;
    if (next === this.audioBitrate) return;
    await this.#media.setAudioBitrate(next).catch(() => undefined);
    this.audioBitrate = next;
  }

  async leave(): Promise<void> {
    // Devices go off first: the user sees the camera light go out as they click.
    for (const t of [this.#opts?.mic, this.#opts?.camera]) t?.stop();
    if (this.status === 'joined' || this.status === 'reconnecting' || this.status === 'waiting') await this.#signaling?.request('leave', {}).catch(() => undefined);
    this.#end('left');
  }

  /**
   * The page is going away (tab closed, navigation): leave now rather than leaving a ghost
   * in everyone's list. The `leave` request is sent without waiting; closing with 1000
   * tells the server the same even if it is not.
   */
  leaveOnUnload(): void {
    if (this.status === 'left' || this.status === 'ended' || this.status === 'error') return;
    this.#signaling?.request('leave', {}).catch(() => undefined);
    this.#end('left');
  }

  /** For tests and the debug overlay. */
  get media(): MediaSession | null { return this.#media; }
  get signaling(): SignalingClient | null { return this.#signaling; }
  get source(): Record<MediaSource, boolean> { return { mic: this.micOn, camera: this.cameraOn, screen: false }; }
}
