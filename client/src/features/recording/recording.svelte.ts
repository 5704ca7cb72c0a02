// Recording as the UI sees it: the meeting's recording state and our own consent (asked
// of everyone, default no, changeable at any time), and, in the recording moderator's
// browser, the capture, the crash-safe chunk store, recovery after a reload, export and
// upload to the archive. The heavy parts (capture, ffmpeg) load only when used.
import type { ArchivedRecording, Notification, RecordingKind, RecordingState } from '../../../../protocol/index.js';
import { isRecorded } from '../../../../protocol/recording.js';
import { i18n } from '../../lib/i18n.svelte.js';
import type { Requester } from '../../lib/signaling.js';
import type { Capture, CaptureMember } from './capture.js';
import { ChunkStore, recovery, type Recovery, type StoredRecording } from './chunk-store.js';
import type { ExportPhase } from './export.js';
import { bytesPerHour } from './layout.js';

export interface RecordingEnv {
  selfId(): string | null;
  roomId(): string;
  isModerator(): boolean;
  members(): CaptureMember[];
  speakerId(): string | null;
  announce(text: string, urgent?: boolean): void;
}

export type LocalPhase = 'idle' | 'starting' | 'recording' | 'stopping' | 'exporting' | 'ready' | 'uploading';

/** Storage the check asks for: two hours of the chosen kind. */
const PLANNED_HOURS = 2;

export class RecordingFeature {
  state = $state.raw<RecordingState | null>(null);
  phase = $state<LocalPhase>('idle');
  elapsedMs = $state(0);
  exportPhase = $state<ExportPhase | null>(null);
  exportProgress = $state(0);
  uploadProgress = $state(0);
  file = $state.raw<{ blob: Blob; url: string; name: string; recordingId: string; kind: RecordingKind; durationMs: number } | null>(null);
  archive = $state.raw<ArchivedRecording[]>([]);
  archiveToken = $state<string | null>(null);
  offer = $state.raw<Recovery>({ action: 'none' });
  /** Visible warnings for the recording moderator (background tab, storage). */
  warning = $state<string | null>(null);
  error = $state<string | null>(null);
  notice = $state<string | null>(null);
  /** This browser captures the recording. */
  iRecord = $state(false);
  /** Measured: chunk writes of the last recording and the last export (debug view, tests, benches). */
  stats = $state.raw<{ chunks: number; writeMeanMs: number; writeP95Ms: number; writeMaxMs: number; exportMs: number | null }>({ chunks: 0, writeMeanMs: 0, writeP95Ms: 0, writeMaxMs: 0, exportMs: null });

  #capture: Capture | null = null;
  #store: ChunkStore | null = null;
  #ticker: ReturnType<typeof setInterval> | null = null;
  readonly #transport: Requester;
  readonly #env: RecordingEnv;

  constructor(transport: Requester, env: RecordingEnv) {
    this.#transport = transport;
    this.#env = env;
  }

  get supported(): boolean { return typeof MediaRecorder !== 'undefined' && typeof indexedDB !== 'undefined'; }
  get myConsent(): boolean | undefined { const id = this.#env.selfId(); return id ? this.state?.consents[id] : undefined; }
  get recorded(): boolean { return isRecorded(this.state, this.#env.selfId() ?? ''); }
  /** The consent question is open for us (a recording runs and we have not answered). */
  get asking(): boolean { return this.state !== null && this.state.status !== 'interrupted' && this.myConsent === undefined; }

  load(state: RecordingState | null): void {
    this.state = state;
    if (this.#env.isModerator()) void this.#checkRecovery();
  }

  handle(n: Notification): boolean {
    if (n.notification !== 'recording') return false;
    const before = this.state;
    const next = n.data.recording;
    this.state = next;
    if (!before && next) this.#env.announce(i18n.t('recordingStarted', { name: next.byName }), true);
    if (before && !next) this.#env.announce(i18n.t('recordingEnded'));
    if (this.#capture) {
      if (!next || next.byPeerId !== this.#env.selfId()) void this.#finishCapture();
      else {
        this.#capture.update(next, this.#env.members(), this.#env.speakerId());
        this.#capture.pause(next.status !== 'recording');
      }
    }
    return true;
  }

  async consent(yes: boolean): Promise<void> {
    await this.#transport.request('recordingConsent', { consent: yes });
  }

  /** The composite's size for video recordings (1280x720 costs ~40 % more CPU here). */
  size = $state<'640x360' | '1280x720'>('640x360');

  async start(kind: RecordingKind): Promise<void> {
    this.error = null;
    if (!this.supported) return void (this.error = i18n.t('recordingUnsupported'));
    this.phase = 'starting';
    try {
      if (!(await this.#enoughStorage(kind))) { this.phase = 'idle'; return; }
      const { recording } = await this.#transport.request('recordingStart', { kind });
      const store = await this.#openStore();
      await store.begin({ id: recording.id, roomId: this.#env.roomId(), kind, mime: kind === 'video' ? 'video/webm' : 'audio/ogg' });
      await this.#run(recording, 0);
    } catch (e) {
      this.phase = 'idle';
      this.error = e instanceof Error ? e.message : String(e);
    }
  }

  async pause(paused: boolean): Promise<void> { await this.#transport.request('recordingPause', { paused }); }

  async stop(): Promise<void> {
    await this.#transport.request('recordingStop', {});
    await this.#finishCapture();
  }

  /** After a reload: continue the interrupted recording as a new part. */
  async resume(rec: StoredRecording): Promise<void> {
    this.offer = { action: 'none' };
    try {
      const { recording } = await this.#transport.request('recordingStart', { kind: rec.kind, resume: rec.id });
      const next = await (await this.#openStore()).nextPart(rec.id);
      await this.#run(recording, next.durationMs);
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
      this.offer = { action: 'finish', recording: rec };
    }
  }

  /** After a reload: end the interrupted recording and export what was stored. */
  async finish(rec: StoredRecording): Promise<void> {
    this.offer = { action: 'none' };
    if (this.state?.id === rec.id) await this.#transport.request('recordingStop', {}).catch(() => undefined);
    await (await this.#openStore()).finish(rec.id);
    await this.#export(rec.id);
  }

  async discard(rec: StoredRecording): Promise<void> {
    this.offer = { action: 'none' };
    await (await this.#openStore()).remove(rec.id);
  }

  /** Upload the exported file to the meeting's archive (moderators). */
  async upload(): Promise<void> {
    const file = this.file;
    if (!file) return;
    this.phase = 'uploading';
    this.uploadProgress = 0;
    this.error = null;
    try {
      const { uploadRecording } = await import('./upload.js');
      const grant = await this.#transport.request('recordingArchive', {});
      await uploadRecording({ base: location.origin, token: grant.token }, { recordingId: file.recordingId, kind: file.kind, filename: file.name, file: file.blob },
        (sent, total) => { this.uploadProgress = sent / total; });
      this.notice = i18n.t('uploadDone');
      this.#env.announce(i18n.t('uploadDone'));
      await this.refreshArchive();
    } catch (e) {
      this.error = i18n.t('uploadFailed', { reason: e instanceof Error ? e.message : String(e) });
    } finally {
      this.phase = 'ready';
    }
  }

  async refreshArchive(): Promise<void> {
    const grant = await this.#transport.request('recordingArchive', {});
    this.archiveToken = grant.token;
    this.archive = grant.items;
  }

  downloadUrl(item: ArchivedRecording): string {
    return `/api/recordings/${encodeURIComponent(item.id)}/file?token=${encodeURIComponent(this.archiveToken ?? '')}`;
  }

  async deleteArchived(item: ArchivedRecording): Promise<void> {
    const res = await fetch(`/api/recordings/${encodeURIComponent(item.id)}`, { method: 'DELETE', headers: { authorization: `Bearer ${this.archiveToken ?? ''}` } });
    if (!res.ok) this.error = `HTTP ${res.status}`;
    await this.refreshArchive();
  }

  /** The call ends: a running capture is stopped and kept (it can be exported after a rejoin). */
  async close(): Promise<void> {
    if (this.#capture) await this.#capture.stop().catch(() => undefined);
    this.#capture = null;
    this.iRecord = false;
    if (this.#ticker) clearInterval(this.#ticker);
    document.removeEventListener('visibilitychange', this.#onVisibility);
  }

  async #run(recording: RecordingState, offsetMs: number): Promise<void> {
    const { Capture } = await import('./capture.js');
    const store = await this.#openStore();
    this.elapsedMs = offsetMs;
    const [width, height] = this.size === '1280x720' ? [1280, 720] : [640, 360];
    const capture = new Capture({ kind: recording.kind, store, recordingId: recording.id, offsetMs, width, height, onError: (m) => { this.error = m; } });
    capture.update(recording, this.#env.members(), this.#env.speakerId());
    await capture.start();
    this.#capture = capture;
    this.iRecord = true;
    this.phase = 'recording';
    this.file = null;
    // Members and tracks come and go; consent changes arrive as notifications (applied at once).
    this.#ticker = setInterval(() => {
      capture.update(this.state, this.#env.members(), this.#env.speakerId());
      this.elapsedMs = capture.elapsedMs;
    }, 1000);
    document.addEventListener('visibilitychange', this.#onVisibility);
    void this.#watchStorage(recording.kind);
  }

  readonly #onVisibility = (): void => {
    if (!this.#capture) return;
    if (document.visibilityState === 'hidden' && this.state?.kind === 'video') {
      this.warning = i18n.t('recordingBackground');
      this.#env.announce(this.warning, true);
    } else if (this.warning === i18n.t('recordingBackground')) this.warning = null;
  };

  async #finishCapture(): Promise<void> {
    const capture = this.#capture;
    if (!capture) return;
    this.#capture = null;
    this.iRecord = false;
    this.phase = 'stopping';
    if (this.#ticker) clearInterval(this.#ticker);
    this.#ticker = null;
    document.removeEventListener('visibilitychange', this.#onVisibility);
    this.warning = null;
    await capture.stop();
    const w = [...capture.writeMs].sort((a, b) => a - b);
    this.stats = {
      chunks: w.length, writeMeanMs: w.reduce((a, b) => a + b, 0) / Math.max(1, w.length),
      writeP95Ms: w[Math.floor(w.length * 0.95)] ?? 0, writeMaxMs: w.at(-1) ?? 0, exportMs: null,
    };
    const store = await this.#openStore();
    const rec = (await store.list(this.#env.roomId())).find((r) => !r.finished);
    if (!rec) { this.phase = 'idle'; return; }
    await store.finish(rec.id);
    await this.#export(rec.id);
  }

  async #export(id: string): Promise<void> {
    const store = await this.#openStore();
    const rec = await store.get(id);
    if (!rec) return;
    this.phase = 'exporting';
    this.error = null;
    try {
      const t0 = performance.now();
      const { exportRecording } = await import('./export.js');
      const blob = await exportRecording(rec.kind, await store.parts(id), (p, progress) => { this.exportPhase = p; this.exportProgress = progress; });
      const date = new Date(rec.createdAt).toISOString().slice(0, 16).replace(/[T:]/g, '-');
      if (this.file) URL.revokeObjectURL(this.file.url);
      this.file = { blob, url: URL.createObjectURL(blob), name: `${rec.kind === 'video' ? 'aufzeichnung' : 'tonprotokoll'}-${date}.${rec.kind === 'video' ? 'webm' : 'ogg'}`, recordingId: id, kind: rec.kind, durationMs: rec.durationMs };
      this.stats = { ...this.stats, exportMs: performance.now() - t0 };
      this.phase = 'ready';
      this.#env.announce(i18n.t('exportDone'));
    } catch (e) {
      this.phase = 'idle';
      this.error = i18n.t('exportFailed', { reason: e instanceof Error ? e.message : String(e) });
    }
  }

  async #openStore(): Promise<ChunkStore> {
    this.#store ??= await ChunkStore.open();
    return this.#store;
  }

  async #checkRecovery(): Promise<void> {
    if (!this.supported || this.#capture) return;
    try {
      const local = await (await this.#openStore()).list(this.#env.roomId());
      this.offer = recovery(local, this.state, this.#env.selfId() ?? '');
    } catch { /* no IndexedDB (private mode): nothing to recover */ }
  }

  get #videoBps(): number { return this.size === '1280x720' ? 1_264_000 : 664_000; }

  async #enoughStorage(kind: RecordingKind): Promise<boolean> {
    if (!navigator.storage?.estimate) return true;
    await navigator.storage.persist?.().catch(() => false);
    const { quota = 0, usage = 0 } = await navigator.storage.estimate();
    const need = bytesPerHour(kind, this.#videoBps) * PLANNED_HOURS;
    if (quota - usage >= need) return true;
    this.error = i18n.t('recordingStorageLow', { need: String(Math.ceil(need / 1e6)), free: String(Math.floor((quota - usage) / 1e6)) });
    return false;
  }

  /** While recording: warn when less than 15 minutes fit, stop before the storage is full. */
  async #watchStorage(kind: RecordingKind): Promise<void> {
    while (this.#capture && navigator.storage?.estimate) {
      await new Promise((r) => setTimeout(r, 30_000));
      if (!this.#capture) return;
      const { quota = 0, usage = 0 } = await navigator.storage.estimate();
      const free = quota - usage;
      const perMinute = bytesPerHour(kind, this.#videoBps) / 60;
      if (free < perMinute * 2) { await this.stop().catch(() => undefined); return; }
      if (free < perMinute * 15) this.warning = i18n.t('recordingStorageWarn', { free: String(Math.floor(free / 1e6)) });
    }
  }
}
