// What the bench does in its participants' pages and reads back from them, beside the
// page kit (pagekit.ts) that the pages run themselves.
import type { Page } from '@playwright/test';
import type { PageRecord, Sample } from './metrics.js';
import { preconditionFailures } from './step-metrics.js';

/**
 * The person types the name and clicks "Join" as soon as it is enabled, from inside the
 * page: on the loaded rig Playwright's own actionability checks (a stable box over two
 * frames, the hit target) took 1.4-2 s, which the join time then counted.
 */
export async function joinAs(page: Page, name: string): Promise<void> {
  await page.getByLabel('Your name').waitFor({ timeout: 30_000 });
  await page.waitForFunction((who) => {
    const input = document.querySelector<HTMLInputElement>('input#name');
    const join = document.querySelector<HTMLButtonElement>('button[type=submit]');
    if (!input || !join) return false;
    if (input.value !== who) { input.value = who; input.dispatchEvent(new Event('input', { bubbles: true })); }
    if (join.disabled) return false;
    join.click();
    return true;
  }, name, { timeout: 30_000, polling: 50 });
}

/** When the page's camera was first published (absolute ms), or null. */
export async function publishedAt(page: Page): Promise<number | null> {
  return page.evaluate(() => {
    const m = performance.getEntriesByName('thinline:published')[0];
    return m ? performance.timeOrigin + m.startTime : null;
  }).catch(() => null);
}

/** Whether a step scenario's preconditions hold now (its pages' last few seconds). */
export async function preconditionsHold(pages: readonly { page: Page; name: string }[], stepped: number): Promise<boolean> {
  const recent = await Promise.all(pages.map(({ page }) => page.evaluate(() => (window as unknown as { __bench: PageRecord }).__bench.samples.slice(-20) as Sample[])));
  return preconditionFailures(recent.map((samples, i) => ({ name: pages[i]!.name, stepped: i === stepped, samples })), Date.now()).length === 0;
}

/** A page that did not see video: what its call, tiles and receivers say (for the error). */
export async function pageState(page: Page): Promise<string> {
  return page.evaluate(() => {
    const c = (window as unknown as { thinline?: { call?: Record<string, any> } }).thinline?.call;
    const videos = [...document.querySelectorAll('li.tile video')].map((v) => { const e = v as HTMLVideoElement; return [e.readyState, e.paused, e.videoWidth, (e.srcObject as MediaStream | null)?.getTracks()[0]?.readyState]; });
    return c?.media?.recvStats().then((r: RTCStatsReport | null) => {
      const inbound: unknown[] = [];
      r?.forEach((x: any) => { if (x.type === 'inbound-rtp' && x.kind === 'video') inbound.push([x.packetsReceived, x.framesReceived, x.framesDecoded, x.keyFramesDecoded, x.pliCount, x.nackCount, x.packetsLost]); });
      return JSON.stringify({ status: c?.status, participants: c?.participants?.map((p: any) => [p.name, !!p.videoTrack, p.cameraOff, p.videoPausedReason]), videos, inbound, layers: Object.values(c?.layers ?? {}) });
    });
  }).catch(() => 'page unavailable');
}
