// Bench output: JSON results, a Markdown summary with budget verdicts, and an SVG plot of
// received bitrate, video layer and glass-to-glass latency over time per participant.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ScenarioResult } from './runner.js';

const ROOT = resolve(import.meta.dirname, '..');

export type Budgets = Record<string, Record<string, number>>;
export interface Verdict { scenario: string; metric: string; value: number | null; budget: number; ok: boolean }

export function loadBudgets(path = join(ROOT, 'budgets.json')): Budgets {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith('$'))) as Budgets;
}

/**
 * A metric that was not measured breaks its budget: "no data" must never pass. Metrics
 * named min… are floors (the value must reach the budget); all others are ceilings.
 */
export function checkBudgets(result: ScenarioResult, budgets: Budgets, key = result.scenario): Verdict[] {
  return Object.entries(budgets[key] ?? {}).map(([metric, budget]) => {
    const value = result.summary[metric] ?? null;
    const ok = value !== null && (metric.startsWith('min') ? value >= budget : value <= budget);
    return { scenario: result.scenario, metric, value, budget, ok };
  });
}

/** One budget over several runs of a scenario: every run's value, the median and the worst. */
export interface OverRuns { scenario: string; metric: string; values: (number | null)[]; median: number | null; worst: number | null; budget: number; ok: boolean }

export function aggregateRuns(key: string, runs: ScenarioResult[], budgets: Budgets): OverRuns[] {
  return Object.entries(budgets[key] ?? {}).map(([metric, budget]) => {
    const floor = metric.startsWith('min');
    const values = runs.map((r) => r.summary[metric] ?? null);
    const measured = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
    // An unmeasured run is the worst run.
    const worst = values.some((v) => v === null) ? null : floor ? measured[0]! : measured.at(-1)!;
    const median = measured.length ? measured[Math.floor((measured.length - 1) / 2)]! : null;
    return { scenario: key, metric, values, median, worst, budget, ok: worst !== null && (floor ? worst >= budget : worst <= budget) };
  });
}

const f = (v: number | null | undefined, digits = 0) => (v === null || v === undefined ? '–' : v.toFixed(digits));

export function markdown(results: ScenarioResult[], verdicts: Verdict[], overRuns: OverRuns[] = []): string {
  const lines = ['# Thinline bench results', ''];
  const d = (v: number | null) => f(v, v !== null && Math.abs(v) < 10 ? 2 : 0);
  for (const key of [...new Set(overRuns.map((o) => o.scenario))]) {
    const rows = overRuns.filter((o) => o.scenario === key);
    lines.push(`## ${key} over ${rows[0]?.values.length ?? 0} runs (verdict on the worst run)`, '', '| budget | runs | median | worst | limit | verdict |', '| --- | --- | --- | --- | --- | --- |');
    for (const o of rows) lines.push(`| ${o.metric} | ${o.values.map(d).join(' / ')} | ${d(o.median)} | ${d(o.worst)} | ${o.budget} | ${o.ok ? 'ok' : '**BROKEN**'} |`);
    lines.push('');
  }
  for (const r of results) {
    lines.push(`## ${r.scenario} — ${r.description}`, '', `${r.durationS} s measured, started ${r.startedAt}. Server: CPU ${f(r.server.cpuPctAvg)} % avg / ${f(r.server.cpuPctMax)} % max of one core, RSS ${f(r.server.rssMbMax)} MB max.`, '');
    lines.push('| participant | profile | join ms | g2g p50 ms | g2g p95 ms | audio concealed % | freezes (total ms) | max freeze after 10 s | recv kbit/s | sent kbit/s | adapt ms | recover ms | max audio gap ms |');
    lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const p of r.participants) {
      lines.push(`| ${p.name} | ${p.profile} | ${f(p.joinMs)} | ${f(p.g2gP50Ms)} | ${f(p.g2gP95Ms)} | ${f(p.audioConcealmentPct, 2)} | ${p.freezes} (${p.freezeTotalMs}) | ${f(p.maxFreezeMsAfter10s)} | ${f(p.recvKbpsAvg)} | ${f(p.sentKbpsAvg)} | ${f(p.adaptMs)}${p.adaptClientMs !== undefined ? ` (page ${f(p.adaptClientMs)})` : ''} | ${f(p.recoverMs)}${p.recoverClientMs !== undefined ? ` (page ${f(p.recoverClientMs)})` : ''} | ${f(p.maxAudioInterruptionMs)} |`);
    }
    if (r.links && Object.keys(r.links).length) {
      lines.push('', `Links (shaper counters, whole run): ${Object.entries(r.links).map(([n, l]) => `${n} up ${l.up.packets} pkts, ${l.up.lost} lost, ${l.up.queueDrops} queue drops / down ${l.down.packets} pkts, ${l.down.lost} lost, ${l.down.queueDrops} queue drops`).join('; ')}.`);
    }
    if (r.stalls) lines.push('', stallLine(r.stalls));
    lines.push('', `Rig: all cores at least 95 % busy in ${f(r.rig?.saturatedPct)} % of the measured seconds (average ${f(r.rig?.busyPctAvg)} %)${r.rig?.bound ? ' — **rig-bound: this run measures the test machine more than the product**' : ''}.`);
    if (r.preconditionFailures) lines.push('', r.preconditionFailures.length ? `**Invalid run**: before the step ${r.preconditionFailures.join('; ')}.` : 'Preconditions before the step held (unshaped participants got the layers their tiles want; cameras at their top rung).');
    const ladder = Object.entries(r.rungs ?? {}).map(([name, cs]) => `${name}: ${cs.map((c) => `${c.t} s rung ${c.rung} (${c.reason})`).join(', ') || '–'}`);
    if (ladder.length) lines.push('', `Camera ladders: ${ladder.join('; ')}.`);
    lines.push('', '| participant | audio playout p95 ms | RTT above link p95 ms | smallest picture px | worst sender concealed % | layer changes / 10 s | browser uplink estimate median kbit/s |', '| --- | --- | --- | --- | --- | --- | --- |');
    for (const p of r.participants) {
      const worst = Math.max(0, ...Object.values(p.concealmentBySender ?? {}));
      lines.push(`| ${p.name} | ${f(p.playoutDelayP95Ms)} | ${f(p.rttExcessP95Ms)} | ${f(p.minVideoHeight)} | ${f(worst, 2)} | ${p.layerChangesPer10s ?? '–'} | ${f(p.uplinkEstimateKbpsMedian)} |`);
    }
    const v = verdicts.filter((x) => x.scenario === r.scenario);
    if (v.length) {
      lines.push('', '| budget | measured | limit | verdict |', '| --- | --- | --- | --- |');
      for (const x of v) lines.push(`| ${x.metric} | ${f(x.value, x.value !== null && Math.abs(x.value) < 10 ? 2 : 0)} | ${x.budget} | ${x.ok ? 'ok' : '**BROKEN**'} |`);
    }
    lines.push('', `![${r.scenario}](${r.scenario}.svg)`, '');
  }
  return lines.join('\n');
}

const COLORS = ['#0b5cad', '#c0392b', '#1e7d32', '#8e44ad', '#d68910', '#16a085'];

/** Three stacked panels sharing the time axis. */
export function svgPlot(r: ScenarioResult): string {
  const W = 900, PH = 170, M = 50, panels = 3;
  const H = panels * PH + 40;
  const tMax = Math.max(1, ...r.participants.flatMap((p) => p.series.map((s) => s.t)));
  const x = (t: number) => M + (t / tMax) * (W - M - 20);
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`, `<rect width="${W}" height="${H}" fill="#fff"/>`];
  const panel = (i: number, title: string, pick: (s: ScenarioResult['participants'][number]['series'][number]) => number | null, unit: string) => {
    const top = 20 + i * PH;
    const vals = r.participants.flatMap((p) => p.series.map(pick)).filter((v): v is number => v !== null);
    const vMax = Math.max(1, ...vals) * 1.1;
    const y = (v: number) => top + PH - 25 - (v / vMax) * (PH - 45);
    out.push(`<text x="${M}" y="${top + 8}" font-weight="bold">${title} (${unit})</text>`);
    out.push(`<line x1="${M}" y1="${top + PH - 25}" x2="${W - 20}" y2="${top + PH - 25}" stroke="#999"/><line x1="${M}" y1="${top + 15}" x2="${M}" y2="${top + PH - 25}" stroke="#999"/>`);
    out.push(`<text x="${M - 5}" y="${y(vMax / 1.1) + 4}" text-anchor="end">${Math.round(vMax / 1.1)}</text><text x="${M - 5}" y="${top + PH - 22}" text-anchor="end">0</text>`);
    r.participants.forEach((p, k) => {
      const pts = p.series.filter((s) => pick(s) !== null).map((s) => `${x(s.t).toFixed(1)},${y(pick(s)!).toFixed(1)}`);
      if (pts.length) out.push(`<polyline fill="none" stroke="${COLORS[k % COLORS.length]}" stroke-width="1.5" points="${pts.join(' ')}"/>`);
    });
  };
  panel(0, 'received bitrate', (s) => s.recvKbps, 'kbit/s');
  panel(1, 'highest forwarded video layer', (s) => s.layer, 'spatial layer');
  panel(2, 'glass-to-glass latency', (s) => s.g2g, 'ms');
  for (let t = 0; t <= tMax; t += 10) out.push(`<text x="${x(t)}" y="${H - 8}" text-anchor="middle">${t}s</text>`);
  r.participants.forEach((p, k) => out.push(`<text x="${W - 20 - (r.participants.length - k) * 110}" y="12" fill="${COLORS[k % COLORS.length]}">■ ${p.name} (${p.profile})</text>`));
  out.push('</svg>');
  return out.join('\n');
}

export function writeResults(dir: string, results: ScenarioResult[], verdicts: Verdict[], overRuns: OverRuns[] = []): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'results.json'), JSON.stringify({ results: results.map(({ raw: _raw, ...r }) => r), verdicts, overRuns }, null, 1));
  for (const r of results) if (r.raw) writeFileSync(join(dir, `raw-${r.scenario}.json`), JSON.stringify(r.raw));
  writeFileSync(join(dir, 'summary.md'), markdown(results, verdicts, overRuns));
  for (const r of results) writeFileSync(join(dir, `${r.scenario}.svg`), svgPlot(r));
}

/** The network's own hiccups: a late shaper or a silent server explains jitter the product did not cause. */
function stallLine(s: NonNullable<ScenarioResult['stalls']>): string {
  const list = (xs: { t: number; ms: number }[]) => xs.length ? `${xs.length} (${xs.slice(0, 8).map((x) => `${x.ms} ms at ${x.t} s`).join(', ')}${xs.length > 8 ? ', …' : ''})` : 'none';
  const links = [...new Set((s.queued ?? []).map((q) => q.link))].sort();
  const queued = links.map((l) => {
    const xs = s.queued!.filter((q) => q.link === l);
    return `${l} ${xs.length}x, longest ${Math.max(...xs.map((x) => x.ms))} ms`;
  });
  return `Network stalls (whole run, times relative to the measured window): shaper released packets over 50 ms late: ${list(s.late)}; server silent over 250 ms: ${list(s.serverSilences)}.`
    + (s.queued ? ` Bottleneck queues that held a packet 100 ms or more: ${queued.length ? queued.join('; ') : 'none'}.` : '');
}
