// What we send: microphone, camera (through the sender ladder), screen share, and the
// "save data" receive cap. Owns the local tracks from pre-join until the call ends, when
// every one of them is stopped (the camera light goes out).
import { RequestError, type SignalingClient } from '../../lib/signaling.js';
import { loadSaveData, storeSaveData } from '../../lib/settings.js';
import type { MediaSession } from './MediaSession.js';
import { benchmarkKernels } from './scaler.js';
import { Sender } from './sender.svelte.js';
import { AUDIO_NORMAL_BPS, availableOutgoing, nextAudioBitrate } from './uplink.js';

export class LocalMedia {
  micOn = $state(false);
  cameraOn = $state(false);
  screenOn = $state(false);
  /** "Save data": receive at most ~150 kbit/s and send at most 180p; remembered. */
  saveData = $state(false);
  /** A cap on what we receive, in bit/s. */
  receiveCap = $state<number | null>(null);
  /** Our own Opus target (24 kbit/s, 12 on a weak uplink). */
  audioBitrate = $state(AUDIO_NORMAL_BPS);
  /** Adapts what we send to our CPU and uplink (null without a camera). */
  sender = $state.raw<Sender | null>(null);
  camera = $state.raw<MediaStreamTrack | null>(null);
  mic = $state.raw<MediaStreamTrack | null>(null);
  readonly #media: MediaSession;
  readonly #signaling: SignalingClient;
  #uplinkTimer: ReturnType<typeof setInterval> | null = null;

  constructor(media: MediaSession, signaling: SignalingClient) {
    this.#media = media;
    this.#signaling = signaling;
  }

  setTracks(mic: MediaStreamTrack | null, camera: MediaStreamTrack | null): void {
    this.mic = mic;
    this.camera = camera;
  }

  /** Applies the remembered "save data" choice (on a fresh join). */
  async restoreSaveData(): Promise<void> {
    if (await loadSaveData()) await this.setSaveData(true);
  }

  /** Since the first publish: a device that answers later is published as it arrives. */
  #published = false;

  async publish(): Promise<void> {
    // Set before any await: a device answering meanwhile is published by addTrack.
    this.#published = true;
    const { mic, camera } = this;
    this.#uplinkTimer ??= setInterval(() => void this.#checkUplink(), 2000);
    await this.#publishMic(mic);
    await this.#publishCamera(camera);
  }

  /** A device that answered after the join (see PreJoin): published if we already publish. */
  async addTrack(kind: 'mic' | 'camera', track: MediaStreamTrack): Promise<void> {
    if (kind === 'mic') this.mic = track; else this.camera = track;
    if (!this.#published) return;
    await (kind === 'mic' ? this.#publishMic(track) : this.#publishCamera(track));
  }

  async #publishMic(mic: MediaStreamTrack | null): Promise<void> {
    if (!mic || mic.readyState !== 'live') return;
    await this.#media.produce('mic', mic);
    this.micOn = true;
    if (!mic.enabled) await this.setMic(false);
  }

  async #publishCamera(camera: MediaStreamTrack | null): Promise<void> {
    if (!camera || camera.readyState !== 'live') return;
    if (!this.sender) {
      this.sender = new Sender(camera, this.#media, this.#signaling);
      this.sender.saveData = this.saveData;
      void this.#classifyDevice();
    }
    await this.#media.produce('camera', this.sender.track, this.sender.outputHeight);
    this.cameraOn = true;
  }

  /** 'forbidden': the chair muted us and only the chair unmutes; we stay muted. */
  async setMic(on: boolean): Promise<'ok' | 'forbidden'> {
    this.micOn = on;
    if (this.mic) this.mic.enabled = on;
    try {
      await this.#media.setPaused('mic', !on);
      return 'ok';
    } catch (e) {
      if (on && e instanceof RequestError && e.code === 'forbidden') {
        this.chairMuted();
        return 'forbidden';
      }
      return 'ok';
    }
  }

  /** The chair muted us (the server already paused our producer). */
  chairMuted(): void {
    this.micOn = false;
    if (this.mic) this.mic.enabled = false;
    this.#media.pauseLocal('mic');
  }

  async setCamera(on: boolean): Promise<void> {
    this.cameraOn = on;
    if (this.sender) this.sender.userOff = !on;
    if (this.camera) this.camera.enabled = on;
    // 'user': receivers drop our still picture too; the avatar shows instead.
    await this.#media.setPaused('camera', !on, 'user').catch(() => undefined);
    if (on) await this.sender?.refresh();
  }

  /** The chair stopped our camera or screen share (the server closed the producer). */
  stoppedByChair(source: 'camera' | 'screen'): void {
    if (source === 'camera') { this.cameraOn = false; this.sender?.close(); this.sender = null; } else this.screenOn = false;
    this.#media.forgetProducer(source);
  }

  async startScreenShare(): Promise<void> {
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { max: 5 } }, audio: false });
    const track = stream.getVideoTracks()[0];
    if (!track) return;
    track.addEventListener('ended', () => void this.stopScreenShare());
    await this.#media.produce('screen', track);
    this.screenOn = true;
  }

  async stopScreenShare(): Promise<void> {
    await this.#media.closeProducer('screen');
    this.screenOn = false;
  }

  async setSaveData(on: boolean): Promise<void> {
    this.saveData = on;
    if (this.sender) this.sender.saveData = on;
    void storeSaveData(on);
    await this.setReceiveCap(on ? 150_000 : null).catch(() => undefined);
  }

  async setReceiveCap(bps: number | null): Promise<void> {
    await this.#signaling.request('setReceiveBitrate', { maxBps: bps });
    this.receiveCap = bps;
  }

  /** A join-time micro-benchmark: old PCs start (and stay) at most at 360p. */
  async #classifyDevice(): Promise<void> {
    const results = await benchmarkKernels(640, 360, 30).catch(() => []);
    const wasm = results.find((r) => r.name.startsWith('wasm'));
    if (this.sender && ((wasm && wasm.msPerFrame > 2) || navigator.hardwareConcurrency <= 1)) this.sender.weakDevice = true;
  }

  async #checkUplink(): Promise<void> {
    if (!this.#media.hasProducer('mic')) return;
    const report = await this.#media.sendStats().catch(() => null);
    const next = report ? nextAudioBitrate(this.audioBitrate, availableOutgoing(report)) : this.audioBitrate;
    if (next === this.audioBitrate) return;
    await this.#media.setAudioBitrate(next).catch(() => undefined);
    this.audioBitrate = next;
  }

  /** Our media is gone on the server (worker replaced): start over on the next publish. */
  reset(): void {
    this.screenOn = false;
  }

  /** Everything off: timers, the scaler worker, and every local track. */
  stop(): void {
    if (this.#uplinkTimer) clearInterval(this.#uplinkTimer);
    this.#uplinkTimer = null;
    this.sender?.close();
    this.sender = null;
    for (const t of [this.mic, this.camera]) t?.stop();
    this.mic = null;
    this.camera = null;
    this.micOn = false;
    this.cameraOn = false;
    this.screenOn = false;
  }
}
