// The call as the UI sees it: a thin composition of the session (join, waiting room,
// resume, end), the roster of participants, what we send (LocalMedia), what we receive
// (RemoteMedia) and the council meeting (MeetingState). It survives a dropped socket: on
// reconnect it resumes the session with its token (others see no leave/join) and
// reconciles what it missed; if the media is gone it rebuilds it.
import type { DialIn, MediaSource, Notification, PeerInfo, Role } from '../../../protocol/index.js';
import { LocalMedia } from '../features/media/local.svelte.js';
import { MediaSession } from '../features/media/MediaSession.js';
import type { Participant } from '../features/media/participant.svelte.js';
import { RemoteMedia } from '../features/media/remote.svelte.js';
import type { Sender } from '../features/media/sender.svelte.js';
import { TileReporter } from '../features/media/tiles.js';
import { MeetingState } from '../features/meeting/meeting.svelte.js';
import { VotesState } from '../features/votes/votes.svelte.js';
import { MinutesState } from '../features/minutes/minutes.svelte.js';
import { RecordingFeature } from '../features/recording/recording.svelte.js';
import { chime } from './chime.js';
import { Roster } from './roster.svelte.js';
import { i18n, type MessageKey } from './i18n.svelte.js';
import { mark } from './marks.js';
import type { DeviceChoice } from './devices.js';
import { clientId } from './settings.js';
import { browserSocket, RequestError, SignalingClient, type Requester, type SocketFactory } from './signaling.js';


export type CallStatus = 'idle' | 'joining' | 'waiting' | 'joined' | 'reconnecting' | 'left' | 'ended' | 'error';

export interface JoinOptions {
  roomId: string;
  name: string;
  moderatorKey?: string;
  mic: MediaStreamTrack | null;
  camera: MediaStreamTrack | null;
  /** Devices still opening: each is published when it answers. */
  pending?: DeviceChoice['pending'];
  url: string;
  createSocket?: SocketFactory;
}

const FAILURES: Partial<Record<string, MessageKey>> = { room_not_found: 'roomNotFound', room_full: 'roomFull', room_locked: 'lobbyLocked', banned: 'removedBanned' };

export class Call {
  status = $state<CallStatus>('idle');
  error = $state<string | null>(null);
  readonly roster: Roster;
  selfId = $state<string | null>(null);
  role = $state<Role>('participant');
  name = $state('');
  roomName = $state('');
  /** Moderators: how to join by phone. */
  dialIn = $state.raw<DialIn | null>(null);
  /** Our own hand, chair mute and rights, as others see them. */
  handRaised = $state(false);
  mutedByChair = $state(false);
  canShareScreen = $state(true);
  /** A short visible notice (refused actions, moderation errors). */
  notice = $state<string | null>(null);
  /** Polite live-region text for screen readers (joins, leaves, chat). */
  announcement = $state('');
  /** Alert-level live region (waiting-room arrivals, being muted or called to speak). */
  alert = $state('');
  /** Sessions resumed after a dropped socket (shown in the debug view, asserted in tests). */
  resumes = $state(0);
  /** Media rebuilds after the server replaced a media worker. */
  mediaResets = $state(0);
  readonly meeting: MeetingState;
  readonly votes: VotesState;
  readonly minutes: MinutesState;
  readonly recording: RecordingFeature;
  local = $state.raw<LocalMedia | null>(null);
  remote = $state.raw<RemoteMedia | null>(null);

  #tiles: TileReporter | null = null;
  #signaling: SignalingClient | null = null;
  #media: MediaSession | null = null;
  #opts: JoinOptions | null = null;
  #resumeToken: string | undefined;
  #ticket: string | undefined;
  #everJoined = false;
  readonly #say = {
    announce: (text: string, urgent = false) => { if (urgent) this.alert = text; else this.announcement = text; },
    chime: () => chime(),
  };

  constructor() {
    this.roster = new Roster({
      selfId: () => this.selfId,
      self: (info) => this.#applySelf(info),
      gone: (peerId) => this.#media?.dropConsumer({ peerId }),
      announce: (text) => { this.announcement = text; },
    });
    const transport: Requester = {
      request: (method, data) => this.#signaling ? this.#signaling.request(method, data) : Promise.reject(new RequestError('disconnected', 'not connected')),
    };
    this.meeting = new MeetingState(transport);
    this.votes = new VotesState(transport);
    this.minutes = new MinutesState(transport);
    this.recording = new RecordingFeature(transport, {
      selfId: () => this.selfId,
      roomId: () => this.#opts?.roomId ?? '',
      isModerator: () => this.role === 'moderator',
      // What the recording browser mixes: itself and everyone it receives (the consent rule picks).
      members: () => [
        ...(this.selfId ? [{ id: this.selfId, name: this.name, audio: this.local?.micOn ? this.local.mic : null, video: this.local?.cameraOn ? this.local.camera : null }] : []),
        ...this.participants.map((p) => ({ id: p.id, name: p.name, audio: p.audioTrack, video: p.videoTrack })),
      ],
      speakerId: () => this.activeSpeakerId,
      announce: (text, urgent = false) => this.#say.announce(text, urgent),
    });
  }

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
    this.local = new LocalMedia(media, signaling);
    this.remote = new RemoteMedia(media, this.roster);
    this.#tiles = new TileReporter((tiles) => void signaling.request('updateTiles', { tiles }).catch(() => undefined));
    signaling.on('notification', (n) => this.#onNotification(n));
    signaling.on('state', (s) => { if (s === 'reconnecting' && this.status === 'joined') this.status = 'reconnecting'; });
    signaling.on('ended', () => { if (this.status !== 'left' && this.status !== 'ended') this.#end('ended', i18n.t('sessionReplaced')); });
    signaling.on('open', () => {
      if (!this.#opts) return void media.loadDevice(opts.roomId).catch(() => undefined); // warm-up only
      if (this.#everJoined && this.status !== 'waiting') this.status = 'reconnecting';
      void this.#enter().catch((e: unknown) => this.#fail(e));
    });
  }

  async join(opts: JoinOptions): Promise<void> {
    this.#opts = opts;
    this.status = 'joining';
    this.error = null;
    this.prepare(opts);
    this.local!.setTracks(opts.mic, opts.camera);
    for (const kind of ['mic', 'camera'] as const) void opts.pending?.[kind]?.then((track) => this.#lateDevice(opts, kind, track));
    // The server closes a pre-join socket that idles too long; open it again now.
    this.#signaling!.connect();
    if (this.#signaling!.state === 'open') await this.#enter().catch((e: unknown) => this.#fail(e));
  }

  /**
   * A device answered after "Join": it joins the call's tracks (so that leaving stops it)
   * and is published once the call publishes (at once if it already did). A call that is
   * over by then stops it: no camera light without a meeting.
   */
  async #lateDevice(opts: JoinOptions, kind: 'mic' | 'camera', track: MediaStreamTrack | null): Promise<void> {
    if (!track) return;
    if (this.#opts !== opts || this.over) { track.stop(); return; }
    opts[kind] = track;
    // Failing to publish it is no reason to end the call: the device's button shows it off.
    await this.local!.addTrack(kind, track).catch(() => undefined);
  }

  async #enter(): Promise<void> {
    const opts = this.#opts!;
    mark('ws-open');
    const rtpCapabilities = await this.#media!.loadDevice(opts.roomId);
    mark('device-loaded');
    const reply = await this.#signaling!.request('join', {
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
    mark('joined');
    this.#everJoined = true;
    this.selfId = reply.peerId;
    this.#applySelf(reply.self);
    this.meeting.load(reply.meeting);
    this.votes.load(reply.motions);
    this.minutes.load(reply.minutes);
    this.recording.load(reply.recording);
    this.dialIn = reply.dialIn;
    this.#media!.videoCodec = reply.videoCodec;
    this.#resumeToken = reply.resumeToken;
    if (reply.resumed) {
      this.resumes++;
      this.#reconcile(reply.peers);
      // The room moved to a new media worker while we were away: our transports are gone.
      if (reply.mediaReset) await this.#rebuildMedia();
      else await this.#media!.recoverTransports();
      this.#tiles?.resendAll();
    } else {
      // Before any await: a notification handled meanwhile (a camera or microphone published
      // just after the server's snapshot) starts a consume that a later reset would kill,
      // and that producer is in no snapshot: one bench participant never heard another.
      this.#media!.reset();
      this.roster.reset(reply.peers);
      await this.local!.restoreSaveData();
      // Receive first: seeing others is what makes a join feel done; publishing can follow.
      await Promise.all([
        this.local!.publish().then(() => mark('published')),
        ...reply.peers.flatMap((p) => p.producers.map((pr) => this.remote!.consume(pr.id))),
      ]);
      mark('consumed');
    }
    this.status = 'joined';
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
    this.roster.reconcile(peers);
    const consumed = new Set(this.#media!.consumedProducerIds());
    const live = new Set(peers.flatMap((p) => p.producers.map((pr) => pr.id)));
    for (const id of consumed) if (!live.has(id)) this.#media!.dropConsumer({ producerId: id });
    for (const info of peers) {
      const p = this.roster.find(info.id)!;
      for (const pr of info.producers) {
        p.setProducer(pr.id, pr.source, pr.paused);
        if (!consumed.has(pr.id)) void this.remote!.consume(pr.id);
      }
    }
  }

  /** The server lost our media (worker restart): publish and consume again. */
  async #rebuildMedia(): Promise<void> {
    this.#media!.reset();
    this.local!.reset();
    const producers = this.participants.flatMap((p) => [p.micProducerId, p.cameraProducerId, p.screenProducerId]).filter((id): id is string => id !== null);
    await Promise.all([this.local!.publish(), ...producers.map((id) => this.remote!.consume(id))]);
    this.mediaResets++;
  }

  #onNotification(n: Notification): void {
    if (this.roster.handle(n) || this.meeting.handle(n, this.#say) || this.votes.handle(n, (t) => this.#say.announce(t, true)) || this.minutes.handle(n) || this.recording.handle(n) || this.remote?.handle(n, this.local?.sender ?? null)) return;
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
          this.roster.reset();
          return void this.#enter().catch((e: unknown) => this.#fail(e));
        }
        return this.#end('ended', i18n.t(n.data.reason === 'banned' ? 'removedBanned' : 'removedByChair'));
      case 'mutedByChair':
        this.mutedByChair = true;
        this.local?.chairMuted();
        this.alert = i18n.t(n.data.canUnmute ? 'mutedByChair' : 'mutedByChairLocked');
        return;
      case 'mediaStopped':
        this.local?.stoppedByChair(n.data.source);
        this.alert = i18n.t(n.data.source === 'camera' ? 'cameraStoppedByChair' : 'screenStoppedByChair');
        return;
      case 'roomClosed':
        return this.#end('ended', i18n.t(n.data.reason === 'media_failed' ? 'roomClosedMedia' : 'roomEnded'));
      case 'mediaReset':
        return void this.#rebuildMedia().catch((e: unknown) => this.#fail(e));
    }
  }

  async setMic(on: boolean): Promise<void> {
    const result = await this.local?.setMic(on);
    if (result === 'forbidden') this.notice = i18n.t('unmuteForbidden');
    else if (on) this.mutedByChair = false;
  }

  async setCamera(on: boolean): Promise<void> { await this.local?.setCamera(on); }

  async startScreenShare(): Promise<void> {
    if (!this.canShareScreen) { this.notice = i18n.t('screenShareNotAllowed'); return; }
    await this.local?.startScreenShare();
  }

  async stopScreenShare(): Promise<void> { await this.local?.stopScreenShare(); }
  async setSaveData(on: boolean): Promise<void> { await this.local?.setSaveData(on); }
  async setReceiveCap(bps: number | null): Promise<void> { await this.local?.setReceiveCap(bps); }

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

  #fail(e: unknown): void {
    if (e instanceof RequestError && e.code === 'disconnected') return; // the reconnect loop retries
    const key = e instanceof RequestError ? FAILURES[e.code] : undefined;
    this.#end('error', key ? i18n.t(key) : i18n.t('error', { message: e instanceof Error ? e.message : String(e) }));
  }

  /**
   * The call is over (left, ended by the server, or failed): stop every local track so the
   * camera light goes out, stop the scaler worker and timers, and close the socket.
   */
  #end(status: 'left' | 'ended' | 'error', error: string | null = null): void {
    void this.recording.close();
    this.#tiles?.close();
    this.local?.stop();
    this.#media?.close();
    for (const t of [this.#opts?.mic, this.#opts?.camera]) t?.stop();
    this.#signaling?.close();
    this.roster.reset();
    this.error = error;
    this.status = status;
  }

  /** Tiles call this so the SFU never sends more than they can show. */
  observeTile(consumerId: string, element: Element): () => void {
    return this.#tiles?.observe(consumerId, element) ?? (() => undefined);
  }

  togglePin(peerId: string): void {
    const p = this.roster.find(peerId);
    if (!p) return;
    p.pinned = !p.pinned;
    for (const id of [p.cameraConsumerId, p.screenConsumerId]) if (id) this.#tiles?.setPinned(id, p.pinned);
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
    if (this.over) return;
    this.#signaling?.request('leave', {}).catch(() => undefined);
    this.#end('left');
  }

  // What the components and tests read; the state lives in the Roster, LocalMedia and RemoteMedia.
  get participants(): Participant[] { return this.roster.participants; }
  get activeSpeakerId(): string | null { return this.roster.activeSpeakerId; }
  get selfQuality(): number { return this.roster.selfQuality; }
  /** The call is over: left, ended by the server, or failed. */
  get over(): boolean { return this.status === 'left' || this.status === 'ended' || this.status === 'error'; }

  get micOn(): boolean { return this.local?.micOn ?? false; }
  get cameraOn(): boolean { return this.local?.cameraOn ?? false; }
  get screenOn(): boolean { return this.local?.screenOn ?? false; }
  get saveData(): boolean { return this.local?.saveData ?? false; }
  get receiveCap(): number | null { return this.local?.receiveCap ?? null; }
  get audioBitrate(): number { return this.local?.audioBitrate ?? 0; }
  get sender(): Sender | null { return this.local?.sender ?? null; }
  get localCamera(): MediaStreamTrack | null { return this.local?.camera ?? null; }
  get localMic(): MediaStreamTrack | null { return this.local?.mic ?? null; }
  get layers(): RemoteMedia['layers'] { return this.remote?.layers ?? {}; }
  get waiting(): boolean { return this.status === 'waiting'; }
  /** For tests and the debug overlay. */
  get media(): MediaSession | null { return this.#media; }
  get signaling(): SignalingClient | null { return this.#signaling; }
  get source(): Record<MediaSource, boolean> { return { mic: this.micOn, camera: this.cameraOn, screen: this.screenOn }; }
}
