// Emulated network: one namespace for the server and one per participant, joined only
// through the userspace shaper. Addresses live on private test ranges inside those
// namespaces (10.99.0.0/16 media and pages, 10.98.0.0/30 an unshaped control link from
// the host to the server); nothing is routed anywhere else.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Profile } from './profile.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
export const RUN_DIR = '/run/thinline-netem';
const STATE = join(RUN_DIR, 'state.json');
const PREFIX = 'tl-';

export interface Host { name: string; ns: string; ip: string }
export interface Topology {
  server: Host & { controlIp: string };
  participants: Host[];
  controlPath: string;
  shaperPid: number;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function quiet(fn: () => void): void {
  try { fn(); } catch { /* already gone */ }
}

export function requireRoot(): void {
  if (process.getuid?.() !== 0) throw new Error('netem needs root (network namespaces and TUN devices)');
}

export function namespaces(): string[] {
  const out = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return out.split('\n').map((l) => l.split(' ')[0]!).filter((n) => n.startsWith(PREFIX));
}

/** Tears everything down, including leftovers of a crashed run. Safe to call any time. */
export function down(): void {
  if (existsSync(STATE)) {
    const state = JSON.parse(readFileSync(STATE, 'utf8')) as Partial<Topology>;
    if (state.shaperPid) quiet(() => process.kill(state.shaperPid!, 'SIGTERM'));
  }
  for (const ns of namespaces()) {
    const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
    for (const pid of pids) quiet(() => process.kill(pid, 'SIGKILL'));
    quiet(() => ip('netns', 'del', ns));
  }
  quiet(() => ip('link', 'del', 'tlctl0'));
  rmSync(STATE, { force: true });
}

export async function up(participants: number, opts: { seed?: number } = {}): Promise<Topology> {
  requireRoot();
  if (!Number.isInteger(participants) || participants < 1 || participants > 50) throw new TypeError('participants must be 1..50');
  down();
  mkdirSync(RUN_DIR, { recursive: true });
  const server = { name: 'srv', ns: `${PREFIX}srv`, ip: '10.99.0.1', controlIp: '10.98.0.2' };
  const hosts: Host[] = Array.from({ length: participants }, (_, i) => ({ name: `p${i + 1}`, ns: `${PREFIX}p${i + 1}`, ip: `10.99.${i + 1}.2` }));
  for (const h of [server, ...hosts]) {
    ip('netns', 'add', h.ns);
    ip('-n', h.ns, 'link', 'set', 'lo', 'up');
  }
  // Unshaped control link host <-> server (REST, metrics), never used by the browsers.
  ip('link', 'add', 'tlctl0', 'type', 'veth', 'peer', 'name', 'tlctl1');
  ip('link', 'set', 'tlctl1', 'netns', server.ns);
  ip('addr', 'add', '10.98.0.1/30', 'dev', 'tlctl0');
  ip('link', 'set', 'tlctl0', 'up');
  ip('-n', server.ns, 'addr', 'add', `${server.controlIp}/30`, 'dev', 'tlctl1');
  ip('-n', server.ns, 'link', 'set', 'tlctl1', 'up');

  const controlPath = join(RUN_DIR, 'control.sock');
  const specs = [`tlt-srv:${server.ns}:${server.ip}/32:10.99.0.0/16`, ...hosts.map((h) => `tlt-${h.name}:${h.ns}:${h.ip}/32:default`)];
  const log = openSync(join(RUN_DIR, 'shaper.log'), 'w');
  // The shaper is the network: it runs at a higher priority than everything it carries, so
  // a machine saturated by browsers delays its timers less (a late timer is jitter that
  // Chrome's delay-based estimate reads as congestion: 64-150 kbit/s on 1 Mbit/s uplinks).
  const child = spawn('nice', ['-n', '-15', 'python3',
    join(root, 'netem/tun-launcher.py'), ...specs, '--',
    process.execPath, '--import', 'tsx', join(root, 'netem/src/shaper.ts'),
    '--hosts', ['srv', ...hosts.map((h) => h.name)].join(','),
    '--ips', [server.ip, ...hosts.map((h) => h.ip)].join(','),
    '--control', controlPath, '--seed', String(opts.seed ?? 1),
  ], { cwd: root, detached: true, stdio: ['ignore', log, log] });
  child.unref();
  const topology: Topology = { server, participants: hosts, controlPath, shaperPid: child.pid! };
  writeFileSync(STATE, JSON.stringify(topology));
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      await control(topology, { cmd: 'ping' });
      return topology;
    } catch (error) {
      if (child.exitCode !== null || Date.now() > deadline) {
        down();
        throw new Error(`shaper did not start: ${readFileSync(join(RUN_DIR, 'shaper.log'), 'utf8').slice(-2000) || (error as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export function current(): Topology | null {
  return existsSync(STATE) ? (JSON.parse(readFileSync(STATE, 'utf8')) as Topology) : null;
}

export function control(t: Pick<Topology, 'controlPath'>, msg: Record<string, unknown>): Promise<Record<string, unknown>> {
  return new Promise((resolvePromise, reject) => {
    const sock = connect(t.controlPath);
    let buf = '';
    sock.once('error', reject);
    sock.on('data', (d) => {
      buf += d.toString();
      const i = buf.indexOf('\n');
      if (i < 0) return;
      sock.end();
      const reply = JSON.parse(buf.slice(0, i)) as Record<string, unknown>;
      if (reply.ok) resolvePromise(reply); else reject(new Error(String(reply.error)));
    });
    sock.write(JSON.stringify(msg) + '\n');
  });
}

export function apply(t: Topology, host: string, profile: Profile): Promise<Record<string, unknown>> {
  return control(t, { cmd: 'apply', host, profile });
}

/** Runs a command inside a host's namespace. */
export function nsExec(ns: string, cmd: string, args: string[], timeoutMs = 60_000): string {
  return execFileSync('ip', ['netns', 'exec', ns, cmd, ...args], { encoding: 'utf8', timeout: timeoutMs });
}
