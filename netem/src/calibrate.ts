// Calibration: measures what the emulated link really does (ping RTT and loss, TCP and UDP
// throughput with iperf3) and compares it with the profile. Tolerances from the issue:
// +-10 % for rates and delay, +-1 point for loss.
import { spawn } from 'node:child_process';
import type { Link } from './profile.js';
import { control, nsExec, type Topology } from './topology.js';

export interface Check { what: string; expected: number; measured: number; unit: string; tolerance: string; ok: boolean }

const IP_UDP = 28;
const TCP_PAYLOAD = 1448 / 1500;

export function ping(ns: string, target: string, count: number, intervalS: number, size = 56): { rttMs: number; lossPct: number } {
  const out = nsExec(ns, 'ping', ['-q', '-c', String(count), '-i', String(intervalS), '-s', String(size), '-W', '2', target], 120_000);
  const loss = /([\d.]+)% packet loss/.exec(out);
  const rtt = /= [\d.]+\/([\d.]+)\//.exec(out);
  return { rttMs: rtt ? Number(rtt[1]) : NaN, lossPct: loss ? Number(loss[1]) : NaN };
}

interface IperfOpts { udp?: boolean; bps?: number; seconds: number; reverse?: boolean; len?: number; omit?: number }

/**
 * Runs iperf3 between a participant (client) and the server namespace. iperf3's own control
 * connection crosses the lossy link and now and then gives up ("unable to read from stream
 * socket"): such a run is repeated once; the measured values are never retried for being off.
 */
export async function iperf(t: Topology, participant: string, o: IperfOpts): Promise<{ bps: number; lostPct: number }> {
  try {
    return await iperfOnce(t, participant, o);
  } catch {
    return iperfOnce(t, participant, o);
  }
}

async function iperfOnce(t: Topology, participant: string, o: IperfOpts): Promise<{ bps: number; lostPct: number }> {
  const port = 5201 + Math.floor(Math.random() * 500);
  const server = spawn('ip', ['netns', 'exec', t.server.ns, 'iperf3', '-s', '-1', '-B', t.server.ip, '-p', String(port)], { stdio: 'ignore' });
  try {
    await listening(t.server.ns, port);
    const args = ['-c', t.server.ip, '-p', String(port), '-t', String(o.seconds), '-J', '--connect-timeout', '5000'];
    if (o.reverse) args.push('-R');
    // High-RTT links: leave out TCP's slow start and iperf3's start-up from the average.
    if (o.omit) args.push('-O', String(o.omit));
    if (o.udp) args.push('-u', '-b', String(Math.round(o.bps ?? 1_000_000)), '-l', String(o.len ?? 1200));
    const ns = t.participants.find((p) => p.name === participant)!.ns;
    // iperf3's closing handshake crosses the (saturated, lossy) link too: allow for it.
    const json = JSON.parse(nsExec(ns, 'iperf3', args, (o.seconds * 3 + 40) * 1000)) as { error?: string; end: Record<string, { bits_per_second?: number; lost_percent?: number }> };
    if (json.error || !(json.end.sum_received ?? json.end.sum)) throw new Error(`iperf3: ${json.error ?? 'no receiver summary'}`);
    // What the receiver got (for UDP `sum` is the sender's rate; its loss is the receiver's).
    const received = json.end.sum_received ?? json.end.sum!;
    return { bps: received.bits_per_second ?? 0, lostPct: received.lost_percent ?? json.end.sum?.lost_percent ?? 0 };
  } finally {
    server.kill();
  }
}

function within(what: string, expected: number, measured: number, unit: string, rel: number, abs = 0): Check {
  const tol = Math.max(rel * expected, abs);
  return { what, expected, measured, unit, tolerance: abs > rel * expected ? `±${abs} ${unit}` : `±${rel * 100}%`, ok: Math.abs(measured - expected) <= tol };
}
function points(what: string, expected: number, measured: number, pts: number): Check {
  return { what, expected, measured, unit: '%', tolerance: `±${pts} pt`, ok: Math.abs(measured - expected) <= pts };
}

/** Waits until a TCP port listens inside a namespace (the iperf3 server is up). */
async function listening(ns: string, port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (nsExec(ns, 'ss', ['-Hltn', `sport = :${port}`]).trim()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`iperf3 server did not listen on port ${port}`);
}

/** Waits until the shaper holds no packets (a previous profile's queue must not leak into this one). */
async function drain(t: Topology): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const c = (await control(t, { cmd: 'counters' })) as { queued?: number };
    if (!c.queued) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface CalibrateOptions { tcp?: boolean; udp?: boolean; seconds?: number }

/** Measures one participant's link (already shaped with `link`) and checks it against it. */
export async function calibrate(t: Topology, participant: string, link: Link, o: CalibrateOptions = {}): Promise<Check[]> {
  const ns = t.participants.find((p) => p.name === participant)!.ns;
  // Long-RTT links need longer runs: iperf3's start and end handshakes take several RTTs.
  const seconds = Math.max(o.seconds ?? 4, Math.ceil((link.delayMs * 2 * 15) / 1000));
  await drain(t);
  const omit = link.delayMs >= 100 ? Math.ceil((link.delayMs * 2 * 6) / 1000) : 0;
  const checks: Check[] = [];
  // RTT: 2 x delay plus serializing the 84-byte ping on each rate-limited hop.
  const ser = (bps?: number) => (bps ? (84 * 8 * 1000) / bps : 0);
  // Userspace forwarding adds ~1.5 ms per hop (read, timer): tiny delays get +-4 ms.
  const rtt = ping(ns, t.server.ip, 200, 0.02);
  checks.push(within('ping RTT', 2 * link.delayMs + ser(link.upBps) + ser(link.downBps), rtt.rttMs, 'ms', 0.1, 4));
  const l = link.loss + (link.burstLoss?.loss ?? 0);
  if (l > 0) {
    // Pings must not congest the link (queue drops are not loss): at most 1/4 of the uplink.
    const interval = Math.max(0.005, link.upBps ? (84 * 8 * 4) / link.upBps : 0);
    const lossy = ping(ns, t.server.ip, Math.min(2000, Math.round(20 / interval)), interval);
    checks.push(points('ping loss (both ways)', (1 - (1 - l) ** 2) * 100, lossy.lossPct, 1));
  }
  if (o.udp !== false && link.downBps) {
    // Rate: offer 30 % more than the link carries; the receiver sees the link rate (minus loss).
    const len = 1200;
    const r = await iperf(t, participant, { udp: true, reverse: true, bps: link.downBps * 1.3, seconds, len, omit });
    checks.push(within('UDP down rate', link.downBps * (1 - l) * (len / (len + IP_UDP)), r.bps, 'bit/s', 0.1));
    if (l > 0) {
      // Loss: offer half the rate (no queue drops), many small datagrams for a tight estimate.
      const lr = await iperf(t, participant, { udp: true, reverse: true, bps: link.downBps * 0.5, seconds: seconds * 2, len: 100 });
      checks.push(points('UDP down loss', l * 100, lr.lostPct, 1));
    }
  }
  if (o.udp !== false && link.upBps) {
    const len = 1200;
    const r = await iperf(t, participant, { udp: true, bps: link.upBps * 1.3, seconds, len, omit });
    checks.push(within('UDP up rate', link.upBps * (1 - l) * (len / (len + IP_UDP)), r.bps, 'bit/s', 0.1));
  }
  if (o.tcp !== false && link.downBps && l === 0) {
    // TCP reaches the link rate only without random loss; with loss it is bounded by the
    // Mathis formula, which is physics, not shaper error (the bench reports it separately).
    const r = await iperf(t, participant, { reverse: true, seconds: seconds + 2, omit });
    checks.push(within('TCP down goodput', link.downBps * TCP_PAYLOAD, r.bps, 'bit/s', 0.1));
  }
  return checks;
}
