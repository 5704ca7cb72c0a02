// Keyframe requests for a consumer still waiting for video: at once, then backing off
// (1, 2, 4, 8, 8 s ...), and from scratch once media flows.
import { expect, it } from 'vitest';
import { KeyframeThrottle } from '../../server/src/allocation/keyframes.js';

it('asks at once, then backs off, and starts over after clear', () => {
  const k = new KeyframeThrottle(1000, 8000);
  const asked = (from: number, to: number, step = 100) => {
    const at: number[] = [];
    for (let t = from; t <= to; t += step) if (k.due('c', t)) at.push(t);
    return at;
  };
  // The allocator ticks every 500 ms; here every 100 ms to see the exact schedule.
  expect(asked(0, 20_000)).toEqual([0, 1000, 3000, 7000, 15_000]);
  expect(k.size).toBe(1);
  k.clear('c');
  expect(k.size).toBe(0);
  expect(k.due('c', 20_000)).toBe(true);
  expect(k.due('c', 20_500)).toBe(false);
  expect(k.due('other', 20_500)).toBe(true);
});

it('askWaiting asks only for resumed video that receives nothing, and forgets the rest', async () => {
  const k = new KeyframeThrottle(1000, 8000);
  const asked: string[] = [];
  const consumer = (id: string, patch: Partial<{ kind: string; paused: boolean; producerPaused: boolean; currentLayers: unknown }> = {}) => ({
    id, kind: 'video', paused: false, producerPaused: false, currentLayers: undefined as unknown, ...patch,
    requestKeyFrame: async () => { asked.push(id); },
  });
  const flowing = consumer('flowing', { currentLayers: { spatialLayer: 0, temporalLayer: 0 } });
  const all = [consumer('waiting'), consumer('paused', { paused: true }), consumer('producerPaused', { producerPaused: true }), consumer('audio', { kind: 'audio' }), flowing];
  await k.askWaiting(all, 0);
  expect(asked).toEqual(['waiting']);
  await k.askWaiting(all, 500); // throttled
  expect(asked).toEqual(['waiting']);
  await k.askWaiting(all, 1000);
  expect(asked).toEqual(['waiting', 'waiting']);
  expect(k.size).toBe(1);
  // Media arrived: its schedule starts over.
  all[0]!.currentLayers = { spatialLayer: 0, temporalLayer: 0 };
  await k.askWaiting(all, 1100);
  expect(k.size).toBe(0);
});
