// A slow device does not hold up the join: "Join" is ready once the first device answers,
// and a device that answers later is published then (or, after Leave, stopped at once).
import { createRoom, expect, inboundStats, joinAs, test, trackStates } from './helpers.js';

/** An init script: the microphone answers only when the test calls window.__releaseMic(). */
function slowMicrophone(): void {
  const tracks: MediaStreamTrack[] = [];
  (window as any).__tracks = tracks;
  let release!: () => void;
  const released = new Promise<void>((r) => { release = r; });
  (window as any).__releaseMic = release;
  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await original(constraints);
    if (constraints?.audio) await released;
    tracks.push(...stream.getTracks());
    return stream;
  };
}

test('a slow microphone does not hold up Join: the call starts with the camera and the microphone is heard once it answers', async ({ join, browser, baseURL }) => {
  const room = await createRoom(baseURL!);
  const alice = await join(room.moderatorUrl, 'Alice');
  const bob = await joinAs(browser, room.participantUrl, 'Bob', { init: slowMicrophone });
  try {
    // Joined with the camera only: Alice sees Bob's video, and nothing of his microphone yet.
    await expect.poll(async () => (await inboundStats(alice)).some((s) => s.kind === 'video' && s.framesDecoded > 0)).toBe(true);
    expect(await bob.evaluate(() => (window as any).thinline.call.micOn)).toBe(false);
    expect(await trackStates(bob)).toEqual(['video:live']);
    await bob.evaluate(() => (window as any).__releaseMic());
    await expect.poll(() => bob.evaluate(() => (window as any).thinline.call.micOn)).toBe(true);
    // Alice receives Bob's audio: one audio stream with packets, beside none before.
    await expect.poll(async () => (await inboundStats(alice)).filter((s) => s.kind === 'audio' && s.packetsReceived > 0).length).toBe(1);
  } finally {
    await bob.context().close();
  }
});

test('a microphone that answers after Leave is stopped at once', async ({ browser, baseURL }) => {
  const room = await createRoom(baseURL!);
  const bob = await joinAs(browser, room.participantUrl, 'Bob', { init: slowMicrophone });
  try {
    await bob.getByRole('button', { name: 'Leave' }).click();
    await expect(bob.getByTestId('call-over')).toBeVisible();
    await bob.evaluate(() => (window as any).__releaseMic());
    await expect.poll(() => trackStates(bob)).toEqual(['video:ended', 'audio:ended']);
  } finally {
    await bob.context().close();
  }
});
