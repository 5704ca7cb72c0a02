// Real Chromium, fake camera and mic, our server and SFU: the foundation's promise.
import { createRoom, expect, expectMediaFlowing, test } from './helpers.js';

test('two participants see and hear each other; a third joins and leaves; a socket drop is survived', async ({ join, baseURL }) => {
  const room = await createRoom(baseURL!);
  const alice = await join(room.moderatorUrl, 'Alice');
  const bob = await join(room.participantUrl, 'Bob');

  await expect(alice.locator('li.tile[aria-label="Bob"] video')).toBeVisible();
  await expect(bob.locator('li.tile[aria-label="Alice"]')).toBeVisible();
  await expectMediaFlowing(alice);
  await expectMediaFlowing(bob);

  // A third participant joins and leaves: its tile disappears for the others within 2 s.
  const carol = await join(room.participantUrl, 'Carol');
  await expect(alice.locator('li.tile[aria-label="Carol"]')).toBeVisible();
  await expect(bob.locator('li.tile[aria-label="Carol"]')).toBeVisible();
  // Clicked from inside the page, timed from the click itself: Playwright's own checks before
  // a click (a stable box over two frames) took up to ~1 s on the loaded 2-core CI machine.
  const leftAt = await carol.getByRole('button', { name: 'Leave' }).evaluate((b) => { (b as HTMLButtonElement).click(); return Date.now(); });
  await expect(alice.locator('li.tile[aria-label="Carol"]')).toHaveCount(0, { timeout: 2_000 });
  await expect(bob.locator('li.tile[aria-label="Carol"]')).toHaveCount(0, { timeout: 2_000 });
  expect(Date.now() - leftAt).toBeLessThan(2_000);
  await expect(alice.getByTestId('announcer')).toHaveText('Carol left');
  await expect(alice.getByTestId('activity')).toHaveText('Carol left'); // visible too
  await carol.context().close();

  // Bob's WebSocket drops: he resumes his session; Alice sees no leave/join.
  const bobId = await bob.evaluate(() => (window as any).thinline.call.selfId as string);
  await alice.evaluate(() => {
    (window as any).__events = [];
    const announcer = document.querySelector('[data-testid="announcer"]')!;
    new MutationObserver(() => (window as any).__events.push(announcer.textContent)).observe(announcer, { childList: true, characterData: true, subtree: true });
  });
  await bob.evaluate(() => (window as any).thinline.call.signaling.dropConnection());
  await expect.poll(() => bob.evaluate(() => (window as any).thinline.call.resumes)).toBe(1);
  expect(await bob.evaluate(() => (window as any).thinline.call.status)).toBe('joined');
  expect(await bob.evaluate(() => (window as any).thinline.call.selfId)).toBe(bobId);
  await expectMediaFlowing(alice);
  await expectMediaFlowing(bob);
  expect(await alice.evaluate(() => (window as any).__events)).toEqual([]);
  await expect(alice.locator('li.tile[aria-label="Bob"]')).toHaveCount(1);
});
