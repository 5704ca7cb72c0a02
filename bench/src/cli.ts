// `npm run bench` runs the standard suite; `npm run bench -- --scenario NAME [--profile NAME]`
// runs one scenario (optionally with every participant on one profile). Prints progress,
// a JSON line per scenario and a readable summary; exits 1 when a budget is broken.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { calibrate, type Check } from '../../netem/src/calibrate.js';
import { linkAt, listProfiles, loadProfile } from '../../netem/src/profile.js';
import { apply, down, requireRoot, up } from '../../netem/src/topology.js';
import { aggregateRuns, checkBudgets, loadBudgets, markdown, writeResults, type Verdict } from './report.js';
import { runKernelBench } from './kernels.js';
import { runScenario, type ScenarioResult } from './runner.js';
import { findScenario, SCENARIOS, type Scenario } from './scenarios.js';
import { runVoteStorm, voteStormSvg } from './vote-storm.js';
import { phoneSvg, runPhoneBench } from './phone.js';
import { capacityBench } from './capacity-report.js';

const argv = process.argv.slice(2);
const opt = (name: string) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : undefined; };

async function main(): Promise<void> {
  if (opt('scenario') === 'vote-storm') return voteStorm();
  if (opt('scenario') === 'phone') return phoneBench();
  if (opt('scenario') === 'capacity') { if (!(await capacityBench())) process.exit(1); return; }
  requireRoot();
  let scenarios: Scenario[] = SCENARIOS;
  const only = opt('scenario');
  if (only) scenarios = only === 'kernels' || only === 'calibration' ? [] : [findScenario(only)];
  const profile = opt('profile');
  if (profile) scenarios = scenarios.map((s) => ({ ...s, name: only ? s.name : `${s.name}-${profile}`, participants: s.participants.map(() => ({ profile })), steps: undefined }));
  const kernels = only && only !== 'kernels' ? [] : await runKernelBench();
  if (only === 'calibration') {
    const checks = await calibrateAll();
    for (const c of checks) console.log(`  ${c.profile.padEnd(15)} ${c.what.padEnd(24)} expected ${Math.round(c.expected * 10) / 10} measured ${Math.round(c.measured * 10) / 10} ${c.tolerance} ${c.ok ? 'ok' : 'OFF'}`);
    const bad = checks.filter((c) => !c.ok).length;
    console.log(`[bench] calibration: ${checks.length - bad}/${checks.length} checks within tolerance`);
    if (bad) process.exit(1);
    return;
  }
  if (kernels.length) {
    console.log('[bench] kernels (ms/frame, in a Chromium worker):');
    for (const k of kernels) console.log(`  ${k.target.padEnd(12)} ${k.name.padEnd(18)} ${k.msPerFrame.toFixed(3)}`);
  }
  if (only === 'kernels') return finishKernels(kernels);
  const calibration = only ? [] : await calibrateAll();
  const budgets = loadBudgets();
  const results: ScenarioResult[] = [];
  const verdicts: Verdict[] = [];
  const startedAt = Date.now();
  // --runs N repeats every scenario; the summary then gives each budget's median and worst.
  const runs = Math.max(1, Number(opt('runs') ?? 1));
  const byScenario = new Map<string, ScenarioResult[]>();
  for (const [i, s] of scenarios.entries()) {
    for (let k = 1; k <= runs; k++) {
      console.log(`[bench] ${i + 1}/${scenarios.length} ${s.name}${runs > 1 ? ` (run ${k}/${runs})` : ''}: ${s.description}`);
      const r = await runScenario(runs > 1 ? { ...s, name: `${s.name}-run${k}` } : s);
      results.push(r);
      // A run on another profile is still judged by its scenario's budgets.
      const key = profile && !only ? s.name.slice(0, -(profile.length + 1)) : s.name;
      verdicts.push(...checkBudgets(r, budgets, key));
      byScenario.set(key, [...(byScenario.get(key) ?? []), r]);
      console.log(JSON.stringify({ scenario: r.scenario, summary: r.summary, server: { cpuPctAvg: Math.round(r.server.cpuPctAvg), rssMbMax: Math.round(r.server.rssMbMax) } }));
    }
  }
  const overRuns = runs > 1 ? [...byScenario].flatMap(([key, rs]) => aggregateRuns(key, rs, budgets)) : [];
  const dir = resolve(import.meta.dirname, '../results', new Date(startedAt).toISOString().replace(/[:.]/g, '-'));
  const kernelBudget = loadBudgets().kernels?.wasmSimd720to360Ms;
  const simd = kernels.find((k) => k.target === '720p->360p' && k.name === 'wasm-simd');
  if (kernelBudget !== undefined && kernels.length) verdicts.push({ scenario: 'kernels', metric: 'wasmSimd720to360Ms', value: simd?.msPerFrame ?? null, budget: kernelBudget, ok: simd !== undefined && simd.msPerFrame <= kernelBudget });
  writeResults(dir, results, verdicts, overRuns);
  if (kernels.length) writeFileSync(join(dir, 'kernels.json'), JSON.stringify(kernels, null, 1));
  if (calibration.length) {
    writeFileSync(join(dir, 'calibration.json'), JSON.stringify(calibration, null, 1));
    const bad = calibration.filter((c) => !c.ok);
    console.log(`[bench] calibration: ${calibration.length - bad.length}/${calibration.length} checks within tolerance${bad.length ? `; off: ${bad.map((c) => `${c.profile} ${c.what} ${Math.round(c.measured)} vs ${Math.round(c.expected)}`).join(', ')}` : ''}`);
    verdicts.push(...bad.map((c) => ({ scenario: `calibration:${c.profile}`, metric: c.what, value: c.measured, budget: c.expected, ok: false })));
  }
  console.log('\n' + markdown(results, verdicts, overRuns).replace(/!\[.*\]\(.*\)\n/g, ''));
  console.log(`[bench] results: ${join(dir, 'summary.md')} (JSON: results.json, plots: *.svg)`);
  // The standard suite also measures SFU capacity (no browsers, no namespaces).
  if (!only && !(await capacityBench())) verdicts.push({ scenario: 'capacity', metric: 'see capacity summary', value: null, budget: 0, ok: false });
  const broken = verdicts.filter((v) => !v.ok);
  if (broken.length) {
    console.error(`[bench] ${broken.length} budget(s) broken: ${broken.map((b) => `${b.scenario}.${b.metric}=${b.value ?? 'n/a'} > ${b.budget}`).join(', ')}`);
    process.exit(1);
  }
}

/** Signaling-only: no namespaces, no root; the real server and a real SQLite file. */
async function voteStorm(): Promise<void> {
  console.log('[bench] vote-storm: 300 voters cast a secret ballot within 2 s (SQLite, fsync on every ballot)');
  const r = await runVoteStorm({ log: (l) => console.log(l) });
  const budget = loadBudgets()['vote-storm'] ?? {};
  const verdicts: Verdict[] = [
    { scenario: 'vote-storm', metric: 'ackP95Ms', value: r.ackP95Ms, budget: budget.ackP95Ms ?? 0, ok: r.ackP95Ms !== null && r.ackP95Ms <= (budget.ackP95Ms ?? 0) },
    { scenario: 'vote-storm', metric: 'minBallotsPerS', value: r.ballotsPerS, budget: budget.minBallotsPerS ?? Infinity, ok: r.ballotsPerS >= (budget.minBallotsPerS ?? Infinity) },
    { scenario: 'vote-storm', metric: 'lostBallots', value: r.voters - r.counted, budget: 0, ok: r.counted === r.voters && r.failed === 0 && r.reportValid },
  ];
  const { latencies, ...summary } = r;
  const dir = resolve(import.meta.dirname, '../results', new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'vote-storm.json'), JSON.stringify({ ...summary, latencies: latencies.map((l) => Math.round(l * 10) / 10), verdicts }, null, 1));
  writeFileSync(join(dir, 'vote-storm.svg'), voteStormSvg(r));
  const md = ['# vote-storm', '', `${r.voters} voters, ballots sent at random within ${r.windowMs} ms; every ballot committed to SQLite (WAL, synchronous=FULL) before its acknowledgement.`, '',
    '| ballots acked | failed | ballots/s | ack p50 ms | ack p95 ms | ack max ms | report verified | counted |', '| --- | --- | --- | --- | --- | --- | --- | --- |',
    `| ${r.acked} | ${r.failed} | ${r.ballotsPerS.toFixed(0)} | ${r.ackP50Ms?.toFixed(1)} | ${r.ackP95Ms?.toFixed(1)} | ${r.ackMaxMs?.toFixed(1)} | ${r.reportValid} | ${r.counted} |`, '',
    '| budget | measured | limit | verdict |', '| --- | --- | --- | --- |', ...verdicts.map((v) => `| ${v.metric} | ${v.value === null ? '–' : v.value.toFixed(1)} | ${v.budget} | ${v.ok ? 'ok' : '**BROKEN**'} |`), '', '![latency](vote-storm.svg)', ''].join('\n');
  writeFileSync(join(dir, 'summary.md'), md);
  console.log(JSON.stringify({ scenario: 'vote-storm', summary }));
  console.log('\n' + md.replace(/!\[.*\]\(.*\)\n/g, ''));
  console.log(`[bench] results: ${join(dir, 'summary.md')}`);
  if (verdicts.some((v) => !v.ok)) process.exit(1);
}

/** Phone dial-in: 10 sipp callers and 2 browsers; no namespaces (loopback), no root. */
async function phoneBench(): Promise<void> {
  console.log('[bench] phone: 10 phone callers (sipp) and 2 browsers in one room');
  const r = await runPhoneBench({ log: (l) => console.log(l) });
  const budget = loadBudgets().phone ?? {};
  const v = (metric: string, value: number | null, limit: number | undefined): Verdict => ({ scenario: 'phone', metric, value, budget: limit ?? 0, ok: value !== null && value <= (limit ?? 0) });
  const verdicts: Verdict[] = [
    v('cpuPerCallerPct', r.cpuPerCallerPct, budget.cpuPerCallerPct),
    v('oneWayP95Ms', r.oneWayP95Ms, budget.oneWayP95Ms),
    v('underrunsPerMin', r.underrunsPerMin, budget.underrunsPerMin),
  ];
  const dir = resolve(import.meta.dirname, '../results', new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'phone.json'), JSON.stringify({ ...r, verdicts }, null, 1));
  writeFileSync(join(dir, 'phone.svg'), phoneSvg(r));
  const f = (n: number | null) => (n === null ? '–' : n.toFixed(1));
  const md = ['# phone', '', `${r.callers} callers (sipp; one echoes, nine play recorded speech) and ${r.browsers} browsers, ${r.windowS} s measured.`, '',
    '| server CPU idle % | with calls % | per caller % (server process) | per caller % (with media workers) | underruns/min | lost frames/min | beep loop p50 ms | one way p50 ms | one way p95 ms | beeps heard |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    `| ${f(r.cpuIdlePct)} | ${f(r.cpuCallsPct)} | ${f(r.cpuPerCallerPct)} | ${f(r.treeCpuPerCallerPct)} | ${f(r.underrunsPerMin)} | ${f(r.lostPerMin)} | ${f(r.loopP50Ms)} | ${f(r.oneWayP50Ms)} | ${f(r.oneWayP95Ms)} | ${r.loopMs.length} |`, '',
    'One way = half of the loop browser → SFU → gateway → phone (echo) → gateway → SFU → browser; the two directions are not measured apart.', '',
    '| budget | measured | limit | verdict |', '| --- | --- | --- | --- |', ...verdicts.map((x) => `| ${x.metric} | ${f(x.value)} | ${x.budget} | ${x.ok ? 'ok' : '**BROKEN**'} |`), '', '![loop](phone.svg)', ''].join('\n');
  writeFileSync(join(dir, 'summary.md'), md);
  console.log(JSON.stringify({ scenario: 'phone', summary: { ...r, loopMs: undefined } }));
  console.log('\n' + md.replace(/!\[.*\]\(.*\)\n/g, ''));
  console.log(`[bench] results: ${join(dir, 'summary.md')}`);
  if (verdicts.some((x) => !x.ok)) process.exit(1);
}

function finishKernels(kernels: Awaited<ReturnType<typeof runKernelBench>>): void {
  const budget = loadBudgets().kernels?.wasmSimd720to360Ms ?? Infinity;
  const simd = kernels.find((k) => k.target === '720p->360p' && k.name === 'wasm-simd');
  console.log(JSON.stringify({ kernels }));
  if (!simd || simd.msPerFrame > budget) { console.error(`[bench] kernel budget broken: wasm-simd 720p->360p ${simd?.msPerFrame ?? 'n/a'} > ${budget} ms`); process.exit(1); }
}

/** Every profile (a timeline's first step), measured through the shaper. */
async function calibrateAll(): Promise<(Check & { profile: string })[]> {
  const out: (Check & { profile: string })[] = [];
  const t = await up(1);
  try {
    for (const name of listProfiles()) {
      const profile = loadProfile(name);
      const link = linkAt(profile, 0);
      await apply(t, 'p1', { name, description: '', link });
      console.log(`[bench] calibrating ${name}`);
      try {
        for (const c of await calibrate(t, 'p1', link, { seconds: 4 })) out.push({ ...c, profile: name });
      } catch (error) {
        // A measurement that could not complete is a failed check, not the end of the bench.
        out.push({ profile: name, what: `measurement failed: ${(error as Error).message.split('\n')[0]}`, expected: 0, measured: NaN, unit: '', tolerance: '', ok: false });
      }
    }
  } finally {
    down();
  }
  return out;
}

main().catch((e: unknown) => { console.error(`[bench] ${(e as Error).stack ?? e}`); process.exit(2); });
