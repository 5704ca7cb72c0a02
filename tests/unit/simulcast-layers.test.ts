// Simulcast layers after the sender's ladder rescales the camera: never below 90 px
// (no more 40x22 pictures), no two layers of one size, the same answer for sender and SFU.
import { describe, expect, it } from 'vitest';
import { simulcastLayers } from '../../protocol/index.js';

describe('simulcastLayers', () => {
  const cases: [number, number[], string][] = [
    [720, [4, 2, 1], '180+ 360+ 720+'],
    [360, [4, 2, 1], '90+ 180+ 360+'],
    [270, [4, 2, 1], '90+ 135+ 270+'],
    [180, [4, 2, 1], '90+ 90- 180+'],
    [90, [4, 2, 1], '90+ 90- 90-'],
    [60, [4, 2, 1], '60+ 60- 60-'],
    [1080, [4, 2, 1], '270+ 540+ 1080+'],
    [180, [1], '180+'],
  ];
  for (const [height, scales, expected] of cases) {
    it(`${height}p with scales ${scales.join('/')}`, () => {
      expect(simulcastLayers(height, scales).map((l) => `${l.height}${l.active ? '+' : '-'}`).join(' ')).toBe(expected);
    });
  }
});
