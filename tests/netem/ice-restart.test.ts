// ICE restart, for real: a participant's media path is cut (100 % loss on its emulated
// link for 8 s) while the call runs. Its transports go 'disconnected', the client asks
// for an ICE restart, and once the link is back media flows again: same participant, no
// rejoin, and nobody else saw it leave.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { expect, it } from 'vitest';
import { launchIn, PORT, startServerIn, waitFor } from '../../bench/src/runner.js';
import { loadProfile } from '../../netem/src/profile.js';
import { apply, down, up } from '../../netem/src/topology.js';
import { describeNetem } from './requirements.js';

const call = (page: Page, expr: string): Promise<any> => page.evaluate(`(() => { const c = window.thinline.call; return ${expr}; })()`);
async function videoFrames(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const report: RTCStatsReport | null = await (window as any).thinline.call.media.recvStats();
    let frames = 0;
    report?.forEach((s: any) => { if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded ?? 0; });
    return frames;
  });
}

describeNetem('ICE restart', () => it('a cut media path recovers by ICE restart without a rejoin', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'thinline-ice-'));
  const browsers: Browser[] = [];
  const t = await up(2);
  const server = startServerIn(t, join(dir, 'data'));
  try {
    const lan = loadProfile('lan');
    for (const p of t.participants) await apply(t, p.name, lan);
    const control = `http://${t.server.controlIp}:${PORT}`;
    await waitFor('server', async () => (await fetch(`${control}/api/health`)).ok, 30_000);
    const room = await (await fetch(`${control}/api/rooms`, { method: 'POST', body: '{"name":"ICE","lobby":false}' })).json() as { participantUrl: string };
    const origin = `http://${t.server.ip}:${PORT}`;
    const pages: Page[] = [];
    for (const [i, host] of t.participants.entries()) {
      const browser = await launchIn(host.ns, dir, origin);
      browsers.push(browser);
      const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
      await page.goto(room.participantUrl);
      await page.getByLabel('Your name').fill(`P${i + 1}`);
      await page.locator('button[type=submit]:not([disabled])').click();
      await waitFor(`P${i + 1} joined`, async () => (await call(page, 'c.status')) === 'joined', 30_000);
      pages.push(page);
    }
    const [cut, other] = pages as [Page, Page];
    await waitFor('video at the cut participant', async () => (await videoFrames(cut)) > 20, 30_000);
    const peerId = await call(cut, 'c.selfId');
    await other.evaluate(() => { (window as any).__left = 0; (window as any).thinline.call.signaling.on('notification', (n: any) => { if (n.notification === 'peerLeft') (window as any).__left++; }); });

    await cut.evaluate(() => {
      (window as any).__states = [];
      (window as any).thinline.call.media.on('transportstate', (_d: string, state: string) => (window as any).__states.push(state));
    });
    // Cut: everything to and from P1 is lost (media and signaling alike) until its
    // transports notice; then the link comes back and the restart request gets through.
    await apply(t, 'p1', { name: 'blackout', description: 'cut', link: { loss: 1, delayMs: 0, jitterMs: 0, queueMs: 200 } });
    await waitFor('P1 transports to go disconnected', async () => (await cut.evaluate(() => (window as any).__states as string[])).includes('disconnected'), 30_000);
    await apply(t, 'p1', lan);
    await waitFor('an ICE restart', async () => (await call(cut, 'c.media.iceRestarts')) >= 1, 40_000);
    const before = await videoFrames(cut);
    await waitFor('video flowing again', async () => (await videoFrames(cut)) > before + 20, 30_000);
    expect(await call(cut, 'c.selfId')).toBe(peerId);
    expect(await call(cut, 'c.status')).toBe('joined');
    expect(await other.evaluate(() => (window as any).__left)).toBe(0);
    expect(await call(other, 'c.participants.length')).toBe(1);
  } finally {
    for (const b of browsers) await b.close().catch(() => undefined);
    server.kill('SIGTERM');
    down();
    rmSync(dir, { recursive: true, force: true });
  }
}, 180_000));
