// vote-storm: 300 signaling-only voters cast a secret ballot within 2 s against a real
// server with a real SQLite file (WAL, synchronous=FULL: every ballot is fsynced before
// it is acknowledged). Measures ballots per second and the acknowledgement latency; the
// closing report must verify and count every ballot.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { percentile } from './metrics.js';

export interface VoteStormResult {
  voters: number;
  windowMs: number;
  acked: number;
  failed: number;
  ballotsPerS: number;
  ackP50Ms: number | null;
  ackP95Ms: number | null;
  ackMaxMs: number | null;
  reportValid: boolean;
  counted: number;
  latencies: number[];
}

class Voter {
  readonly ws: WebSocket;
  #id = 1;
  readonly #pending = new Map<number, (r: any) => void>();
  readonly notes: any[] = [];
  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (raw) => {
      const m = JSON.parse(String(raw));
      if ('notification' in m) this.notes.push(m);
      else this.#pending.get(m.id)?.(m);
    });
  }
  static async connect(url: string): Promise<Voter> {
    const ws = new WebSocket(url);
    await new Promise<void>((res, rej) => { ws.once('open', () => res()); ws.once('error', rej); });
    return new Voter(ws);
  }
  call(method: string, data: unknown): Promise<any> {
    const id = this.#id++;
    return new Promise((resolve) => { this.#pending.set(id, resolve); this.ws.send(JSON.stringify({ id, method, data })); });
  }
  async ok(method: string, data: unknown): Promise<any> {
    const r = await this.call(method, data);
    if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
    return r.data;
  }
}

export async function runVoteStorm(opts: { voters?: number; windowMs?: number; log?: (s: string) => void } = {}): Promise<VoteStormResult> {
  const voters = opts.voters ?? 300;
  const windowMs = opts.windowMs ?? 2000;
  const log = opts.log ?? console.log;
  const { ensureWorkerBin } = await import('../../server/src/workerBin.js');
  ensureWorkerBin();
  const { loadConfig } = await import('../../server/src/config.js');
  const { setLogLevel } = await import('../../server/src/log.js');
  setLogLevel('warn');
  const { startServer } = await import('../../server/src/server.js');
  const { verifyReport } = await import('../../verify/verify.js');
  const dataDir = mkdtempSync(join(tmpdir(), 'thinline-votestorm-'));
  const server = await startServer(loadConfig({}, {
    host: '127.0.0.1', port: 0, publicUrl: 'http://127.0.0.1:0', rtcPortBase: 0, numWorkers: 1, dataDir, clientDir: '/nonexistent', logLevel: 'warn',
    limits: { socketsPerIp: voters + 10, participantsPerRoom: voters + 10, roomsPerIpPerMinute: 100 },
  }));
  const all: Voter[] = [];
  try {
    const created = await (await fetch(`${server.url}/api/rooms`, { method: 'POST', body: '{"name":"vote-storm","lobby":false}' })).json() as { roomId: string; moderatorUrl: string };
    const key = new URL(created.moderatorUrl).hash.replace('#mod=', '');
    const ws = server.url.replace('http', 'ws') + '/ws';
    const chair = await Voter.connect(ws);
    all.push(chair);
    await chair.ok('join', { roomId: created.roomId, name: 'Chair', rtpCapabilities: {}, moderatorKey: key });
    const people: { v: Voter; id: string }[] = [];
    for (let i = 0; i < voters; i += 50) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, voters - i) }, async (_, k) => {
        const v = await Voter.connect(ws);
        all.push(v);
        const j = await v.ok('join', { roomId: created.roomId, name: `Voter ${i + k + 1}`, rtpCapabilities: {} });
        return { v, id: j.peerId as string };
      }));
      people.push(...batch);
    }
    log(`  vote-storm: ${people.length} voters joined`);
    const { motion } = await chair.ok('motionOpen', { title: 'Storm', allowAbstain: true, kind: 'secret', eligible: people.map((p) => p.id), rule: 'simple', quorum: null, durationS: null });
    const tokens = await Promise.all(people.map(async (p) => {
      for (;;) {
        const n = p.v.notes.find((x) => x.notification === 'ballotToken' && x.data.motionId === motion.id);
        if (n) return n.data.token as string;
        await new Promise((r) => setImmediate(r));
      }
    }));
    // Each voter casts at a random moment within the window.
    const start = performance.now();
    const latencies: number[] = [];
    let failed = 0;
    let lastAck = start;
    await Promise.all(people.map(async (p, i) => {
      await new Promise((r) => setTimeout(r, Math.random() * windowMs));
      const sent = performance.now();
      const r = await p.v.call('ballotCast', { motionId: motion.id, choices: [i % 3], token: tokens[i] });
      const now = performance.now();
      if (r.ok) { latencies.push(now - sent); lastAck = Math.max(lastAck, now); } else failed++;
    }));
    const { report } = await chair.ok('motionClose', { motionId: motion.id }).then(() => chair.ok('motionReport', { motionId: motion.id }));
    const verdict = verifyReport(report, server.voteKey.publicKeyPem);
    const counted = report.entries.filter((e: { type: string }) => e.type === 'ballot').length;
    const seconds = (lastAck - start) / 1000;
    return {
      voters, windowMs, acked: latencies.length, failed, ballotsPerS: latencies.length / Math.max(seconds, 0.001),
      ackP50Ms: percentile(latencies, 50), ackP95Ms: percentile(latencies, 95), ackMaxMs: latencies.length ? Math.max(...latencies) : null,
      reportValid: verdict.valid, counted, latencies,
    };
  } finally {
    for (const v of all) v.ws.terminate();
    server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A latency histogram (10 ms bins) as SVG. */
export function voteStormSvg(r: VoteStormResult): string {
  const bins = new Map<number, number>();
  for (const l of r.latencies) bins.set(Math.floor(l / 10), (bins.get(Math.floor(l / 10)) ?? 0) + 1);
  const maxBin = Math.max(1, ...bins.keys());
  const maxCount = Math.max(1, ...bins.values());
  const W = 800, H = 260, M = 40;
  const bw = (W - 2 * M) / (maxBin + 1);
  const bars = [...bins].map(([b, n]) => `<rect x="${(M + b * bw).toFixed(1)}" y="${(H - M - (n / maxCount) * (H - 2 * M)).toFixed(1)}" width="${Math.max(1, bw - 1).toFixed(1)}" height="${((n / maxCount) * (H - 2 * M)).toFixed(1)}" fill="#0b5cad"/>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11"><rect width="${W}" height="${H}" fill="#fff"/>` +
    `<text x="${M}" y="16" font-weight="bold">vote-storm: ballot acknowledgement latency (ms, 10 ms bins), ${r.acked} ballots</text>${bars.join('')}` +
    `<line x1="${M}" y1="${H - M}" x2="${W - M}" y2="${H - M}" stroke="#999"/><text x="${M}" y="${H - M + 14}">0</text><text x="${W - M}" y="${H - M + 14}" text-anchor="end">${(maxBin + 1) * 10} ms</text></svg>`;
}
