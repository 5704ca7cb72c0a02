// The recording itself, in the recording moderator's browser (browser-only: MediaRecorder,
// WebAudio, canvas; loaded lazily when a recording starts). The consent rule decides at
// every moment who is in it: a participant who did not say yes is a name card in the
// picture and silent in the mix. Every chunk goes to the ChunkStore before the next.
import type { RecordingState } from '../../../../protocol/index.js';
import { isRecorded } from '../../../../protocol/recording.js';
import type { ChunkStore } from './chunk-store.js';
import { compositeLayout, fit } from './layout.js';

export interface CaptureMember { id: string; name: string; audio: MediaStreamTrack | null; video: MediaStreamTrack | null }

export interface CaptureOptions {
  kind: 'video' | 'audio';
  store: ChunkStore;
  recordingId: string;
  /** Recorded time of earlier parts (a resumed recording continues its clock). */
  offsetMs: number;
  width?: number;
  height?: number;
  onError: (message: string) => void;
}

export const VIDEO_MIME = 'video/webm;codecs=vp8,opus';
const FPS = 15;

interface Member { id: string; name: string; audioTrack: MediaStreamTrack | null; videoTrack: MediaStreamTrack | null; source: MediaStreamAudioSourceNode | null; gain: GainNode; video: HTMLVideoElement | null }

export class Capture {
  readonly #opts: CaptureOptions;
  readonly #ctx = new AudioContext({ sampleRate: 48_000 });
  readonly #mix: MediaStreamAudioDestinationNode;
  readonly #members = new Map<string, Member>();
  #state: RecordingState | null = null;
  #speakerId: string | null = null;
  #canvas: HTMLCanvasElement | null = null;
  #draw: ReturnType<typeof setInterval> | null = null;
  #recorder: MediaRecorder | null = null;
  #opus: { start(): Promise<void>; stop(): void; pause(): void; resume(): void; ondataavailable: (page: Uint8Array) => void; onstop: () => void } | null = null;
  #queue: Promise<void> = Promise.resolve();
  #runningSince: number | null = null;
  #elapsed = 0;
  #stopped: Promise<void> | null = null;
  /** How long each chunk took to become durable (ms): the crash-safety cost. */
  readonly writeMs: number[] = [];

  constructor(opts: CaptureOptions) {
    this.#opts = opts;
    this.#elapsed = opts.offsetMs;
    this.#mix = this.#ctx.createMediaStreamDestination();
  }

  /** Recorded time so far, pauses excluded (what the indicator and the storage check use). */
  get elapsedMs(): number { return this.#elapsed + (this.#runningSince !== null ? performance.now() - this.#runningSince : 0); }

  async start(): Promise<void> {
    await this.#ctx.resume();
    if (this.#opts.kind === 'video') {
      const canvas = document.createElement('canvas');
      canvas.width = this.#opts.width ?? 640;
      canvas.height = this.#opts.height ?? 360;
      // No alpha: with it Chromium records VP8 with an alpha layer (and files lose their cues).
      const g = canvas.getContext('2d', { alpha: false })!;
      this.#canvas = canvas;
      this.#paint(g);
      // A timer, not requestAnimationFrame: rAF stops entirely in a background tab.
      this.#draw = setInterval(() => this.#paint(g), 1000 / FPS);
      const stream = new MediaStream([...canvas.captureStream(FPS).getVideoTracks(), ...this.#mix.stream.getAudioTracks()]);
      const rec = new MediaRecorder(stream, { mimeType: VIDEO_MIME, videoBitsPerSecond: canvas.height > 360 ? 1_200_000 : 600_000, audioBitsPerSecond: 64_000 });
      rec.ondataavailable = (e) => { if (e.data.size > 0) this.#save(e.data.arrayBuffer().then((b) => new Uint8Array(b))); };
      rec.onerror = () => this.#opts.onError('MediaRecorder failed');
      this.#recorder = rec;
      rec.start(1000);
    } else {
      const [{ default: Recorder }, { default: encoderPath }] = await Promise.all([
        import('opus-recorder'),
        import('opus-recorder/dist/encoderWorker.min.js?url'),
      ]);
      const opus = new Recorder({
        encoderPath, encoderBitRate: 16_000, encoderSampleRate: 16_000, encoderApplication: 2048, numberOfChannels: 1, streamPages: true,
        sourceNode: this.#ctx.createMediaStreamSource(this.#mix.stream),
      });
      opus.ondataavailable = (page: Uint8Array) => this.#save(Promise.resolve(new Uint8Array(page)));
      this.#opus = opus;
      await opus.start();
    }
    this.#runningSince = performance.now();
  }

  /** What the consent rule needs (after every recording notification) and who is here. */
  update(state: RecordingState | null, members: CaptureMember[], speakerId: string | null): void {
    this.#state = state;
    this.#speakerId = speakerId;
    const seen = new Set<string>();
    for (const m of members) {
      seen.add(m.id);
      let member = this.#members.get(m.id);
      if (!member) {
        member = { id: m.id, name: m.name, audioTrack: null, videoTrack: null, source: null, gain: this.#ctx.createGain(), video: null };
        member.gain.connect(this.#mix);
        this.#members.set(m.id, member);
      }
      member.name = m.name;
      if (member.audioTrack !== m.audio) {
        member.source?.disconnect();
        member.source = m.audio ? this.#ctx.createMediaStreamSource(new MediaStream([m.audio])) : null;
        member.source?.connect(member.gain);
        member.audioTrack = m.audio;
      }
      if (member.videoTrack !== m.video && this.#opts.kind === 'video') {
        member.video?.remove();
        member.video = null;
        if (m.video) {
          const v = document.createElement('video');
          v.muted = true; v.playsInline = true; v.autoplay = true;
          v.srcObject = new MediaStream([m.video]);
          void v.play().catch(() => undefined);
          member.video = v;
        }
        member.videoTrack = m.video;
      }
      // Not consented: silent in the mix (set at once, not ramped: nothing may leak).
      member.gain.gain.setValueAtTime(isRecorded(state, m.id) ? 1 : 0, this.#ctx.currentTime);
    }
    for (const [id, member] of this.#members) {
      if (seen.has(id)) continue;
      member.source?.disconnect();
      member.gain.disconnect();
      member.video?.remove();
      this.#members.delete(id);
    }
  }

  pause(paused: boolean): void {
    if (paused && this.#runningSince !== null) { this.#elapsed += performance.now() - this.#runningSince; this.#runningSince = null; }
    if (!paused && this.#runningSince === null) this.#runningSince = performance.now();
    if (this.#recorder) { if (paused && this.#recorder.state === 'recording') this.#recorder.pause(); else if (!paused && this.#recorder.state === 'paused') this.#recorder.resume(); }
    if (this.#opus) { if (paused) this.#opus.pause(); else this.#opus.resume(); }
  }

  /** Stops and waits until the last chunk is stored. Idempotent. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      this.pause(true);
      await new Promise<void>((resolve) => {
        if (this.#recorder && this.#recorder.state !== 'inactive') { this.#recorder.onstop = () => resolve(); this.#recorder.stop(); }
        else if (this.#opus) { this.#opus.onstop = () => resolve(); this.#opus.stop(); }
        else resolve();
      });
      if (this.#draw) clearInterval(this.#draw);
      await this.#queue;
      await this.#opts.store.setDuration(this.#opts.recordingId, this.#elapsed);
      for (const m of this.#members.values()) { m.source?.disconnect(); m.video?.remove(); }
      this.#members.clear();
      await this.#ctx.close().catch(() => undefined);
    })();
    return this.#stopped;
  }

  #save(data: Promise<Uint8Array>): void {
    const elapsed = this.elapsedMs;
    this.#queue = this.#queue.then(async () => {
      const bytes = await data;
      const t0 = performance.now();
      await this.#opts.store.append(this.#opts.recordingId, bytes, elapsed);
      if (this.writeMs.length < 100_000) this.writeMs.push(performance.now() - t0);
    }).catch((e: unknown) => this.#opts.onError(e instanceof Error ? e.message : String(e)));
  }

  #paint(g: CanvasRenderingContext2D): void {
    const { width, height } = g.canvas;
    g.fillStyle = '#1b1f24';
    g.fillRect(0, 0, width, height);
    const ids = [...this.#members.keys()];
    for (const r of compositeLayout(ids, this.#speakerId, width, height)) {
      const m = this.#members.get(r.id)!;
      const shown = isRecorded(this.#state, m.id) && m.video && m.video.readyState >= 2;
      if (shown) {
        const f = fit(m.video!.videoWidth, m.video!.videoHeight, r);
        g.drawImage(m.video!, f.x, f.y, f.w, f.h);
      } else {
        g.fillStyle = '#2d333b';
        g.fillRect(r.x + 2, r.y + 2, r.w - 4, r.h - 4);
      }
      // Every tile carries the name (the only thing shown of someone not recorded).
      g.font = `${Math.max(12, Math.round(r.h / 12))}px sans-serif`;
      g.fillStyle = '#ffffff';
      g.fillText(m.name, r.x + 8, r.y + r.h - 10, r.w - 16);
    }
  }
}
