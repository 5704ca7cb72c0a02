import { spawnSync } from 'node:child_process';
import { test as base, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';

/** `join(url, name)` opens a participant; every context is closed after the test. */
export const test = base.extend<{ join: (url: string, name: string, opts?: JoinOptions) => Promise<Page> }>({
  join: async ({ browser }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async (url, name, opts) => {
      const page = await joinAs(browser, url, name, opts);
      contexts.push(page.context());
      return page;
    });
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
  },
});
export { expect };

export interface CreatedRoom { roomId: string; participantUrl: string; moderatorUrl: string }

export async function createRoom(baseURL: string, opts: { lobby?: boolean } = {}): Promise<CreatedRoom> {
  const res = await fetch(`${baseURL}/api/rooms`, { method: 'POST', body: JSON.stringify({ name: 'E2E', lobby: opts.lobby ?? false }) });
  expect(res.status).toBe(201);
  return (await res.json()) as CreatedRoom;
}

export interface JoinOptions {
  init?: (() => void) | { content: string };
  expectStatus?: string;
  /**
   * false: turns the camera off once joined, as council members often do. Tests of
   * committee work use it for everyone but the chair: four cameras (4 encoders, 12 decoders)
   * on the 2-core CI machine made those tests take a minute.
   */
  camera?: boolean;
}

/** Opens a fresh browser context, goes through pre-join and waits until joined. */
export async function joinAs(browser: Browser, url: string, name: string, opts: JoinOptions = {}): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-US' });
  if (opts.init) await context.addInitScript(opts.init as () => void);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[${name}] pageerror`, e));
  await page.goto(url);
  await page.getByLabel('Your name').fill(name);
  await expect(page.locator('video')).toBeVisible();
  await page.getByRole('button', { name: 'Join meeting' }).click();
  await expect.poll(() => page.evaluate(() => (window as any).thinline?.call?.status)).toBe(opts.expectStatus ?? 'joined');
  if (opts.camera === false) {
    await page.getByRole('button', { name: 'Turn camera off' }).click();
    await expect(page.getByRole('button', { name: 'Turn camera on' })).toBeVisible();
  }
  return page;
}

/** An init script: every track getUserMedia hands out is kept in window.__tracks. */
export function recordTracks(): void {
  const tracks: MediaStreamTrack[] = [];
  (window as any).__tracks = tracks;
  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await original(constraints);
    tracks.push(...stream.getTracks());
    return stream;
  };
}

export async function trackStates(page: Page): Promise<string[]> {
  return page.evaluate(() => ((window as any).__tracks as MediaStreamTrack[]).map((t) => `${t.kind}:${t.readyState}`));
}

export interface InboundStat { kind: string; framesDecoded: number; packetsReceived: number; frameWidth: number; frameHeight: number; concealedSamples: number; totalSamplesReceived: number }

export async function inboundStats(page: Page): Promise<InboundStat[]> {
  return page.evaluate(async () => {
    const report: RTCStatsReport | null = await (window as any).thinline.call.media.recvStats();
    const out: InboundStat[] = [];
    report?.forEach((s: any) => {
      if (s.type === 'inbound-rtp') {
        out.push({
          kind: s.kind, framesDecoded: s.framesDecoded ?? 0, packetsReceived: s.packetsReceived ?? 0, frameWidth: s.frameWidth ?? 0, frameHeight: s.frameHeight ?? 0,
          concealedSamples: s.concealedSamples ?? 0, totalSamplesReceived: s.totalSamplesReceived ?? 0,
        });
      }
    });
    return out;
  });
}

export async function totals(page: Page): Promise<{ videoFrames: number; audioPackets: number }> {
  const stats = await inboundStats(page);
  return {
    videoFrames: stats.filter((s) => s.kind === 'video').reduce((a, s) => a + s.framesDecoded, 0),
    audioPackets: stats.filter((s) => s.kind === 'audio').reduce((a, s) => a + s.packetsReceived, 0),
  };
}

/** Video frames decoded and audio packets received both keep increasing. */
export async function expectMediaFlowing(page: Page): Promise<void> {
  const before = await totals(page);
  await expect.poll(async () => {
    const now = await totals(page);
    return now.videoFrames > before.videoFrames + 5 && now.audioPackets > before.audioPackets + 5;
  }, { timeout: 15_000 }).toBe(true);
}

/** Moves focus with Tab (and only Tab) until `match` is focused, then returns; fails after `max` presses. */
export async function tabTo(page: Page, match: (el: { text: string; label: string; tag: string; type: string }) => boolean, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const el = await page.evaluate(() => {
      const a = document.activeElement as HTMLElement | null;
      return { text: (a?.textContent ?? '').trim(), label: a?.getAttribute('aria-label') ?? '', tag: a?.tagName ?? '', type: a?.getAttribute('type') ?? '' };
    });
    if (match(el)) return;
  }
  throw new Error('tabTo: the control was not reachable with the Tab key');
}

/** Runs a request as this page's client would (tests of forged requests). */
export async function rawRequest(page: Page, method: string, data: unknown): Promise<{ ok: boolean; code?: string }> {
  return page.evaluate(async ([m, d]) => {
    try { await (window as any).thinline.call.signaling.request(m, d); return { ok: true }; } catch (e: any) { return { ok: false, code: e.code as string }; }
  }, [method, data] as const);
}

/**
 * An init script: the microphone is a pure tone of `freq` Hz (WebAudio), nothing else.
 * `beep`: silent until the page calls `window.__beep(ms)` (which returns when the beep
 * starts, in performance.now() time): the phone bench's latency probe.
 */
export function toneMic(freq: number, opts: { beep?: boolean; level?: number } = {}): { content: string } {
  return { content: `(() => {
    const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (c) => {
      const s = await original(c);
      if (c && c.audio) {
        const ctx = new AudioContext();
        const osc = ctx.createOscillator(); osc.frequency.value = ${freq};
        const gain = ctx.createGain(); gain.gain.value = ${opts.beep ? 0 : (opts.level ?? 0.25)};
        const dest = ctx.createMediaStreamDestination();
        osc.connect(gain).connect(dest); osc.start();
        ${opts.beep ? 'window.__beep = (ms) => { const t = ctx.currentTime + 0.05; gain.gain.setValueAtTime(0.6, t); gain.gain.setValueAtTime(0, t + ms / 1000); return performance.now() + 50; };' : ''}
        for (const t of s.getAudioTracks()) { s.removeTrack(t); t.stop(); }
        s.addTrack(dest.stream.getAudioTracks()[0]);
      }
      return s;
    };
  })();` };
}

/** Energy of `freq` relative to the signal's total energy (Goertzel over the whole file). */
export function toneShare(samples: Float32Array, rate: number, freq: number): number {
  const k = 2 * Math.cos((2 * Math.PI * freq) / rate);
  const block = rate / 10;
  let tone = 0;
  let total = 0;
  for (let start = 0; start + block <= samples.length; start += block) {
    let s1 = 0; let s2 = 0;
    for (let i = start; i < start + block; i++) { const s0 = samples[i]! + k * s1 - s2; s2 = s1; s1 = s0; total += samples[i]! ** 2; }
    tone += (s1 * s1 + s2 * s2 - k * s1 * s2) / (block / 2);
  }
  return total > 0 ? tone / total : 0;
}

/** Decodes a media file's audio to 16 kHz mono float samples with Debian's ffmpeg. */
export function pcm(path: string): Float32Array {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', path, '-vn', '-ac', '1', '-ar', '16000', '-f', 'f32le', '-'], { maxBuffer: 64 * 1024 * 1024 });
  expect(r.status, String(r.stderr)).toBe(0);
  return new Float32Array(r.stdout.buffer, r.stdout.byteOffset, r.stdout.byteLength / 4);
}
