// The order of a rescale: shrinking re-scales the simulcast encodings before the picture
// shrinks (else the old divisors briefly apply to the smaller picture: a 45 px layer was
// seen on the municipal-weak-4 bench); growing changes the picture first.
import { expect, it } from 'vitest';
import { Sender } from '../../client/src/features/media/sender.svelte.js';
import type { MediaSession } from '../../client/src/features/media/MediaSession.js';
import type { ScaledTrack } from '../../client/src/features/media/scaler.js';
import type { SignalingClient } from '../../client/src/lib/signaling.js';

it('shrinking: encodings first, then the picture, then the SFU; growing: the picture first', async () => {
  const log: string[] = [];
  const camera = { getSettings: () => ({ height: 360 }), applyConstraints: async () => undefined } as unknown as MediaStreamTrack;
  const media = {
    sendStats: async () => null, producerId: () => 'cam', setPaused: async () => undefined,
    setSentHeight: async (_: string, h: number) => { log.push(`encodings ${h}`); },
  } as unknown as MediaSession;
  const signaling = { request: async (method: string, data: { height?: number }) => { if (method === 'setVideoHeight') log.push(`sfu ${data.height}`); return {}; } } as unknown as SignalingClient;
  const scaled: ScaledTrack = {
    track: camera, close: () => undefined,
    setTarget: async (h) => { log.push(`picture ${h}`); },
    stats: async () => ({ path: 'wasm' }) as never,
  };
  const sender = new Sender(camera, media, signaling, scaled);
  try {
    await sender.force(1); // 360p: the camera's own size
    log.length = 0;
    await sender.force(3); // down to 90p
    expect(log).toEqual(['encodings 90', 'picture 90', 'encodings 90', 'sfu 90']);
    log.length = 0;
    await sender.force(2); // up to 180p
    expect(log).toEqual(['picture 180', 'encodings 180', 'sfu 180']);
  } finally {
    sender.close();
  }
});

it('a forced rung waits for the rung being applied: the still rung is not undone by an older one', async () => {
  const paused: boolean[] = [];
  let release = (): void => undefined, entered = (): void => undefined;
  const gate = new Promise<void>((r) => { release = r; });
  const held = new Promise<void>((r) => { entered = r; });
  const camera = { getSettings: () => ({ height: 360 }), applyConstraints: async () => undefined } as unknown as MediaStreamTrack;
  const media = {
    sendStats: async () => null, producerId: () => 'cam',
    setPaused: async (_: string, p: boolean) => { paused.push(p); },
    setSentHeight: async () => { entered(); await gate; },
  } as unknown as MediaSession;
  const signaling = { request: async () => ({}) } as unknown as SignalingClient;
  const scaled: ScaledTrack = { track: camera, close: () => undefined, setTarget: async () => undefined, stats: async () => ({ path: 'wasm' }) as never };
  const sender = new Sender(camera, media, signaling, scaled);
  try {
    // The 2 s tick is applying 90p (held in the encodings) when the still rung is forced.
    const older = sender.force(3);
    await held;
    const forced = sender.force(4);
    release();
    await Promise.all([older, forced]);
    expect(sender.rung).toBe(4);
    expect(paused.at(-1)).toBe(true);
  } finally {
    sender.close();
  }
});
