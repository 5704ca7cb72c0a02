// Privacy by default: Leave (and a failed join) turns every device off, closing a tab
// leaves at once (no ghost in the attendance list), and camera-off removes the still
// picture from every receiver.
import { createRoom, expect, joinAs, recordTracks, test, trackStates } from './helpers.js';

test('after Leave every captured track is ended and the scaler output too', async ({ browser, baseURL }) => {
  const room = await createRoom(baseURL!);
  const page = await joinAs(browser, room.participantUrl, 'Leaver', { init: recordTracks });
  try {
    const before = await trackStates(page);
    expect(before).toContain('video:live');
    expect(before).toContain('audio:live');
    // The track actually sent (the scaler worker's generator) is live during the call.
    await page.evaluate(() => { (window as any).__sent = (window as any).thinline.call.sender.track; });
    await page.getByRole('button', { name: 'Leave' }).click();
    await expect(page.getByTestId('call-over')).toBeVisible();
    await expect.poll(() => trackStates(page)).toEqual(before.map((s) => s.replace(':live', ':ended')));
    expect(await page.evaluate(() => ((window as any).__sent as MediaStreamTrack).readyState)).toBe('ended');
    expect(await page.locator('video').count()).toBe(0);
  } finally {
    await page.context().close();
  }
});

test('a failed join turns the devices off too', async ({ browser, baseURL }) => {
  const page = await joinAs(browser, `${baseURL}/r/AAAAAAAAAAAAAAAAAAAAAA`, 'Lost', { init: recordTracks, expectStatus: 'error' });
  try {
    await expect(page.getByRole('alert')).toContainText('does not exist');
    await expect.poll(async () => (await trackStates(page)).every((s) => s.endsWith(':ended'))).toBe(true);
    expect((await trackStates(page)).length).toBeGreaterThanOrEqual(2);
  } finally {
    await page.context().close();
  }
});

test('closing a tab removes the participant for everyone at once; a late joiner sees no ghost', async ({ join, browser, baseURL }) => {
  const room = await createRoom(baseURL!);
  const alice = await join(room.moderatorUrl, 'Alice');
  const bob = await joinAs(browser, room.participantUrl, 'Bob');
  await expect(alice.locator('li.tile[aria-label="Bob"]')).toBeVisible();
  const closedAt = Date.now();
  await bob.context().close();
  await expect(alice.locator('li.tile[aria-label="Bob"]')).toHaveCount(0, { timeout: 3_000 });
  expect(Date.now() - closedAt).toBeLessThan(3_000);
  await expect(alice.getByTestId('announcer')).toHaveText('Bob left');
  const carol = await join(room.participantUrl, 'Carol');
  await expect(carol.locator('li.tile[aria-label="Alice"]')).toBeVisible();
  await expect(carol.locator('li.tile[aria-label="Bob"]')).toHaveCount(0);
});

test('turning the camera off removes the still picture from the receiver; the avatar shows', async ({ join, baseURL }) => {
  const room = await createRoom(baseURL!);
  const sender = await join(room.moderatorUrl, 'Edge Link');
  const receiver = await join(room.participantUrl, 'Viewer');
  await sender.evaluate(() => (window as any).thinline.call.sender.force(4));
  const tile = receiver.locator('li.tile[aria-label="Edge Link"]');
  await expect(tile.locator('img.still')).toBeVisible({ timeout: 15_000 });
  await sender.getByRole('button', { name: 'Turn camera off' }).click();
  await expect(tile.locator('img.still')).toHaveCount(0, { timeout: 5_000 });
  await expect(tile.getByTestId('image-mode')).toHaveCount(0);
  await expect(tile.locator('.avatar')).toBeVisible();
  await expect(tile.locator('[data-reason="camera-off"]')).toBeVisible();
});
