// Lawful recording in real Chromium, three participants with distinct test tones
// (Chair 500 Hz, Anna 1000 Hz, Bert 1700 Hz): everyone sees the indicator and is asked;
// Bert declines, so his tone is absent from the exported file while the others' are
// present (checked with Debian's ffmpeg); the recording page is reloaded mid-recording and
// the recording resumes as a new part; the export is seekable (duration within 1 s of what
// was recorded, with cues, read with ffprobe); audio minutes give a valid Ogg Opus file;
// the upload lands in the archive and a participant cannot download it; axe-core is clean
// on the consent dialog and the recording controls.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { createRoom, expect, joinAs, pcm, rawRequest, test, toneMic, toneShare } from './helpers.js';

const TONES = { chair: 500, anna: 1000, bert: 1700 } as const;

async function axe(page: Page, selector: string, what: string): Promise<void> {
  const result = await new AxeBuilder({ page }).include(selector).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), `axe on ${what}`).toEqual([]);
}

/** CPU time (s) of every Chromium process so far, from /proc (measurement only, not asserted). */
function chromiumCpuSeconds(): number {
  const r = spawnSync('pgrep', ['-f', 'chromium'], { encoding: 'utf8' });
  let ticks = 0;
  for (const pid of r.stdout.split('\n').filter(Boolean)) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch { /* exited meanwhile */ }
  }
  return ticks / 100;
}

/** Share of one core all Chromium processes used over `ms` (a measurement window, not a wait for something). */
async function cpuShare(p: Page, ms: number): Promise<number> {
  const c0 = chromiumCpuSeconds();
  const t0 = Date.now();
  await p.waitForTimeout(ms);
  return (chromiumCpuSeconds() - c0) / ((Date.now() - t0) / 1000);
}

const elapsed = (p: Page) => p.evaluate(() => (window as any).thinline.call.recording.elapsedMs as number);

function probe(path: string): { duration: number; codecs: string[] } {
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_name', '-of', 'json', path], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const j = JSON.parse(r.stdout) as { format: { duration: string }; streams: { codec_name: string }[] };
  return { duration: Number(j.format.duration), codecs: j.streams.map((s) => s.codec_name) };
}

async function answer(p: Page, yes: boolean): Promise<void> {
  const dialog = p.getByRole('dialog', { name: 'This meeting is being recorded' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: yes ? 'Yes, record me' : 'No, do not record me' }).click();
  await expect(dialog).toBeHidden();
}

async function download(p: Page, testInfo: { outputPath(name: string): string }, name: string): Promise<string> {
  const link = p.getByTestId('recording-download');
  await expect(link).toBeVisible({ timeout: 60_000 });
  const [file] = await Promise.all([p.waitForEvent('download'), link.click()]);
  const path = testInfo.outputPath(name);
  await file.saveAs(path);
  return path;
}

test('record with consent: a decliner is not in the file, a reload resumes, the export is seekable, audio minutes, archive for moderators only', async ({ browser, baseURL }, testInfo) => {
  test.setTimeout(180_000);
  const room = await createRoom(baseURL!);
  const open: Page[] = [];
  const joinTone = async (url: string, name: string, freq: number) => { const p = await joinAs(browser, url, name, { init: toneMic(freq) }); open.push(p); return p; };
  try {
    const chair = await joinTone(room.moderatorUrl, 'Chair', TONES.chair);
    const anna = await joinTone(room.participantUrl, 'Anna', TONES.anna);
    const bert = await joinTone(room.participantUrl, 'Bert', TONES.bert);
    // Participants have no recording controls.
    await expect(anna.getByTestId('open-recording')).toHaveCount(0);
    expect((await rawRequest(anna, 'recordingStart', { kind: 'video' })).code).toBe('forbidden');

    await chair.getByTestId('open-recording').click();
    await axe(chair, '.sidebar', 'the recording controls');
    const cpuIdle = await cpuShare(chair, 4000);
    await chair.getByRole('button', { name: 'Record video and audio' }).click();
    for (const p of [chair, anna, bert]) await expect(p.getByTestId('recording-indicator')).toContainText('Recording by Chair: video and audio');
    await axe(anna, 'dialog', 'the consent dialog');
    await answer(anna, true);
    await answer(bert, false);
    await expect(anna.getByTestId('recording-me')).toHaveText('You are being recorded.');
    await expect(bert.getByTestId('recording-me')).toHaveText('You are not being recorded.');
    await expect(chair.getByTestId('recording-me')).toHaveText('You are being recorded.');

    // ~5 s, then the recording page is reloaded in the middle of it.
    await expect.poll(() => elapsed(chair), { timeout: 20_000 }).toBeGreaterThan(5_000);
    await chair.reload();
    await chair.getByLabel('Your name').fill('Chair');
    await chair.getByRole('button', { name: 'Join meeting' }).click();
    await expect.poll(() => chair.evaluate(() => (window as any).thinline?.call?.status)).toBe('joined');
    await chair.getByTestId('open-recording').click();
    await chair.getByRole('button', { name: 'Resume recording (new part)' }).click();
    await expect(chair.getByTestId('recording-elapsed')).toBeVisible();
    const cpuRecording = await cpuShare(chair, 4000);
    await expect.poll(() => elapsed(chair), { timeout: 20_000 }).toBeGreaterThan(9_000);
    await chair.getByRole('button', { name: 'Stop recording' }).click();
    for (const p of [anna, bert]) await expect(p.getByTestId('recording-indicator')).toHaveCount(0);

    const video = await download(chair, testInfo, 'recording.webm');
    const expectedS = (await chair.evaluate(() => (window as any).thinline.call.recording.file.durationMs as number)) / 1000;
    const info = probe(video);
    expect(info.codecs.sort()).toEqual(['opus', 'vp8']);
    // Both parts' audio decodes (a part's tracks may come in another order than the first's).
    const decoded = spawnSync('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-i', video, '-map', '0:a', '-f', 'null', '-'], { encoding: 'utf8' });
    expect(decoded.stderr, 'errors decoding the exported audio').toBe('');
    expect(Math.abs(info.duration - expectedS), `ffprobe ${info.duration} s vs recorded ${expectedS} s`).toBeLessThanOrEqual(1);
    // Seekable: the file has a Cues element (EBML id 1C 53 BB 6B).
    expect(readFileSync(video).includes(Buffer.from([0x1c, 0x53, 0xbb, 0x6b]))).toBe(true);
    const stats = await chair.evaluate(() => (window as any).thinline.call.recording.stats);
    testInfo.annotations.push({ type: 'measured', description: JSON.stringify({ recordedS: expectedS, probedS: info.duration, bytes: readFileSync(video).length, cpuIdle, cpuRecording, ...stats }) });
    console.log('[recording] measured', JSON.stringify({ recordedS: expectedS, probedS: info.duration, cpuIdle, cpuRecording, ...stats }));
    const samples = pcm(video);
    const share = Object.fromEntries(Object.entries(TONES).map(([who, f]) => [who, toneShare(samples, 16_000, f)]));
    testInfo.annotations.push({ type: 'tone shares', description: JSON.stringify(share) });
    expect(share.chair, JSON.stringify(share)).toBeGreaterThan(0.05);
    expect(share.anna, JSON.stringify(share)).toBeGreaterThan(0.05);
    expect(share.bert, JSON.stringify(share)).toBeLessThan(0.005);

    // Upload to the archive: a moderator sees it; a participant can neither list nor fetch it.
    await chair.getByRole('button', { name: 'Save in the meeting archive' }).click();
    await expect(chair.getByTestId('archive').getByRole('listitem')).toHaveCount(1, { timeout: 30_000 });
    const href = await chair.getByTestId('archive').getByRole('link').first().getAttribute('href');
    expect(await chair.evaluate(async (u) => (await fetch(u!)).status, href)).toBe(200);
    expect((await rawRequest(anna, 'recordingArchive', {})).code).toBe('forbidden');
    const bare = href!.replace(/\?token=.*/, '');
    expect(await anna.evaluate(async (u) => (await fetch(u)).status, bare)).toBe(401);

    // Audio minutes: Ogg Opus, mono, the recorded duration.
    await chair.getByRole('button', { name: 'Record audio minutes' }).click();
    await answer(anna, true);
    // Bert answers with the keyboard alone: the dialog opens on "No" (the safe default).
    await expect(bert.getByRole('dialog')).toBeVisible();
    await expect(bert.getByRole('button', { name: 'No, do not record me' })).toBeFocused();
    await bert.keyboard.press('Tab');
    await expect(bert.getByRole('button', { name: 'Yes, record me' })).toBeFocused();
    await bert.keyboard.press('Enter');
    await expect(bert.getByTestId('recording-me')).toHaveText('You are being recorded.');
    await expect(chair.getByTestId('recording-elapsed')).toBeVisible();
    await expect.poll(() => elapsed(chair), { timeout: 20_000 }).toBeGreaterThan(4_000);
    await chair.getByRole('button', { name: 'Stop recording' }).click();
    const ogg = await download(chair, testInfo, 'minutes.ogg');
    console.log('[recording] audio minutes', JSON.stringify({ bytes: readFileSync(ogg).length, ...(await chair.evaluate(() => (window as any).thinline.call.recording.stats)) }));
    expect(readFileSync(ogg).subarray(0, 4).toString()).toBe('OggS');
    const audio = probe(ogg);
    expect(audio.codecs).toEqual(['opus']);
    // Everyone consented this time: all three tones are in the minutes.
    const minutes = pcm(ogg);
    for (const [who, f] of Object.entries(TONES)) expect(toneShare(minutes, 16_000, f), who).toBeGreaterThan(0.05);
    const expectedAudioS = (await chair.evaluate(() => (window as any).thinline.call.recording.file.durationMs as number)) / 1000;
    console.log('[recording] audio minutes duration', JSON.stringify({ probedS: audio.duration, recordedS: expectedAudioS }));
    expect(expectedAudioS).toBeGreaterThan(4);
    expect(Math.abs(audio.duration - expectedAudioS), `ffprobe ${audio.duration} s vs recorded ${expectedAudioS} s`).toBeLessThanOrEqual(1);
  } finally {
    await Promise.all(open.map((p) => p.context().close().catch(() => undefined)));
  }
});
