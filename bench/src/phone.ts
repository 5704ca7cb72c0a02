// phone: 10 phone callers (sipp) and 2 browsers in one room for about a minute, against a
// server process of its own. Measures the gateway's CPU per caller (server process, all
// threads, with minus without callers), audio underruns per minute (the gateway's jitter
// buffers), and the mouth-to-ear delay through the phone leg: one caller echoes what it
// hears (sipp -rtp_echo), so a beep from browser A comes back to A through the whole
// chain (browser → SFU → gateway mix → G.711 → phone → G.711 → gateway → SFU → browser);
// each direction is taken as half of that loop. The other nine callers play recorded
// speech (sipp's g711a.pcap) and do not echo (no feedback).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { freePort, PCAP_DIR, runSipp, scenario, ACK, invite, inDialog, keys } from '../../tests/phone/sipp.js';
import { toneMic } from '../../tests/e2e/helpers.js';
import { percentile } from './metrics.js';
import { tree } from './proc.js';

export interface PhoneBenchResult {
  callers: number;
  browsers: number;
  windowS: number;
  cpuIdlePct: number;
  cpuCallsPct: number;
  cpuPerCallerPct: number;
  treeCpuPerCallerPct: number;
  underrunsPerMin: number;
  lostPerMin: number;
  loopMs: number[];
  loopP50Ms: number | null;
  oneWayP50Ms: number | null;
  oneWayP95Ms: number | null;
}

const ROOT = resolve(import.meta.dirname, '../..');

function procCpu(pid: number, includeChildren: boolean): number {
  const procs = includeChildren ? tree(pid) : tree(pid).filter((p) => p.pid === pid);
  return procs.reduce((s, p) => s + p.ticks, 0) / 100;
}

async function cpuOver(pid: number, ms: number): Promise<{ own: number; tree: number }> {
  const [o0, t0, at] = [procCpu(pid, false), procCpu(pid, true), Date.now()];
  await new Promise((r) => setTimeout(r, ms));
  const s = (Date.now() - at) / 1000;
  return { own: ((procCpu(pid, false) - o0) / s) * 100, tree: ((procCpu(pid, true) - t0) / s) * 100 };
}

async function joinRoom(browser: Browser, url: string, name: string, script: { content: string }): Promise<Page> {
  const ctx = await browser.newContext({ locale: 'en-US' });
  // tsx keeps function names with a helper the page does not have.
  await ctx.addInitScript({ content: 'window.__name = (f) => f;' });
  await ctx.addInitScript(script);
  const page = await ctx.newPage();
  await page.goto(url);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join meeting' }).click();
  await page.waitForFunction(() => (window as any).thinline?.call?.status === 'joined', undefined, { timeout: 30_000 });
  return page;
}

/** In page A: beeps every 2 s and detects each one coming back on the echoing caller's audio. */
async function measureLoop(page: Page, beeps: number, freq: number): Promise<number[]> {
  return page.evaluate(async ({ beeps, freq }) => {
    const w = window as any;
    const p = w.thinline.call.participants.find((x: any) => x.name.startsWith('Phone') && x.audioTrack && !x.micMuted && x.name.endsWith('0001'));
    if (!p) return [];
    const ctx = new AudioContext();
    const an = ctx.createAnalyser();
    an.fftSize = 512;
    an.smoothingTimeConstant = 0;
    ctx.createMediaStreamSource(new MediaStream([p.audioTrack])).connect(an);
    const bins = new Float32Array(an.frequencyBinCount);
    const bin = Math.round((freq / ctx.sampleRate) * an.fftSize);
    const level = () => { an.getFloatFrequencyData(bins); return Math.max(bins[bin - 1]!, bins[bin]!, bins[bin + 1]!); };
    // The level at the beep's frequency without a beep (speech, tones): the threshold sits 20 dB above.
    let base = -200;
    for (let i = 0; i < 50; i++) { base = Math.max(base, level()); await new Promise((r) => setTimeout(r, 10)); }
    const out: number[] = [];
    for (let k = 0; k < beeps; k++) {
      const emitted = w.__beep(150);
      let seen: number | null = null;
      while (performance.now() - emitted < 1500) {
        if (performance.now() > emitted && level() > base + 20) { seen = performance.now(); break; }
        await new Promise((r) => setTimeout(r, 2));
      }
      if (seen !== null) out.push(seen - emitted);
      await new Promise((r) => setTimeout(r, 2000 - Math.min(1500, performance.now() - emitted)));
    }
    await ctx.close();
    return out;
  }, { beeps, freq });
}

export async function runPhoneBench(opts: { log: (l: string) => void; callers?: number; windowS?: number }): Promise<PhoneBenchResult> {
  const callers = opts.callers ?? 10;
  const windowS = opts.windowS ?? 40;
  const [httpPort, sipPort] = [await freePort(), await freePort()];
  const token = 'bench-token';
  const server: ChildProcess = spawn('node', ['--import', 'tsx', 'server/src/main.ts'], {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, THINLINE_PORT: String(httpPort), THINLINE_RTC_PORT: '0', THINLINE_SIP_PORT: String(sipPort), THINLINE_SIP_TCP: '0', THINLINE_DATA_DIR: mkdtempSync(join(tmpdir(), 'tl-phone-bench-')), THINLINE_METRICS_TOKEN: token, THINLINE_LOG_LEVEL: 'warn', THINLINE_SIP_MAX_CALLS: '50' },
  });
  const base = `http://127.0.0.1:${httpPort}`;
  let browser: Browser | null = null;
  try {
    for (let i = 0; ; i++) {
      if (await fetch(`${base}/api/health`).then((r) => r.ok, () => false)) break;
      if (i > 300) throw new Error('server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const room = (await (await fetch(`${base}/api/rooms`, { method: 'POST', body: JSON.stringify({ name: 'phone bench', lobby: false }) })).json()) as { roomId: string; moderatorUrl: string; participantUrl: string; dialIn: { id: string; pin: string } };
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required'] });
    const beepHz = 2500;
    const a = await joinRoom(browser, room.moderatorUrl, 'Browser A', toneMic(beepHz, { beep: true }));
    await joinRoom(browser, room.participantUrl, 'Browser B', toneMic(500, { level: 0.2 }));
    opts.log('[bench] phone: 2 browsers joined; measuring the idle server for 10 s');
    const idle = await cpuOver(server.pid!, 10_000);
    const target = { host: '127.0.0.1', port: sipPort };
    const dial = `${room.dialIn.id}#${room.dialIn.pin}#*6`;
    const holdMs = (windowS + 40) * 1000;
    // One caller echoes (the latency probe); the others speak recorded speech on a loop.
    const probe = runSipp(target, scenario('probe', [invite(undefined, '+4900000001'), '<recv response="100" optional="true"/>', '<recv response="200"/>', ACK('+4900000001'),
      '<pause milliseconds="300"/>', keys(dial, 250), `<pause milliseconds="${holdMs}"/>`, inDialog('BYE', 2, '+4900000001'), '<recv response="200"/>'].join('\n')), { calls: 1, timeoutS: holdMs / 1000 + 60, extraArgs: ['-rtp_echo'] });
    const speech = Array.from({ length: Math.ceil(holdMs / 8000) }, () => `<nop><action><exec play_pcap_audio="${PCAP_DIR}/g711a.pcap"/></action></nop>\n<pause milliseconds="8000"/>`).join('\n');
    const talkers = runSipp(target, scenario('talkers', [invite(), '<recv response="100" optional="true"/>', '<recv response="200"/>', ACK(),
      '<pause milliseconds="300"/>', keys(dial, 250), speech, inDialog('BYE', 2), '<recv response="200"/>'].join('\n')), { calls: callers - 1, rate: 5, timeoutS: holdMs / 1000 + 90 });
    for (let i = 0; ; i++) {
      const info = (await (await fetch(`${base}/api/rooms/${room.roomId}`)).json()) as { participants: number };
      if (info.participants >= callers + 2) break;
      if (i > 600) throw new Error(`only ${info.participants - 2} of ${callers} callers joined`);
      await new Promise((r) => setTimeout(r, 100));
    }
    opts.log(`[bench] phone: ${callers} callers joined; letting their welcome prompts end`);
    await new Promise((r) => setTimeout(r, 12_000));
    const metrics = async () => ((await (await fetch(`${base}/api/metrics`, { headers: { authorization: `Bearer ${token}` } })).json()) as { phone: { media: { underruns: number; lost: number }[] } }).phone.media;
    const m0 = await metrics();
    opts.log(`[bench] phone: measuring ${windowS} s (CPU, underruns, a beep loop every 2 s)`);
    const [cpu, loop] = await Promise.all([cpuOver(server.pid!, windowS * 1000), measureLoop(a, Math.floor(windowS / 2) - 1, beepHz)]);
    const m1 = await metrics();
    const sum = (ms: { underruns: number; lost: number }[], k: 'underruns' | 'lost') => ms.reduce((s, x) => s + x[k], 0);
    const perMin = (k: 'underruns' | 'lost') => ((sum(m1, k) - sum(m0, k)) / windowS) * 60;
    server.kill('SIGTERM');
    await Promise.all([probe, talkers].map((p) => p.catch(() => undefined)));
    const sorted = [...loop].sort((x, y) => x - y);
    return {
      callers, browsers: 2, windowS,
      cpuIdlePct: idle.own, cpuCallsPct: cpu.own,
      cpuPerCallerPct: (cpu.own - idle.own) / callers, treeCpuPerCallerPct: (cpu.tree - idle.tree) / callers,
      underrunsPerMin: perMin('underruns'), lostPerMin: perMin('lost'),
      loopMs: loop, loopP50Ms: percentile(sorted, 50) ?? null,
      oneWayP50Ms: loop.length ? (percentile(sorted, 50)! / 2) : null, oneWayP95Ms: loop.length ? (percentile(sorted, 95)! / 2) : null,
    };
  } finally {
    await browser?.close();
    if (server.exitCode === null) server.kill('SIGKILL');
  }
}

export function phoneSvg(r: PhoneBenchResult): string {
  const w = 600; const h = 220; const max = Math.max(500, ...r.loopMs);
  const bars = r.loopMs.map((v, i) => `<rect x="${40 + i * ((w - 60) / Math.max(1, r.loopMs.length))}" y="${h - 30 - (v / max) * (h - 60)}" width="${Math.max(2, (w - 60) / Math.max(1, r.loopMs.length) - 4)}" height="${(v / max) * (h - 60)}" fill="#2f6fb0"/>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="12"><text x="10" y="16">Beep loop browser → phone → browser (ms), one bar per beep; one way ≈ half</text>${bars}<line x1="40" x2="${w - 20}" y1="${h - 30}" y2="${h - 30}" stroke="#333"/><line x1="40" x2="${w - 20}" y1="${h - 30 - (500 / max) * (h - 60)}" y2="${h - 30 - (500 / max) * (h - 60)}" stroke="#c33" stroke-dasharray="4"/><text x="${w - 150}" y="${h - 34 - (500 / max) * (h - 60)}" fill="#c33">500 ms loop = 250 ms each way</text></svg>`;
}
