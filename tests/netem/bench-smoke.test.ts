// Keeps the bench harness working: the smoke scenario (2 participants on municipal-weak,
// 20 s) runs end to end and produces every metric. Budgets are the bench's business.
import { expect, it } from 'vitest';
import { describeNetem } from './requirements.js';
import { namespaces } from '../../netem/src/topology.js';
import { runScenario } from '../../bench/src/runner.js';
import { SMOKE } from '../../bench/src/scenarios.js';
import { checkBudgets, markdown, svgPlot } from '../../bench/src/report.js';

describeNetem('bench smoke', () => it('the smoke scenario produces every metric', async () => {
  const r = await runScenario(SMOKE, () => undefined);
  expect(namespaces()).toEqual([]);
  expect(r.participants).toHaveLength(2);
  for (const p of r.participants) {
    expect(p.series.length).toBeGreaterThan(50);
    expect(p.g2gSamples).toBeGreaterThan(10);
    expect(p.g2gP50Ms).toBeGreaterThan(100); // two 60 ms hops cannot be faster
    expect(p.audioConcealmentPct).not.toBeNull();
    expect(p.recvKbpsAvg).toBeGreaterThan(10);
    expect(p.sentKbpsAvg).toBeGreaterThan(10);
  }
  expect(r.participants[1]!.joinMs).toBeGreaterThan(0);
  expect(r.server.samples.length).toBeGreaterThan(10);
  expect(r.server.rssMbMax).toBeGreaterThan(20);
  expect(markdown([r], checkBudgets(r, { smoke: { g2gP95Ms: 10_000 } }))).toContain('| P2 | municipal-weak |');
  expect(svgPlot(r)).toMatch(/^<svg[\s\S]*<polyline[\s\S]*<\/svg>$/);
}, 180_000));
