// The shaper, measured from outside with ping and iperf3 across real network namespaces:
// what the profile promises is what the link does. Needs root (CI and these machines are).
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { calibrate } from '../../netem/src/calibrate.js';
import { loadProfile } from '../../netem/src/profile.js';
import { apply, control, down, namespaces, up, type Topology } from '../../netem/src/topology.js';

import { describeNetem } from './requirements.js';

let t: Topology;

describeNetem('netem calibration', () => {
  beforeAll(async () => { t = await up(1); }, 30_000);
  afterAll(() => down());

  for (const name of ['dsl', 'municipal-weak']) {
    it(`${name}: RTT, rates and loss within tolerance`, async () => {
      const profile = loadProfile(name);
      await apply(t, 'p1', profile);
      const checks = await calibrate(t, 'p1', profile.link!, { seconds: 3 });
      console.table(checks.map((c) => ({ ...c, expected: Math.round(c.expected * 10) / 10, measured: Math.round(c.measured * 10) / 10 })));
      expect(checks.length).toBeGreaterThanOrEqual(3);
      expect(checks.filter((c) => !c.ok)).toEqual([]);
    }, 90_000);
  }

  it('counts what it shapes, and tears down without leftovers even after the shaper died', async () => {
    const counters = await control(t, { cmd: 'counters' }) as { hosts: { p1: { down: { packets: number } } } };
    expect(counters.hosts.p1.down.packets).toBeGreaterThan(1000);
    process.kill(t.shaperPid, 'SIGKILL');
    down();
    expect(namespaces()).toEqual([]);
    expect(readdirSync('/sys/class/net').filter((n) => n.startsWith('tlt-') || n.startsWith('tlctl'))).toEqual([]);
  });
});
