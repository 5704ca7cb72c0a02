// Runs one scenario end to end on the emulated network: server in its namespace, one
// Chromium per participant namespace, profiles applied per participant, metrics
// collected from the pages and /proc. Everything is torn down in `finally`, and the
// netem topology also on process exit, so a crash leaves no namespaces behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { loadProfile, type Profile } from '../../netem/src/profile.js';
import { apply, control as shaperControl, down, up, type Topology } from '../../netem/src/topology.js';
import { atBest, atLowest, firstOther, participantMetrics, summarize, timeUntil, type PageRecord, type ParticipantMetrics, type Sample } from './metrics.js';
import { pageKitScript } from './pagekit.js';
import { joinAs, pageState, preconditionsHold, publishedAt } from './pages.js';
import { ProcSampler, SystemCpuSampler } from './proc.js';
import { preconditionFailures, rungChanges, videoShownPct, type RungChange } from './step-metrics.js';
import type { Scenario } from './scenarios.js';

const ROOT = resolve(import.meta.dirname, '../..');
export const PORT = 8080;

export interface ScenarioResult {
  scenario: string;
  description: string;
  startedAt: string;
  durationS: number;
  participants: ParticipantMetrics[];
  server: { cpuPctAvg: number; cpuPctMax: number; rssMbMax: number; samples: { t: number; cpuPct: number; rssMb: number }[] };
  summary: Record<string, number | null>;
  /** The whole machine: share of seconds with all cores >= 95 % busy (over 10 %: rig-bound). */
  rig: { saturatedPct: number; busyPctAvg: number; bound: boolean };
  /** Per participant and direction: packets, random losses, bottleneck queue drops (the shaper's counters). */
  links?: Record<string, LinkDrops>;
  /**
   * Whole run (t: seconds after the measured window began; negative during the joins):
   * packets the shaper released over 50 ms late (the machine starved it) and silences of
   * the server over 250 ms (nothing to anyone: the server or its host stalled).
   */
  stalls?: { late: Stall[]; serverSilences: Stall[]; queued?: (Stall & { link: string })[] };
  /** Each participant's camera ladder over time (rung and reason changes). */
  rungs: Record<string, RungChange[]>;
  /** Step scenarios: why the run does not measure what it claims (empty: valid). */
  preconditionFailures?: string[];
  /** Everything the pages recorded, for digging into outliers (written to raw-*.json). */
  raw?: { name: string; openedAt: number; record: PageRecord; server?: ServerTrace[]; /** What crossed the participant's downlink per 100 ms, by payload type (the shaper's trace, epoch ms). */ downClasses?: unknown }[];
}

let cleanupRegistered = false;
function registerCleanup(): void {
  if (cleanupRegistered) return;
  cleanupRegistered = true;
  const bail = () => { try { down(); } catch { /* best effort */ } };
  process.on('exit', bail);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => { bail(); process.exit(130); });
}

/** How long a step scenario waits for its preconditions before the timeline starts. */
const SETTLE_MAX_MS = 30_000;

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Our server inside the topology's server namespace (also used by the netem tests). */
export function startServerIn(t: Topology, dataDir: string, metricsToken?: string): ChildProcess {
  const env = {
    ...(metricsToken ? { THINLINE_METRICS_TOKEN: metricsToken } : {}),
    ...process.env, THINLINE_HOST: '0.0.0.0', THINLINE_PORT: String(PORT), THINLINE_PUBLIC_URL: `http://${t.server.ip}:${PORT}`,
    THINLINE_RTC_LISTEN_IP: t.server.ip, THINLINE_RTC_PORT: '40000', THINLINE_DATA_DIR: dataDir, THINLINE_LOG_LEVEL: 'warn',
  };
  // The SFU stands for a server machine of its own: it is not starved by the browsers.
  return spawn('nice', ['-n', '-10', 'ip', 'netns', 'exec', t.server.ns, process.execPath, '--import', 'tsx', join(ROOT, 'server/src/main.ts')], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * The bench cameras' frame rate (the canvas camera of pagekit.ts). Three Chromiums encoding
 * simulcast at 30 fps, each decoding two more, saturate this 2-core machine (all cores busy
 * in up to 61 % of a step-down run's seconds); 15 fps halves the encoding and decoding work.
 * Layer sizes and bitrates stay as the product chooses them. BENCH_CAMERA_FPS=30 for the old rig.
 */
export const CAMERA_FPS = Number(process.env.BENCH_CAMERA_FPS ?? 15);

/** Chromium inside a participant's namespace, trusting our (plain HTTP) origin for media. */
export async function launchIn(ns: string, dir: string, origin: string): Promise<Browser> {
  const wrapper = join(dir, `chromium-${ns}.sh`);
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${ns} ${process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'} "$@"\n`);
  chmodSync(wrapper, 0o755);
  return chromium.launch({
    executablePath: wrapper,
    args: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--unsafely-treat-insecure-origin-as-secure=${origin}`, '--autoplay-policy=no-user-gesture-required'],
  });
}

/** A timeline's first step as a fixed link: held until measuring starts. */
function initial(profile: Profile): Profile {
  return profile.timeline ? { name: `${profile.name}-start`, description: 'first step', link: profile.timeline[0]!.link } : profile;
}

export async function runScenario(scenario: Scenario, log: (line: string) => void = console.log): Promise<ScenarioResult> {
  registerCleanup();
  const dir = mkdtempSync(join(tmpdir(), 'thinline-bench-'));
  const browsers: Browser[] = [];
  let server: ChildProcess | null = null;
  try {
    const t = await up(scenario.participants.length);
    const profiles = scenario.participants.map((p) => loadProfile(p.profile));
    for (const [i, p] of t.participants.entries()) await apply(t, p.name, initial(profiles[i]!));
    // The SFU's own decisions are read from the metrics endpoint over the unshaped control
    // network: the stepped participant's view of them arrives over its congested link.
    const metricsToken = randomBytes(16).toString('hex');
    server = startServerIn(t, join(dir, 'data'), metricsToken);
    const control = `http://${t.server.controlIp}:${PORT}`;
    await waitFor('server', async () => (await fetch(`${control}/api/health`)).ok, 30_000);
    const sampler = new ProcSampler(server.pid!);
    const system = new SystemCpuSampler();
    const room = (await (await fetch(`${control}/api/rooms`, { method: 'POST', body: JSON.stringify({ name: scenario.name, lobby: false }) })).json()) as { participantUrl: string };
    const origin = `http://${t.server.ip}:${PORT}`;

    const pages: { page: Page; openedAt: number; name: string }[] = [];
    // Every browser runs before anyone opens the link (as a user's browser is already open):
    // starting a Chromium costs the rig CPU, which otherwise fell into the
    // previous participant's join.
    const blank: Page[] = [];
    for (const host of t.participants) {
      const browser = await launchIn(host.ns, dir, origin);
      browsers.push(browser);
      const page = await (await browser.newContext({ viewport: { width: 960, height: 540 }, locale: 'en-US' })).newPage();
      await page.addInitScript({ content: pageKitScript(CAMERA_FPS) });
      blank.push(page);
    }
    for (const [i, page] of blank.entries()) {
      const name = `P${i + 1}`;
      const openedAt = Date.now();
      await page.goto(room.participantUrl, { timeout: 60_000 });
      await joinAs(page, name);
      pages.push({ page, openedAt, name });
      log(`  ${scenario.name}: ${name} (${scenario.participants[i]!.profile}) joining`);
    }
    for (const { page, name } of pages) {
      await waitFor(`${name} to see video`, () => page.evaluate(() => ((window as unknown as { __bench: PageRecord }).__bench.firstFrameAt > 0)), 60_000)
        .catch(async (error: Error) => { throw new Error(`${error.message}; page state: ${await pageState(page)}`); });
    }

    // A step is only worth measuring from a settled call: on the loaded rig the joins push
    // cameras down (CPU) for a while, and runs whose cameras were still climbing back at the
    // step were invalid (2 of 3 on 2026-12-06). Wait for the preconditions (bounded); the
    // verdict at the step itself still decides.
    if (scenario.steps) {
      const { participant } = scenario.steps;
      const waited = Date.now();
      await waitFor('the call to settle before the step', () => preconditionsHold(pages, participant), SETTLE_MAX_MS)
        .then(() => log(`  ${scenario.name}: settled after ${Math.round((Date.now() - waited) / 1000)} s`))
        .catch(() => log(`  ${scenario.name}: not settled within ${SETTLE_MAX_MS / 1000} s; measuring anyway (the preconditions at the step decide)`));
    }
    const decisions = new DecisionPoller(control, metricsToken);
    const start = Date.now();
    for (const [i, p] of t.participants.entries()) if (profiles[i]!.timeline) await apply(t, p.name, profiles[i]!);
    for (let s = 0; s < scenario.durationS; s += 5) {
      await new Promise((r) => setTimeout(r, Math.min(5, scenario.durationS - s) * 1000));
      log(`  ${scenario.name}: ${Math.min(scenario.durationS, s + 5)}/${scenario.durationS} s`);
    }
    const end = Date.now();
    // What the links dropped (random loss vs a full bottleneck queue), whole run, join included.
    const counters = await shaperControl(t, { cmd: 'counters' }).catch(() => null);
    const links = counters ? linkDrops(counters.hosts as Record<string, ShaperHost>, t) : {};
    // What crossed each downlink by kind (payload type), for traces of a step; not judged.
    const classes = await shaperControl(t, { cmd: 'classes' }).catch(() => null);
    const stalls = counters?.timing ? relativeStalls(counters.timing as ShaperTiming, pages[0]?.openedAt ?? start, start, new Map(t.participants.map((p, i) => [p.name, `P${i + 1}`]))) : undefined;
    decisions.stop();
    sampler.stop();
    system.stop();

    const participants: ParticipantMetrics[] = [];
    const raw: NonNullable<ScenarioResult['raw']> = [];
    // When each page's camera was first published: joins count from the first other one.
    const published = await Promise.all(pages.map(({ page }) => publishedAt(page)));
    for (const [i, { page, openedAt, name }] of pages.entries()) {
      const record = await page.evaluate(() => (window as unknown as { __bench: PageRecord }).__bench);
      const peerId = record.samples.find((x) => x.self)?.self ?? null;
      const linkClasses = (classes?.hosts as Record<string, unknown> | undefined)?.[t.participants[i]!.name];
      raw.push({ name, openedAt, record, server: decisions.traceFor(peerId), ...(linkClasses ? { downClasses: linkClasses } : {}) });
      const marks = (record as unknown as { marks?: [string, number][]; nav?: number });
      if (marks.marks && marks.nav) log(`  ${name} join milestones (ms after link opened): ${marks.marks.map(([n, t]) => `${n.replace('thinline:', '')} ${Math.round(marks.nav! + t - openedAt)}`).join(', ')}, first frame ${record.firstFrameAt - openedAt}`);
      // What the page fetched over its link after the join (it shares the link with the media).
      const late = await lateDownloads(page, marks.marks?.find(([n]) => n === 'thinline:joined')?.[1]);
      if (late.length > 0) log(`  ${name} downloads after joining (KB at ms after joined): ${late.map(([n, kb, at]) => `${n} ${kb} at ${at}`).join(', ')}`);
      const steps = scenario.steps?.participant === i ? { downAt: start + scenario.steps.downAtS * 1000, upAt: start + scenario.steps.upAtS * 1000 } : undefined;
      // The link's own round trip: its one-way delay both ways (the server side is not shaped).
      const link = initial(profiles[i]!).link;
      const m = participantMetrics({
        name, profile: scenario.participants[i]!.profile, record, openedAt, start, end, steps,
        videoFrom: firstOther(published, i),
        judgeFrom: start + (scenario.judgeAfterS ?? 0) * 1000, baseRttMs: 2 * (link?.delayMs ?? 0),
      });
      if (steps) {
        // Adaptation is what the SFU decided (the page learns it later, over the narrowed link).
        const server = decisions.samplesFor(m.peerId);
        m.adaptClientMs = m.adaptMs ?? null;
        m.recoverClientMs = m.recoverMs ?? null;
        m.adaptMs = timeUntil(server, steps.downAt, atLowest);
        m.recoverMs = timeUntil(server, steps.upAt, atBest);
      }
      participants.push(m);
    }
    const cpu = sampler.samples.map((x) => x.cpuPct);
    const summary = summarize(participants);
    let failures: string[] | undefined;
    if (scenario.steps) {
      const { downAtS, upAtS, participant } = scenario.steps;
      failures = preconditionFailures(raw.map((r, i) => ({ name: r.name, stepped: i === participant, samples: r.record.samples })), start + downAtS * 1000);
      summary.minPreconditionsHeld = failures.length ? 0 : 1;
      // What the stepped user sees once adapted: some video (lowest layer) in every second.
      summary.minVideoShownDuringStepPct = videoShownPct(raw[participant]!.record.samples, start + downAtS * 1000 + 3000, start + upAtS * 1000);
      if (failures.length) log(`  ${scenario.name}: INVALID run, preconditions before the step do not hold: ${failures.join('; ')}`);
    }
    const inWindow = system.samples.filter((x) => x.at >= start && x.at <= end);
    const rig = {
      saturatedPct: system.saturatedPct(start, end), busyPctAvg: inWindow.reduce((a, x) => a + x.busyPct, 0) / Math.max(1, inWindow.length), bound: system.saturatedPct(start, end) > 10,
    };
    return {
      scenario: scenario.name, description: scenario.description, startedAt: new Date(start).toISOString(), durationS: scenario.durationS, participants,
      server: {
        cpuPctAvg: cpu.reduce((a, b) => a + b, 0) / Math.max(1, cpu.length), cpuPctMax: Math.max(0, ...cpu),
        rssMbMax: Math.max(0, ...sampler.samples.map((x) => x.rssMb)), samples: sampler.samples.map((x) => ({ t: (x.at - start) / 1000, cpuPct: x.cpuPct, rssMb: x.rssMb })),
      },
      summary, rig, links, ...(stalls ? { stalls } : {}), rungs: Object.fromEntries(raw.map((r) => [r.name, rungChanges(r.record.samples, start)])),
      ...(failures ? { preconditionFailures: failures } : {}),
      raw,
    };
  } finally {
    for (const b of browsers) await b.close().catch(() => undefined);
    server?.kill('SIGTERM');
    down();
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Stall { t: number; ms: number }
interface ShaperTiming { late: { at: number; ms: number }[]; serverSilences: { at: number; ms: number }[]; queued?: { at: number; ms: number; link: string }[] }

/**
 * The shaper's timing events since the first page opened, in seconds relative to `start`;
 * queue events name the link by participant label (P1 down, ...).
 */
function relativeStalls(timing: ShaperTiming, from: number, start: number, labels: ReadonlyMap<string, string>): NonNullable<ScenarioResult['stalls']> {
  const rel = (list: { at: number; ms: number }[]) => list.filter((e) => e.at >= from).map((e) => ({ t: Math.round((e.at - start) / 100) / 10, ms: e.ms }));
  const queued = (timing.queued ?? []).filter((e) => e.at >= from).map((e) => {
    const [host = '', dir = ''] = e.link.split(' ');
    return { t: Math.round((e.at - start) / 100) / 10, ms: e.ms, link: `${labels.get(host) ?? host} ${dir}` };
  });
  return { late: rel(timing.late), serverSilences: rel(timing.serverSilences), queued };
}

interface PipeCount { packets: number; lost: number; queueDrops: number }
interface ShaperHost { up: PipeCount; down: PipeCount }
export interface LinkDrops { up: PipeCount; down: PipeCount }

/** The shaper's counters by participant name (P1.., as in the report). */
function linkDrops(hosts: Record<string, ShaperHost>, t: Topology): Record<string, LinkDrops> {
  const pick = (c: PipeCount): PipeCount => ({ packets: c.packets, lost: c.lost, queueDrops: c.queueDrops });
  return Object.fromEntries(t.participants.flatMap((p, i) => {
    const h = hosts[p.name];
    return h ? [[`P${i + 1}`, { up: pick(h.up), down: pick(h.down) }]] : [];
  }));
}

/** Polls the server's allocation decisions (metrics endpoint) every 200 ms. */
type Subscriber = Omit<ServerTrace, 'at'> & { peerId: string; consumers: Sample['layers'] };

class DecisionPoller {
  readonly #samples: { at: number; subscribers: Subscriber[] }[] = [];
  readonly #timer: NodeJS.Timeout;

  constructor(control: string, token: string) {
    this.#timer = setInterval(() => {
      void fetch(`${control}/api/metrics`, { headers: { authorization: `Bearer ${token}` } })
        .then((r) => r.json() as Promise<{ rooms: { subscribers: Subscriber[] }[] }>)
        .then((j) => this.#samples.push({ at: Date.now(), subscribers: j.rooms.flatMap((r) => r.subscribers) }))
        .catch(() => undefined);
    }, 200);
  }

  /** One subscriber's decisions as page-like samples (layers only). */
  samplesFor(peerId: string | null): Sample[] {
    return this.#samples.map((s) => ({ at: s.at, video: [], audio: [], sentBytes: 0, layers: s.subscribers.find((x) => x.peerId === peerId)?.consumers ?? [] }));
  }

  /** One subscriber's budget and what it was decided from, per poll (raw-*.json, for digging). */
  traceFor(peerId: string | null): ServerTrace[] {
    return this.#samples.flatMap((s) => {
      const x = s.subscribers.find((y) => y.peerId === peerId);
      return x ? [{ at: s.at, budgetBps: x.budgetBps, linkBps: x.linkBps, capBps: x.capBps, estimate: x.estimate }] : [];
    });
  }

  stop(): void { clearInterval(this.#timer); }
}

/** The server's view of one subscriber's downlink at one poll (see RoomAllocator.snapshot). */
export interface ServerTrace {
  at: number; budgetBps: number; linkBps: number; capBps: number | null;
  estimate: { readingBps: number | null; sentBps: number | null; queueMs: number | null; failedLevelBps: number | null; holdMs: number; keyframeLinkBps: number; cleanMs: number; linkProbes?: number; rtxShare?: number | null; nacks?: { video: number; audio: number }; resendShare?: number | null };
}

/** Resources a page fetched after `joinedAt` (page time, ms): [file, KB, ms after the join]. */
async function lateDownloads(page: Page, joinedAt: number | undefined): Promise<[string, number, number][]> {
  if (joinedAt === undefined) return [];
  const entries = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => {
    const r = e as PerformanceResourceTiming;
    return [r.name, r.transferSize, r.startTime] as [string, number, number];
  })).catch(() => [] as [string, number, number][]);
  return entries.filter(([, size, at]) => at >= joinedAt && size > 0)
    .map(([name, size, at]): [string, number, number] => [name.split('/').pop() ?? name, Math.round(size / 102.4) / 10, Math.round(at - joinedAt)]);
}
