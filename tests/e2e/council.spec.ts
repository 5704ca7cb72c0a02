// A council meeting in real Chromium: the chair admits and rejects at the waiting room,
// locks the room, mutes everyone with "only the chair unmutes", runs the speaker queue,
// chat and a poll; a participant's forged chair request is refused; and the views pass
// axe-core (WCAG 2.1 AA) and work with the keyboard alone.
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from '@playwright/test';
import { createRoom, expect, joinAs, rawRequest, tabTo, test } from './helpers.js';

/** Opens the participant link and goes through pre-join; the page then waits (or is refused). */
async function knock(browser: Browser, url: string, name: string): Promise<Page> {
  const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
  await page.goto(url);
  await page.getByLabel('Your name').fill(name);
  await page.getByRole('button', { name: 'Join meeting' }).click();
  return page;
}

async function axe(page: Page, what: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const violations = result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(violations, `axe on ${what}`).toEqual([]);
}

test('waiting room: admit one, reject one; a locked room refuses a late joiner; a forged chair request is refused; axe is clean', async ({ browser, baseURL }) => {
  test.setTimeout(90_000);
  const room = await createRoom(baseURL!, { lobby: true });
  const chair = await joinAs(browser, room.moderatorUrl, 'Chair');
  const pages: Page[] = [chair];
  try {
    const anna = await knock(browser, room.participantUrl, 'Anna');
    pages.push(anna);
    await expect(anna.getByTestId('waiting-room')).toBeVisible();
    await expect(anna.getByTestId('waiting-status')).toHaveText('Please wait: the chair will let you in shortly.');
    await axe(anna, 'the waiting room');
    // The chair is told (badge, live region) and sees the list with the name.
    await expect(chair.getByTestId('waiting-count')).toHaveText('1');
    await expect(chair.getByTestId('alerts')).toHaveText('Anna is waiting to be let in');
    await chair.getByTestId('open-participants').click();
    await expect(chair.getByTestId('lobby-list')).toContainText('Anna');
    await axe(chair, 'the moderator view with the participants panel and waiting list');
    await chair.getByRole('button', { name: 'Admit Anna' }).click();
    await expect.poll(() => anna.evaluate(() => (window as any).thinline.call.status)).toBe('joined');
    await expect(chair.locator('li.tile[aria-label="Anna"]')).toBeVisible();

    const ben = await knock(browser, room.participantUrl, 'Ben');
    pages.push(ben);
    await expect(chair.getByRole('button', { name: 'Reject Ben' })).toBeVisible();
    await chair.getByRole('button', { name: 'Reject Ben' }).click();
    await expect(ben.getByTestId('call-over')).toContainText('The chair did not let you in.');
    await expect(chair.locator('li.tile[aria-label="Ben"]')).toHaveCount(0);

    // Lock: a late joiner is refused with a clear message.
    await chair.getByLabel('Lock meeting').check();
    await expect.poll(() => chair.evaluate(() => (window as any).thinline.call.meeting.settings.locked)).toBe(true);
    const carl = await knock(browser, room.participantUrl, 'Carl');
    pages.push(carl);
    await expect(carl.getByTestId('call-over')).toContainText('The meeting was locked');

    // Anna forges chair requests: refused, and nothing changes.
    expect(await rawRequest(anna, 'muteAll', {})).toEqual({ ok: false, code: 'forbidden' });
    expect(await rawRequest(anna, 'setSettings', { locked: false })).toEqual({ ok: false, code: 'forbidden' });
    const chairId = await chair.evaluate(() => (window as any).thinline.call.selfId);
    expect(await rawRequest(anna, 'remove', { peerId: chairId })).toEqual({ ok: false, code: 'forbidden' });
    expect(await chair.evaluate(() => (window as any).thinline.call.status)).toBe('joined');
    expect(await chair.evaluate(() => (window as any).thinline.call.meeting.settings.locked)).toBe(true);

    for (const panel of ['Chat', 'Polls'] as const) {
      await chair.getByRole('button', { name: panel, exact: true }).click();
      await axe(chair, `the ${panel} panel (moderator)`);
    }
    await anna.getByRole('button', { name: 'Participants' }).click();
    await axe(anna, 'the participant view with the participants panel');
  } finally {
    for (const p of pages) await p.context().close().catch(() => undefined);
  }
});

test('mute all with "only the chair unmutes", the speaker queue, chat for late joiners, and a poll', async ({ browser, baseURL }) => {
  test.setTimeout(120_000);
  const room = await createRoom(baseURL!);
  const chair = await joinAs(browser, room.moderatorUrl, 'Chair');
  const names = ['Anna', 'Dora', 'Emil'];
  const people: Page[] = [];
  try {
    // Cameras off but the chair's, joining at once: this test is about moderation, hands,
    // chat and polls.
    // Every page that joined is closed in `finally`, even when another join failed.
    const joins = await Promise.allSettled(names.map((n) => joinAs(browser, room.participantUrl, n, { camera: false })));
    for (const j of joins) if (j.status === 'fulfilled') people.push(j.value);
    const failed = joins.find((j) => j.status === 'rejected');
    if (failed) throw failed.reason;
    const [anna, dora, emil] = people as [Page, Page, Page];
    const everyone = [chair, ...people];

    // Mute all; Anna cannot unmute herself while only the chair unmutes.
    await chair.getByTestId('open-participants').click();
    await chair.getByLabel('Only the chair unmutes').check();
    await chair.getByRole('button', { name: 'Mute all' }).click();
    for (const p of people) await expect(p.getByRole('button', { name: 'Unmute microphone' })).toBeVisible();
    await expect(anna.getByTestId('alerts')).toContainText('Only the chair can unmute you now');
    await anna.getByRole('button', { name: 'Unmute microphone' }).click();
    await expect(anna.getByTestId('notice')).toContainText('Only the chair can unmute you now');
    await expect(anna.getByRole('button', { name: 'Unmute microphone' })).toBeVisible();
    expect(await anna.evaluate(() => (window as any).thinline.call.micOn)).toBe(false);

    // Three hands: the same order on every client.
    for (const p of [dora, anna, emil]) {
      await p.getByRole('button', { name: 'Raise hand' }).click();
      await expect(p.getByRole('button', { name: 'Lower hand' })).toBeVisible();
    }
    const ids = await Promise.all([dora, anna, emil].map((p) => p.evaluate(() => (window as any).thinline.call.selfId as string)));
    for (const p of everyone) await expect.poll(() => p.evaluate(() => (window as any).thinline.call.meeting.hands.join())).toBe(ids.join());
    await emil.getByRole('button', { name: 'Participants' }).click();
    await expect(emil.getByText('You are number 3 in the speaker queue')).toBeVisible();
    await chair.getByRole('button', { name: 'Give the floor to the next' }).click();
    await expect(dora.getByTestId('speaker-banner')).toContainText('You have the floor');
    await expect(chair.getByTestId('speaker-banner')).toContainText('Dora has the floor');
    for (const p of everyone) await expect(p.getByTestId('speaker-banner')).toBeVisible();
    await expect(dora.getByTestId('alerts')).toHaveText('The chair gives you the floor. You may unmute now.');
    // Called: Dora may unmute now.
    await dora.getByRole('button', { name: 'Unmute microphone' }).click();
    await expect(dora.getByRole('button', { name: 'Mute microphone' })).toBeVisible();
    for (const p of everyone) await expect.poll(() => p.evaluate(() => (window as any).thinline.call.meeting.hands.join())).toBe(ids.slice(1).join());

    // Chat reaches everyone, including someone who joins later.
    await anna.getByRole('button', { name: 'Chat', exact: true }).click();
    await anna.getByLabel('Message').fill('Ich beantrage eine Pause.');
    await anna.getByRole('button', { name: 'Send' }).click();
    for (const p of [chair, dora, emil]) await expect.poll(() => p.evaluate(() => (window as any).thinline.call.meeting.chat.map((m: any) => m.text).join())).toBe('Ich beantrage eine Pause.');
    await emil.context().close();
    const felix = await joinAs(browser, room.participantUrl, 'Felix', { camera: false });
    people.push(felix);
    await felix.getByRole('button', { name: 'Chat', exact: true }).click();
    await expect(felix.getByTestId('chat-panel')).toContainText('Ich beantrage eine Pause.');

    // A poll answered by all; the result is the same everywhere.
    await chair.getByRole('button', { name: 'Polls', exact: true }).click();
    await chair.getByLabel('Question').fill('Pause um 15 Uhr?');
    await chair.getByLabel('Options (one per line, 2 to 10)').fill('Ja\nNein');
    await chair.getByRole('button', { name: 'Start poll' }).click();
    const voters = [chair, anna, dora, felix];
    const choice = ['Ja', 'Ja', 'Nein', 'Ja'];
    for (const [i, p] of voters.entries()) {
      if (p !== chair) await p.getByRole('button', { name: 'Polls', exact: true }).click();
      await p.getByRole('radio', { name: choice[i] }).check();
      await p.getByRole('button', { name: 'Answer' }).click();
    }
    await expect(chair.getByText('4 answered')).toBeVisible();
    await chair.getByRole('button', { name: 'Close poll' }).click();
    for (const p of voters) {
      await expect(p.getByTestId('poll-results').locator('[data-option="0"]')).toHaveText('3 votes');
      await expect(p.getByTestId('poll-results').locator('[data-option="1"]')).toHaveText('1 votes');
    }
  } finally {
    await chair.context().close().catch(() => undefined);
    for (const p of people) await p.context().close().catch(() => undefined);
  }
});

test('keyboard only: the chair admits from the waiting room, a participant raises the hand', async ({ browser, baseURL }) => {
  test.setTimeout(60_000);
  const room = await createRoom(baseURL!, { lobby: true });
  const chair = await joinAs(browser, room.moderatorUrl, 'Chair');
  const gina = await knock(browser, room.participantUrl, 'Gina');
  try {
    await expect(chair.getByTestId('waiting-count')).toHaveText('1');
    await tabTo(chair, (el) => el.text.startsWith('Participants'));
    await chair.keyboard.press('Enter');
    await expect(chair.getByTestId('lobby-list')).toBeVisible();
    await tabTo(chair, (el) => el.text === 'Admit Gina');
    await chair.keyboard.press('Enter');
    await expect.poll(() => gina.evaluate(() => (window as any).thinline.call.status)).toBe('joined');
    await tabTo(gina, (el) => el.text === 'Raise hand');
    await gina.keyboard.press('Enter');
    await expect(gina.getByRole('button', { name: 'Lower hand' })).toBeFocused();
    await expect(gina.getByTestId('announcer')).toHaveText('Your hand is raised. You are number 1 in the queue.');
    await expect(chair.locator('li.tile[aria-label="Gina"]').getByTestId('hand')).toBeVisible();
  } finally {
    await chair.context().close().catch(() => undefined);
    await gina.context().close().catch(() => undefined);
  }
});
