// Runs the capacity measurements, judges them by bench/budgets.json ("capacity") and writes
// JSON, a Markdown summary and a plot (worker CPU over consumers, one line per run).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runCapacity, type CapacityRun } from './capacity.js';
import { loadBudgets, type Verdict } from './report.js';

const RUNS = [
  { name: 'raw-plain', mode: 'plain', full: false, roomSize: 50 },
  { name: 'raw-srtp', mode: 'srtp', full: false, roomSize: 50 },
  { name: 'full-srtp-rooms-of-50', mode: 'srtp', full: true, roomSize: 50 },
  // Rooms of 10 need five times the routers and pipes of rooms of 50: mediasoup's own cost,
  // measured alone too, so that the ratio shows what our code adds.
  { name: 'raw-srtp-rooms-of-10', mode: 'srtp', full: false, roomSize: 10 },
  { name: 'full-srtp-rooms-of-10', mode: 'srtp', full: true, roomSize: 10 },
  // The sink answers like a browser (transport-wide cc feedback, receiver reports): the
  // worker's bandwidth estimation runs per transport, and our allocator reads real estimates
  // and round-trip times (plain RTP: the sink cannot encrypt its SRTCP).
  { name: 'raw-feedback', mode: 'feedback', full: false, roomSize: 50 },
  { name: 'full-feedback-rooms-of-50', mode: 'feedback', full: true, roomSize: 50 },
] as const;

/**
 * Our full stack against mediasoup alone with the same transports and the same rooms (a
 * raw run of the same room size; the single-room raw run where none exists), worst room size.
 */
export function capacityVerdicts(runs: CapacityRun[], budget: Record<string, number>): Verdict[] {
  const fullRuns = runs.filter((r) => r.full);
  const rawOf = (r: CapacityRun) => (runs.find((x) => !x.full && x.mode === r.mode && x.roomSize === r.roomSize) ?? runs.find((x) => x.name === 'raw-srtp'))?.consumersAt80 ?? null;
  const ratios = fullRuns.map((r) => { const raw = rawOf(r); return raw && r.consumersAt80 !== null ? (r.consumersAt80 / raw) * 100 : null; });
  const full = fullRuns.map((r) => r.consumersAt80);
  const worstFull = full.some((v) => v === null) || full.length === 0 ? null : Math.min(...(full as number[]));
  const ratio = ratios.some((v) => v === null) || ratios.length === 0 ? null : Math.min(...(ratios as number[]));
  const v = (metric: string, value: number | null, limit: number | undefined): Verdict =>
    ({ scenario: 'capacity', metric, value, budget: limit ?? 0, ok: value !== null && value >= (limit ?? Infinity) });
  return [v('minFullVsRawPct', ratio, budget.minFullVsRawPct), v('minConsumersAt80Pct', worstFull, budget.minConsumersAt80Pct)];
}

function svg(runs: CapacityRun[]): string {
  const W = 760, H = 360, M = 50;
  const xMax = Math.max(100, ...runs.flatMap((r) => r.steps.map((s) => s.consumers)));
  const x = (n: number) => M + (n / xMax) * (W - M - 20);
  const y = (pct: number) => H - 30 - (Math.min(pct, 100) / 100) * (H - 60);
  const colors = ['#0b5cad', '#c0392b', '#1e7d32', '#e67e22', '#8e44ad', '#16a085', '#7f8c8d'];
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11"><rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${M}" y="14" font-weight="bold">mediasoup worker CPU (% of one core) over forwarded 500 kbit/s consumers</text>`,
    `<line x1="${M}" y1="${y(80)}" x2="${W - 20}" y2="${y(80)}" stroke="#999" stroke-dasharray="4"/><text x="${M - 4}" y="${y(80) + 4}" text-anchor="end">80</text>`,
    `<text x="${M - 4}" y="${y(0) + 4}" text-anchor="end">0</text><text x="${M - 4}" y="${y(100) + 4}" text-anchor="end">100</text>`];
  runs.forEach((r, k) => {
    out.push(`<polyline fill="none" stroke="${colors[k % colors.length]}" stroke-width="1.5" points="${r.steps.map((s) => `${x(s.consumers).toFixed(1)},${y(s.workerCpuPct).toFixed(1)}`).join(' ')}"/>`);
    out.push(`<text x="${M + 10}" y="${34 + k * 14}" fill="${colors[k % colors.length]}">■ ${r.name}: ${r.consumersAt80 ?? '–'} at 80 %</text>`);
  });
  for (let n = 0; n <= xMax; n += 250) out.push(`<text x="${x(n)}" y="${H - 12}" text-anchor="middle">${n}</text>`);
  out.push('</svg>');
  return out.join('\n');
}

export async function capacityBench(log: (l: string) => void = console.log): Promise<boolean> {
  log('[bench] capacity: forwarded 500 kbit/s VP8 consumers per mediasoup worker (PlainTransports to a counting sink), raw and with our per-room code');
  const runs: CapacityRun[] = [];
  for (const spec of RUNS) runs.push(await runCapacity(spec, log));
  const verdicts = capacityVerdicts(runs, loadBudgets().capacity ?? {});
  const f = (n: number | null, d = 0) => (n === null ? '–' : n.toFixed(d));
  const md = ['# capacity', '',
    'One mediasoup 3.12.16 worker, one synthetic 500 kbit/s VP8 stream piped into every room, each consumer on its own PlainTransport (plain RTP or SRTP AEAD_AES_128_GCM) to a C sink that counts packets. "full" adds our per-room code: Peer objects and a RoomAllocator per room (500 ms tick; producer and transport stats every 1 s, RTT every 2 s; decisions applied). In the "feedback" runs (plain RTP) the sink answers every transport like a browser, with transport-wide cc feedback every 100 ms and a receiver report per second: the worker\'s bandwidth estimation runs on every transport and the allocator reads real estimates and RTTs; the other runs have no receiver feedback.', '',
    '| run | consumers at 80 % of a core | bench process CPU per 100 consumers % | feedback (packets; one transport\'s estimate kbit/s; RTT ms) | steps (consumers: worker % / node % / delivered %) |', '| --- | --- | --- | --- | --- |',
    ...runs.map((r) => `| ${r.name} | ${f(r.consumersAt80)} | ${f(r.nodeCpuPer100, 2)} | ${r.feedback ? `${r.feedback.packets}; ${f(r.feedback.estimateBps === null ? null : r.feedback.estimateBps / 1000)}; ${f(r.feedback.rttMs, 1)}` : '–'} | ${r.steps.map((s) => `${s.consumers}: ${s.workerCpuPct.toFixed(0)}/${s.nodeCpuPct.toFixed(1)}/${s.deliveredPct.toFixed(0)}`).join(', ')} |`), '',
    '| budget | measured | floor | verdict |', '| --- | --- | --- | --- |', ...verdicts.map((v) => `| ${v.metric} | ${f(v.value)} | ${v.budget} | ${v.ok ? 'ok' : '**BROKEN**'} |`), '', '![capacity](capacity.svg)', ''].join('\n');
  const dir = resolve(import.meta.dirname, '../results', new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'capacity.json'), JSON.stringify({ runs, verdicts }, null, 1));
  writeFileSync(join(dir, 'capacity.svg'), svg(runs));
  writeFileSync(join(dir, 'summary.md'), md);
  console.log(JSON.stringify({ scenario: 'capacity', summary: runs.map((r) => ({ name: r.name, consumersAt80: r.consumersAt80, nodeCpuPer100: r.nodeCpuPer100 })) }));
  console.log('\n' + md.replace(/!\[.*\]\(.*\)\n/g, ''));
  console.log(`[bench] results: ${join(dir, 'summary.md')}`);
  return verdicts.every((v) => v.ok);
}
