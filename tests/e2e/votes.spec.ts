// Legally binding votes in real Chromium: a roll-call and a secret ballot with four
// participants; every client shows the same result and hears it announced; the signed
// report downloads, the independent verifier accepts it and rejects a copy with one ballot
// changed; the votes view passes axe-core and works with the keyboard alone.
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import type { VoteReport } from '../../protocol/index.js';
import { createRoom, expect, tabTo, test } from './helpers.js';

async function openVotes(p: Page): Promise<void> {
  p.on('dialog', (d) => void d.accept());
  await p.getByRole('button', { name: 'Votes', exact: true }).click();
}

async function vote(p: Page, title: string, choice: string): Promise<void> {
  const motion = p.locator('article.motion', { hasText: title });
  await motion.getByRole('radio', { name: choice, exact: true }).check();
  await motion.getByRole('button', { name: 'Cast vote' }).click();
  await expect(motion.getByText('You have voted.')).toBeVisible();
}

test('a roll-call and a secret vote: same result everywhere, report verified, tampering detected, axe and keyboard', async ({ join, baseURL }, testInfo) => {
  test.setTimeout(120_000);
  const room = await createRoom(baseURL!);
  const chair = await join(room.moderatorUrl, 'Chair');
  // Members with cameras off (the chair's stays on), joining at once: this test is about
  // votes and minutes.
  const members = await Promise.all(['Anna', 'Ben', 'Cleo'].map((n) => join(room.participantUrl, n, { camera: false })));
  const everyone = [chair, ...members];
  for (const p of everyone) await openVotes(p);

  // Roll-call: Chair, Anna and Ben yes, Cleo no.
  await chair.getByLabel('Motion', { exact: true }).fill('Bebauungsplan Nr. 12');
  await chair.getByRole('button', { name: 'Open vote' }).click();
  for (const [p, c] of [[chair, 'Yes'], [members[0], 'Yes'], [members[1], 'Yes']] as const) await vote(p!, 'Bebauungsplan Nr. 12', c);
  // Cleo votes with the keyboard alone.
  const cleo = members[2]!;
  await tabTo(cleo, (el) => el.type === 'radio');
  await cleo.keyboard.press('ArrowDown'); // radio group: Yes -> No
  await expect(cleo.getByRole('radio', { name: 'No', exact: true })).toBeChecked();
  await tabTo(cleo, (el) => el.text === 'Cast vote');
  await cleo.keyboard.press('Enter');
  await expect(cleo.locator('article.motion', { hasText: 'Bebauungsplan Nr. 12' }).getByText('You have voted.')).toBeVisible();
  await chair.getByRole('button', { name: 'Close vote' }).click();
  for (const p of everyone) {
    const result = p.locator('article.motion', { hasText: 'Bebauungsplan Nr. 12' }).getByTestId('vote-result');
    await expect(result).toHaveAttribute('data-outcome', 'accepted');
    await expect(result).toHaveAttribute('data-counts', '3,1,0');
  }
  await expect(members[0]!.getByTestId('alerts')).toHaveText('Bebauungsplan Nr. 12: accepted (Yes 3, No 1, Abstain 0)');
  await new AxeBuilder({ page: members[0]! }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze().then((r) => expect(r.violations.map((v) => v.id)).toEqual([]));

  // Secret ballot: Anna and Cleo yes, Ben no, the chair abstains.
  await chair.getByLabel('Motion', { exact: true }).fill('Haushaltssatzung 2027');
  await chair.getByLabel('Kind of vote').selectOption('secret');
  await chair.getByRole('button', { name: 'Open vote' }).click();
  for (const [p, c] of [[members[0], 'Yes'], [members[1], 'No'], [members[2], 'Yes'], [chair, 'Abstain']] as const) await vote(p!, 'Haushaltssatzung 2027', c);
  await new AxeBuilder({ page: chair }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze().then((r) => expect(r.violations.map((v) => v.id)).toEqual([]));
  await chair.getByRole('button', { name: 'Close vote' }).click();
  for (const p of everyone) {
    const result = p.locator('article.motion', { hasText: 'Haushaltssatzung 2027' }).getByTestId('vote-result');
    await expect(result).toHaveAttribute('data-counts', '2,1,1');
    await expect(result).toHaveAttribute('data-outcome', 'accepted');
  }
  // Nobody's name is next to a secret choice in any client.
  expect(await members[0]!.evaluate(() => (window as any).thinline.call.votes.motions.find((m: any) => m.kind === 'secret').votes)).toBeNull();

  // The report downloads, the verifier accepts it and rejects a copy with one ballot changed.
  const motion = members[1]!.locator('article.motion', { hasText: 'Haushaltssatzung 2027' });
  const [download] = await Promise.all([members[1]!.waitForEvent('download'), motion.getByRole('button', { name: 'Download report (JSON)' }).click()]);
  const file = testInfo.outputPath('report.json');
  await download.saveAs(file);
  const key = testInfo.outputPath('key.pem');
  writeFileSync(key, await (await fetch(`${baseURL}/.well-known/thinline-vote-key`)).text());
  const verify = (f: string) => spawnSync(process.execPath, ['--import', 'tsx', 'verify/cli.ts', f, '--key', key, '--lang', 'en'], { encoding: 'utf8' });
  const good = verify(file);
  expect(good.stdout).toMatch(/VALID/);
  expect(good.status).toBe(0);
  const report = JSON.parse(readFileSync(file, 'utf8')) as VoteReport;
  const ballot = report.entries.find((e) => e.type === 'ballot')!;
  (ballot.data.choices as number[])[0] = (ballot.data.choices as number[])[0] === 0 ? 1 : 0;
  const tampered = testInfo.outputPath('tampered.json');
  writeFileSync(tampered, JSON.stringify(report));
  const bad = verify(tampered);
  expect(bad.status).toBe(1);
  expect(bad.stdout).toMatch(new RegExp(`entry ${ballot.seq} \\(ballot\\)`));
  // The printable report downloads too.
  const [html] = await Promise.all([members[1]!.waitForEvent('download'), motion.getByRole('button', { name: 'Open printable report' }).click()]);
  const htmlFile = testInfo.outputPath('report.html');
  await html.saveAs(htmlFile);
  expect(readFileSync(htmlFile, 'utf8')).toContain('Haushaltssatzung 2027');

  // Minutes: the chair lets Anna write; both type at once and see the same text.
  const anna = members[0]!;
  await chair.getByRole('button', { name: 'Minutes', exact: true }).click();
  await chair.getByRole('checkbox', { name: 'Anna' }).check();
  await anna.getByRole('button', { name: 'Minutes', exact: true }).click();
  await expect(anna.getByLabel('Minutes (you are writing)')).toBeVisible();
  const chairArea = chair.getByLabel('Minutes (you are writing)');
  const annaArea = anna.getByLabel('Minutes (you are writing)');
  await chairArea.click();
  await chair.keyboard.press('Control+Home');
  await annaArea.click();
  await anna.keyboard.press('Control+End');
  await Promise.all([chair.keyboard.type('TOP 1 Eroeffnung. ', { delay: 15 }), anna.keyboard.type(' Beginn 18 Uhr.', { delay: 15 })]);
  await expect.poll(async () => (await chairArea.inputValue()) === (await annaArea.inputValue())).toBe(true);
  const text = await chairArea.inputValue();
  expect(text).toContain('TOP 1 Eroeffnung.');
  expect(text).toContain('Beginn 18 Uhr.');
  // A reader sees it and cannot edit.
  await members[1]!.getByRole('button', { name: 'Minutes', exact: true }).click();
  await expect(members[1]!.getByLabel('Minutes (read only)')).toHaveValue(text);
  await new AxeBuilder({ page: chair }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze().then((r) => expect(r.violations.map((v) => v.id)).toEqual([]));
  const [md] = await Promise.all([chair.waitForEvent('download'), chair.getByRole('button', { name: 'Export minutes (Markdown)' }).click()]);
  const mdFile = testInfo.outputPath('minutes.md');
  await md.saveAs(mdFile);
  const exported = readFileSync(mdFile, 'utf8');
  expect(exported).toContain('TOP 1 Eroeffnung.');
  // Attendance in order of arrival (the members join at once: any order among them).
  const attendance = exported.slice(exported.indexOf('## Anwesenheit'));
  expect(attendance).toMatch(/^## Anwesenheit\s+- Chair \(Moderation/);
  for (const n of ['Anna', 'Ben', 'Cleo']) expect(attendance).toContain(`- ${n} (Mitglied, Browser)`);
  expect(exported).toMatch(/Bebauungsplan Nr\. 12 \(roll-call, simple\): accepted; Ja 3, Nein 1, Enthaltung 0/);
  expect(exported).toMatch(/Haushaltssatzung 2027 \(secret, simple\): accepted; Ja 2, Nein 1, Enthaltung 1/);
});
