// The recording's picture: the speaker large, others as thumbnails in a stable order;
// pictures fitted without distortion; the storage the check asks for per hour.
import { describe, expect, it } from 'vitest';
import { bytesPerHour, compositeLayout, fit } from '../../client/src/features/recording/layout.js';

describe('compositeLayout', () => {
  it('one person fills the picture', () => {
    expect(compositeLayout(['a'], null, 640, 360)).toEqual([{ id: 'a', x: 0, y: 0, w: 640, h: 360 }]);
  });
  it('the speaker is large on the left, the others in a column on the right, in their order', () => {
    const r = compositeLayout(['a', 'b', 'c'], 'b', 640, 360);
    expect(r[0]).toEqual({ id: 'b', x: 0, y: 0, w: 480, h: 360 });
    expect(r.slice(1).map((x) => [x.id, x.x, x.y, x.w, x.h])).toEqual([['a', 480, 0, 160, 120], ['c', 480, 120, 160, 120]]);
  });
  it('no speaker known: the first person is large; at most six thumbnails', () => {
    const ids = Array.from({ length: 10 }, (_, i) => `p${i}`);
    const r = compositeLayout(ids, 'nobody', 1280, 720);
    expect(r[0]!.id).toBe('p0');
    expect(r).toHaveLength(7);
    expect(r.every((x) => x.y + x.h <= 720)).toBe(true);
  });
  it('nobody: nothing', () => expect(compositeLayout([], null, 640, 360)).toEqual([]));
});

describe('fit and storage', () => {
  it('letterboxes a 4:3 picture into a 16:9 box', () => {
    expect(fit(640, 480, { x: 0, y: 0, w: 480, h: 360 })).toEqual({ x: 0, y: 0, w: 480, h: 360 });
    expect(fit(640, 480, { x: 0, y: 0, w: 640, h: 360 })).toEqual({ x: 80, y: 0, w: 480, h: 360 });
    expect(fit(0, 0, { x: 1, y: 2, w: 3, h: 4 })).toEqual({ x: 1, y: 2, w: 3, h: 4 });
  });
  it('an hour of audio minutes is ~7.5 MB; video scales with its bitrate', () => {
    expect(bytesPerHour('audio')).toBe(7_500_000);
    expect(bytesPerHour('video', 664_000)).toBeGreaterThan(300e6);
    expect(bytesPerHour('video', 1_264_000)).toBeGreaterThan(bytesPerHour('video', 664_000) * 1.8);
  });
});
