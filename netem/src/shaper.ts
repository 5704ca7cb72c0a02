// The userspace shaper: a router between TUN devices (fd 3 = the server's, fd 4.. = one
// per participant). Each participant has an uplink and a downlink Pipe; packets wait in a
// time-ordered heap and are written out by one timer aimed at the earliest deadline, so
// there is one timer for all packets and no per-packet drift.
// Control: JSON lines on a Unix socket (apply a profile, read counters).
import { read, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { rmSync } from 'node:fs';
import { BIN_MS, ClassTrace, packetClass } from './classes.js';
import { TimeHeap } from './heap.js';
import { Pipe, type PipeConfig, type PipeCounters } from './pipe.js';
import { linkAt, parseProfile, type Link, type Profile } from './profile.js';
import { mulberry32 } from './rng.js';

interface Host { name: string; fd: number; ip: number; up: Pipe; down: Pipe; profile: Profile | null; appliedAt: number; link: Link | null; downClasses: ClassTrace }

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const names = (args.get('hosts') ?? '').split(',').filter(Boolean);
const ips = (args.get('ips') ?? '').split(',').map(ipToInt);
const controlPath = args.get('control') ?? '/run/thinline-netem/control.sock';
const seed = Number(args.get('seed') ?? 1);
if (names.length < 2 || ips.length !== names.length) throw new TypeError('--hosts srv,p1,... and --ips (same count) are required');

const open: PipeConfig = { delayMs: 0, jitterMs: 0, loss: 0, queueMs: 1000 };
const hosts: Host[] = names.map((name, i) => ({
  name, fd: 3 + i, ip: ips[i]!, profile: null, appliedAt: 0, link: null, downClasses: new ClassTrace(),
  up: new Pipe({ ...open }, mulberry32(seed * 1000 + i * 2)),
  down: new Pipe({ ...open }, mulberry32(seed * 1000 + i * 2 + 1)),
}));
const server = hosts[0]!;
const byIp = new Map(hosts.slice(1).map((h) => [h.ip, h]));
const heap = new TimeHeap<{ fd: number; packet: Buffer }>();
let timer: NodeJS.Timeout | null = null;
let timerAt = Infinity;
const unrouted = { packets: 0 };
/**
 * Evidence for a bench that the network itself misbehaved (a starved machine): packets
 * released later than their deadline, and silences of the server (nothing at all to any
 * participant, which during a call with video means the server or its host stalled).
 * Epoch times, the most recent MAX_EVENTS of each.
 */
const LATE_MS = 50;
const SILENCE_MS = 250;
const MAX_EVENTS = 200;
const timing = {
  late: [] as { at: number; ms: number }[], serverSilences: [] as { at: number; ms: number }[],
  /** A bottleneck queue that held a packet QUEUE_MS or more (the longest wait per QUEUE_GAP_MS, per link direction). */
  queued: [] as { at: number; ms: number; link: string }[],
};
const QUEUE_MS = 100;
const QUEUE_GAP_MS = 250;
const MAX_QUEUE_EVENTS = 2000;
/** Each link direction's latest queue event (a packet path: no scan of the list). */
const lastQueued = new Map<string, { at: number; ms: number; link: string }>();
function noteQueue(link: string, ms: number): void {
  const now = Date.now();
  const last = lastQueued.get(link);
  if (last && now - last.at < QUEUE_GAP_MS) { last.ms = Math.max(last.ms, Math.round(ms)); return; }
  const event = { at: now, ms: Math.round(ms), link };
  lastQueued.set(link, event);
  timing.queued.push(event);
  if (timing.queued.length > MAX_QUEUE_EVENTS) timing.queued.shift();
}
function note(list: { at: number; ms: number }[], ms: number): void {
  list.push({ at: Date.now(), ms: Math.round(ms) });
  if (list.length > MAX_EVENTS) list.shift();
}

function ipToInt(s: string): number {
  const p = s.split('.').map(Number);
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

function pipeConfig(link: Link, dir: 'up' | 'down'): PipeConfig {
  return {
    rateBps: dir === 'up' ? link.upBps : link.downBps, delayMs: link.delayMs, jitterMs: link.jitterMs,
    loss: link.loss, burstLoss: link.burstLoss, queueMs: link.queueMs,
  };
}

function applyLink(h: Host, link: Link): void {
  h.link = link;
  h.up.configure(pipeConfig(link, 'up'));
  h.down.configure(pipeConfig(link, 'down'));
}

function arm(): void {
  const next = heap.peekTime();
  if (next === undefined || next >= timerAt) return;
  if (timer) clearTimeout(timer);
  timerAt = next;
  timer = setTimeout(flush, Math.max(0, next - performance.now()));
}

function flush(): void {
  timer = null;
  timerAt = Infinity;
  const now = performance.now();
  const due = heap.peekTime();
  if (due !== undefined && now - due > LATE_MS) note(timing.late, now - due);
  // Deliver everything due; half a millisecond early beats a whole timer tick late.
  while ((heap.peekTime() ?? Infinity) <= now + 0.5) {
    const { value } = heap.pop()!;
    try { writeSync(value.fd, value.packet); } catch { /* device gone: shutting down */ }
  }
  arm();
}

function route(from: Host, packet: Buffer): void {
  if (packet.length < 20 || packet[0]! >> 4 !== 4) { unrouted.packets++; return; }
  let pipe: Pipe;
  let to: Host;
  if (from === server) {
    const dst = byIp.get(packet.readUInt32BE(16));
    if (!dst) { unrouted.packets++; return; }
    pipe = dst.down;
    to = dst;
  } else {
    // Only traffic to the server is carried: nothing can leave the emulated network.
    if (packet.readUInt32BE(16) !== server.ip) { unrouted.packets++; return; }
    pipe = from.up;
    to = server;
  }
  const at = pipe.offer(packet.length, performance.now());
  if (pipe.lastWaitMs >= QUEUE_MS) noteQueue(from === server ? `${to.name} down` : `${from.name} up`, pipe.lastWaitMs);
  if (from === server) to.downClasses.note(packetClass(packet), packet.length, at === null, Date.now());
  if (at === null) return;
  heap.push(at, { fd: to.fd, packet });
  arm();
}

function readLoop(h: Host): void {
  const buf = Buffer.allocUnsafe(65_536);
  let lastAt = 0;
  const next = () => read(h.fd, buf, 0, buf.length, null, (err, n) => {
    if (err) { if (err.code === 'EAGAIN' || err.code === 'EINTR') return next(); console.error(`[shaper] read ${h.name}: ${err.message}`); return; }
    const now = performance.now();
    if (h === server && lastAt > 0 && now - lastAt > SILENCE_MS) note(timing.serverSilences, now - lastAt);
    lastAt = now;
    if (n > 0) route(h, Buffer.from(buf.subarray(0, n)));
    next();
  });
  next();
}

// Timelines: re-evaluate every 100 ms which step is in force.
setInterval(() => {
  const now = performance.now();
  for (const h of hosts) {
    if (!h.profile?.timeline) continue;
    const link = linkAt(h.profile, (now - h.appliedAt) / 1000);
    if (link !== h.link) applyLink(h, link);
  }
}, 100);

function counters(): Record<string, { up: PipeCounters; down: PipeCounters; profile: string | null; link: Link | null }> {
  return Object.fromEntries(hosts.slice(1).map((h) => [h.name, { up: { ...h.up.counters }, down: { ...h.down.counters }, profile: h.profile?.name ?? null, link: h.link }]));
}

function command(msg: { cmd?: string; host?: string; profile?: unknown }): unknown {
  if (msg.cmd === 'ping') return { ok: true };
  if (msg.cmd === 'counters') return { ok: true, hosts: counters(), unrouted: unrouted.packets, queued: heap.size, timing };
  if (msg.cmd === 'classes') return { ok: true, binMs: BIN_MS, hosts: Object.fromEntries(hosts.slice(1).map((h) => [h.name, h.downClasses.bins])) };
  if (msg.cmd === 'apply') {
    const targets = msg.host === '*' ? hosts.slice(1) : hosts.filter((h) => h.name === msg.host && h !== server);
    if (targets.length === 0) return { ok: false, error: `unknown host "${msg.host}"` };
    const profile = parseProfile(msg.profile);
    for (const h of targets) { h.profile = profile; h.appliedAt = performance.now(); applyLink(h, linkAt(profile, 0)); }
    return { ok: true };
  }
  return { ok: false, error: `unknown command "${msg.cmd}"` };
}

rmSync(controlPath, { force: true });
const control = createServer((sock) => {
  let pending = '';
  sock.on('data', (d) => {
    pending += d.toString();
    for (let i = pending.indexOf('\n'); i >= 0; i = pending.indexOf('\n')) {
      const line = pending.slice(0, i);
      pending = pending.slice(i + 1);
      let reply: unknown;
      try { reply = command(JSON.parse(line) as { cmd?: string }); } catch (e) { reply = { ok: false, error: (e as Error).message }; }
      sock.write(JSON.stringify(reply) + '\n');
    }
  });
  sock.on('error', () => undefined);
});
control.listen(controlPath, () => {
  for (const h of hosts) readLoop(h);
  console.log(`[shaper] ready: ${names.join(', ')} (control ${controlPath})`);
});
const stop = () => { control.close(); rmSync(controlPath, { force: true }); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
