// Phone dial-in end to end with real peers: baresip dials the gateway, types the meeting
// number and PIN, and says a 1 kHz tone; a Chromium participant says 500 Hz. The browser
// receives the phone's tone; the phone hears the browser's tone and not its own
// (mix-minus, checked in baresip's recording with ffmpeg); the keypad's *6, *9 and 1 are
// seen as unmute, hand and a ballot recorded with the channel "phone".
import type { Page } from '@playwright/test';
import { Baresip } from '../phone/baresip.js';
import { createRoom, expect, joinAs, pcm, test, toneMic, toneShare } from './helpers.js';

const SIP_PORT = Number(process.env.THINLINE_E2E_PORT ?? 18_080) + 7000;

/** The dominant frequency (Hz) of a participant's received audio, measured in the page. */
async function dominantHz(page: Page, name: string): Promise<number> {
  return page.evaluate(async (who) => {
    const p = (window as any).thinline.call.participants.find((x: any) => x.name === who);
    const track: MediaStreamTrack | null = p?.audioTrack ?? null;
    if (!track) return 0;
    const ctx = new AudioContext();
    const src = ctx.createMediaStreamSource(new MediaStream([track]));
    const an = ctx.createAnalyser();
    an.fftSize = 8192;
    src.connect(an);
    const bins = new Float32Array(an.frequencyBinCount);
    let best = 0;
    // Average a few analyses: speech prompts come and go, the tone stays.
    const sum = new Float32Array(an.frequencyBinCount);
    for (let k = 0; k < 10; k++) {
      await new Promise((r) => setTimeout(r, 100));
      an.getFloatFrequencyData(bins);
      for (let i = 0; i < bins.length; i++) sum[i]! += bins[i]!;
    }
    for (let i = 1; i < sum.length; i++) if (sum[i]! > sum[best]!) best = i;
    await ctx.close();
    return (best * ctx.sampleRate) / an.fftSize;
  }, name);
}

test('a phone caller joins by keypad, is heard and hears everyone but itself; *6, *9 and 1 work', async ({ browser, baseURL }, testInfo) => {
  test.setTimeout(120_000);
  const res = await fetch(`${baseURL}/api/rooms`, { method: 'POST', body: JSON.stringify({ name: 'Phone E2E', lobby: false }) });
  const room = (await res.json()) as Awaited<ReturnType<typeof createRoom>> & { dialIn: { number: string | null; id: string; pin: string } };
  expect(room.dialIn.number).toBe('+49 30 9999 0000');
  const chair = await joinAs(browser, room.moderatorUrl, 'Chair', { init: toneMic(500) });
  const phone = await Baresip.start({ number: '+4917012345678', toneHz: 1000, seconds: 90 });
  try {
    phone.command('dial', `sip:thinline@127.0.0.1:${SIP_PORT}`);
    await expect.poll(() => phone.events.some((e) => e.type === 'CALL_ESTABLISHED'), { timeout: 10_000 }).toBe(true);
    await phone.keys(`${room.dialIn.id}#${room.dialIn.pin}#`);
    const callerName = 'Phone …5678';
    await expect(chair.getByText(callerName).first()).toBeVisible({ timeout: 20_000 });

    // Callers start muted; *6 unmutes, and the browser then hears the phone's 1 kHz.
    await phone.keys('*6');
    await expect.poll(() => chair.evaluate((n) => (window as any).thinline.call.participants.find((p: any) => p.name === n)?.micMuted, callerName), { timeout: 10_000 }).toBe(false);
    await expect.poll(() => dominantHz(chair, callerName), { timeout: 15_000 }).toBeGreaterThan(950);
    expect(await dominantHz(chair, callerName)).toBeLessThan(1050);

    // *9 raises the hand.
    await phone.keys('*9');
    await expect.poll(() => chair.evaluate((n) => (window as any).thinline.call.participants.find((p: any) => p.name === n)?.handRaisedAt !== null, callerName), { timeout: 10_000 }).toBe(true);

    // A roll-call vote: the caller presses 1 (yes); the ledger records the channel "phone".
    const phoneId = await chair.evaluate((n) => (window as any).thinline.call.participants.find((p: any) => p.name === n).id as string, callerName);
    const motionId = await chair.evaluate(async (ids) => {
      const r = await (window as any).thinline.call.signaling.request('motionOpen', { title: 'Haushalt 2027', allowAbstain: true, kind: 'roll-call', eligible: ids, rule: 'simple', quorum: null, durationS: null });
      return r.motion?.id ?? r.motionId as string;
    }, [phoneId]);
    await phone.keys('1');
    await expect.poll(() => chair.evaluate((id) => (window as any).thinline.call.votes.motions.find((m: any) => m.id === id)?.voted, motionId), { timeout: 10_000 }).toBe(1);
    const report = await chair.evaluate(async (id) => {
      await (window as any).thinline.call.signaling.request('motionClose', { motionId: id });
      return (await (window as any).thinline.call.signaling.request('motionReport', { motionId: id })).report;
    }, motionId);
    const ballot = report.entries.find((e: { type: string }) => e.type === 'ballot');
    expect(ballot.data).toMatchObject({ voter: phoneId, choices: [0], channel: 'phone' });

    // Mix-minus: what the phone heard has the browser's 500 Hz and not its own 1 kHz.
    await phone.stop();
    const heard = phone.heardFile();
    expect(heard, phone.log).not.toBeNull();
    const samples = pcm(heard!);
    const s500 = toneShare(samples, 16_000, 500);
    const s1000 = toneShare(samples, 16_000, 1000);
    testInfo.annotations.push({ type: 'phone heard', description: JSON.stringify({ s500, s1000 }) });
    console.log('[phone] heard', JSON.stringify({ s500, s1000 }));
    expect(s500, JSON.stringify({ s500, s1000 })).toBeGreaterThan(0.05);
    expect(s1000, JSON.stringify({ s500, s1000 })).toBeLessThan(0.01);
  } finally {
    await phone.stop().catch(() => undefined);
    await chair.context().close();
  }
});
