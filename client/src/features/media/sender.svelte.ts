// Runs the send ladder every 2 s: reads the sender's stats, asks `decide`, and applies the
// rung: frame size and rate in the scaler worker (or camera constraints without it),
// still images below the lowest video rung, camera paused when off.
import type { MediaSession } from './MediaSession.js';
import { grabStill, scaledTrack, type ScaledTrack } from './scaler.js';
import { decide, initialState, LADDER, OFF, rungForLayer, STILL, type LadderState } from './sendLadder.js';
import type { SignalingClient } from '../../lib/signaling.js';
import { availableOutgoing } from './uplink.js';

const TICK_MS = 2000;
const STILL_EVERY_MS = 3000;

export class Sender {
  rung = $state(0);
  reason = $state('start');
  path = $state('none');
  #state: LadderState;
  #camera: MediaStreamTrack;
  #scaled: ScaledTrack | null;
  #media: MediaSession;
  #signaling: SignalingClient;
  #timer: ReturnType<typeof setInterval>;
  #lagTimer: ReturnType<typeof setInterval>;
  #lag = 0;
  #lagStreak = 0;
  #lastTick = performance.now();
  #encode: { time: number; frames: number } | null = null;
  #watched: number | null | undefined = undefined;
  #stillTimer: ReturnType<typeof setInterval> | null = null;
  #forced: number | null = null;
  saveData = false;
  weakDevice = false;
  #userOff = false;
  /** The last inputs of the ladder decision (debug overlay, tests). */
  lastInput = $state.raw<Record<string, unknown>>({});

  constructor(camera: MediaStreamTrack, media: MediaSession, signaling: SignalingClient, scaled: ScaledTrack | null = scaledTrack(camera)) {
    this.#camera = camera;
    this.#media = media;
    this.#signaling = signaling;
    this.#scaled = scaled;
    this.#state = initialState({ now: performance.now(), weakDevice: false, saveData: false });
    // A tick still running (a slow PC) is not queued behind again.
    this.#timer = setInterval(() => { if (this.#jobs === 0) void this.tick(); }, TICK_MS);
    // Main-thread lag: an old PC that cannot keep a 100 ms timer is CPU-bound.
    this.#lagTimer = setInterval(() => {
      const now = performance.now();
      this.#lag = Math.max(this.#lag, now - this.#lastTick - 100);
      this.#lastTick = now;
    }, 100);
  }

  /** The user switched the camera off: never resume it, never send stills. */
  get userOff(): boolean { return this.#userOff; }
  set userOff(off: boolean) {
    this.#userOff = off;
    if (off) this.#stopStills();
  }

  #stopStills(): void {
    if (this.#stillTimer) clearInterval(this.#stillTimer);
    this.#stillTimer = null;
  }

  /** The track to send: the worker's output, or the camera itself. */
  get track(): MediaStreamTrack { return this.#scaled?.track ?? this.#camera; }

  /** Dynacast hint for our camera (highest spatial layer anyone watches). */
  setWatched(maxSpatialLayer: number | null): void { this.#watched = rungForLayer(maxSpatialLayer, 3); }

  /** Re-applies the current rung (after the user turned the camera back on). */
  refresh(): Promise<void> { return this.#serial(() => this.#apply(this.rung)); }

  /** Tests and the debug overlay: pin a rung (null: automatic). */
  force(rung: number | null): Promise<void> { this.#forced = rung; return this.tick(); }

  /**
   * One tick or apply at a time. Applying a rung awaits the scaler and the SFU; two
   * interleaved (the 2 s tick and a forced rung) left the camera resumed at the still
   * rung and the still timer stopped: the older rung's tail undid the newer one.
   */
  #queue: Promise<void> = Promise.resolve();
  #jobs = 0;
  #serial(job: () => Promise<void>): Promise<void> {
    this.#jobs++;
    const run = this.#queue.then(job).finally(() => { this.#jobs--; });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  tick(): Promise<void> { return this.#serial(() => this.#tick()); }

  async #tick(): Promise<void> {
    const report = await this.#media.sendStats().catch(() => null);
    let limitation: 'cpu' | 'bandwidth' | 'none' | 'other' | undefined;
    const uplink = report ? availableOutgoing(report) : undefined;
    let time = 0, frames = 0, best = -1;
    report?.forEach((s: { type?: string; kind?: string; qualityLimitationReason?: string; totalEncodeTime?: number; framesEncoded?: number; frameHeight?: number }) => {
      if (s.type === 'outbound-rtp' && s.kind === 'video') {
        time += s.totalEncodeTime ?? 0;
        frames += s.framesEncoded ?? 0;
        if ((s.frameHeight ?? 0) > best) { best = s.frameHeight ?? 0; limitation = s.qualityLimitationReason as typeof limitation; }
      }
    });
    const prev = this.#encode;
    this.#encode = { time, frames };
    const encodeMs = prev && frames > prev.frames ? ((time - prev.time) * 1000) / (frames - prev.frames) : undefined;
    // Visible jank (> 150 ms stalls) twice in a row: the PC cannot keep up.
    const lagMs = this.#lag;
    this.#lagStreak = lagMs > 150 ? this.#lagStreak + 1 : 0;
    this.#lag = 0;
    const input = {
      now: performance.now(), qualityLimitation: limitation, jank: this.#lagStreak >= 2, encodeMs, uplinkBps: uplink,
      watchedRung: this.#watched, saveData: this.saveData, weakDevice: this.weakDevice,
    };
    this.lastInput = { ...input, chromeLimitation: limitation, lagMs: Math.round(lagMs) };
    const next = decide(this.#state, input);
    const rung = this.#forced ?? next.rung;
    this.#state = { ...next, rung };
    if (rung !== this.rung || this.path === 'none') await this.#apply(rung);
    this.reason = this.#forced !== null ? 'forced' : next.reason;
    if (this.#scaled) this.path = (await this.#scaled.stats()).path;
  }

  async #apply(rung: number): Promise<void> {
    const r = LADDER[rung]!;
    const before = this.outputHeight;
    this.rung = rung;
    if (rung < STILL) {
      // Shrinking: re-scale the encodings before the picture shrinks, else for a moment the
      // old divisors apply to the smaller picture (a 45 px layer was seen on the bench).
      // Growing: the picture first, so no layer is ever smaller than intended.
      if (this.#scaled && this.outputHeight < before) await this.#media.setSentHeight('camera', this.outputHeight).catch(() => undefined);
      if (this.#scaled) await this.#scaled.setTarget(r.height, r.fps);
      else await this.#camera.applyConstraints({ height: { ideal: r.height }, frameRate: { ideal: r.fps } }).catch(() => undefined);
      await this.#announceHeight();
    }
    // The user's camera switch is the Call's business; the ladder only pauses for its rungs.
    if (!this.#userOff) await this.#media.setPaused('camera', rung >= STILL, 'ladder').catch(() => undefined);
    if (rung === STILL && !this.#userOff && !this.#stillTimer) {
      void this.#sendStill();
      this.#stillTimer = setInterval(() => void this.#sendStill(), STILL_EVERY_MS);
    } else if (rung !== STILL) {
      this.#stopStills();
    }
    if (rung === OFF) this.path = 'off';
  }

  /** The height of what we send now (the top simulcast layer): the scaler's output, or the camera's. */
  get outputHeight(): number {
    const capture = this.#camera.getSettings().height ?? 720;
    const r = LADDER[this.rung]!;
    return this.#scaled && this.rung < STILL ? Math.min(capture, r.height) : capture;
  }

  #announced = '';
  /**
   * Tells the SFU how tall our top layer is now: it picks layers by size, and a rescaled
   * camera makes every layer smaller (or larger) than it was at produce time.
   */
  async #announceHeight(): Promise<void> {
    const producerId = this.#media.producerId('camera');
    const key = `${producerId}:${this.outputHeight}`;
    if (!producerId || key === this.#announced) return;
    this.#announced = key;
    // Re-scale our own encodings first (never a layer below 90 px), then tell the SFU.
    await this.#media.setSentHeight('camera', this.outputHeight).catch(() => undefined);
    await this.#signaling.request('setVideoHeight', { producerId, height: this.outputHeight }).catch(() => { this.#announced = ''; });
  }

  async #sendStill(): Promise<void> {
    if (this.#userOff) return;
    const blob = await grabStill(this.#camera).catch(() => null);
    if (!blob || this.#userOff) return;
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let bin = '';
    for (const b of bytes) bin += String.fromCharCode(b);
    await this.#signaling.request('stillImage', { mime: blob.type === 'image/jpeg' ? 'image/jpeg' : 'image/webp', data: btoa(bin) }).catch(() => undefined);
  }

  async scalerStats(): Promise<unknown> { return this.#scaled?.stats() ?? null; }

  /** Stops everything: timers, the scaler worker and its output track. */
  close(): void {
    clearInterval(this.#timer);
    clearInterval(this.#lagTimer);
    this.#stopStills();
    this.#scaled?.close();
  }
}
