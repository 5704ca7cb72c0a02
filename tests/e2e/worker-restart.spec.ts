// The media worker behind a call dies: the server replaces it and both browsers rebuild
// their media on their own; nobody leaves, video and audio flow again.
import { readdirSync, readFileSync } from 'node:fs';
import { createRoom, expect, expectMediaFlowing, test } from './helpers.js';

/** mediasoup-worker processes of the server under test (they inherit its THINLINE_PORT). */
function workerPids(port: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmd.includes('mediasoup-worker')) continue;
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (env.includes(`THINLINE_PORT=${port}`)) pids.push(Number(entry));
    } catch { /* process ended meanwhile */ }
  }
  return pids;
}

test('a dead media worker is replaced and the call recovers by itself', async ({ join, baseURL }) => {
  const port = new URL(baseURL!).port;
  const room = await createRoom(baseURL!);
  const alice = await join(room.moderatorUrl, 'Alice');
  const bob = await join(room.participantUrl, 'Bob');
  await expectMediaFlowing(bob);

  const pids = workerPids(port);
  expect(pids.length).toBeGreaterThan(0);
  for (const pid of pids) process.kill(pid, 'SIGKILL');

  for (const page of [alice, bob]) {
    await expect.poll(() => page.evaluate(() => (window as any).thinline.call.mediaResets), { timeout: 15_000 }).toBe(1);
  }
  await expectMediaFlowing(alice);
  await expectMediaFlowing(bob);
  await expect(alice.locator('li.tile[aria-label="Bob"] video')).toBeVisible();
  expect(await alice.evaluate(() => (window as any).thinline.call.status)).toBe('joined');
  expect(workerPids(port).some((p) => pids.includes(p))).toBe(false);
});
