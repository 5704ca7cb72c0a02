// Simulcast layers after the sender's ladder rescales the camera: never below 90 px
// (no more 40x22 pictures), the same answer for sender and SFU; of layers that coincide
// the SFU wants only the lowest (dynacast switches the others off).
import { describe, expect, it } from 'vitest';
import { simulcastLayers } from '../../protocol/index.js';

describe('simulcastLayers', () => {
  const cases: [number, number[], string][] = [
    [720, [4, 2, 1], '180 360 720'],
    [360, [4, 2, 1], '90 180 360'],
    [270, [4, 2, 1], '90 135 270'],
    [180, [4, 2, 1], '90 90 180'],
    [90, [4, 2, 1], '90 90 90'],
    [60, [4, 2, 1], '60 60 60'],
    [1080, [4, 2, 1], '270 540 1080'],
    [180, [1], '180'],
  ];
  for (const [height, scales, expected] of cases) {
    it(`${height}p with scales ${scales.join('/')}`, () => {
      expect(simulcastLayers(height, scales).map((l) => l.height).join(' ')).toBe(expected);
    });
  }
});

describe('layers of equal height', () => {
  const track = (heights: number[], tile: number | null) => ({
    source: 'camera' as const, tileHeight: tile, layerHeights: heights,
    bitrates: heights.map(() => [30_000, 60_000, 90_000]),
  });
  it('dynacast wants only the lowest of equal layers; the tile gets it', async () => {
    const { dynacastWants, maxLayerForTile } = await import('../../server/src/allocation/layers.js');
    expect(dynacastWants(track([90, 90, 90], 230) as never, null, false)).toBe(0);
    expect(dynacastWants(track([90, 90, 180], 230) as never, null, false)).toBe(2);
    expect(dynacastWants(track([90, 90, 180], 80) as never, null, false)).toBe(0);
    expect(dynacastWants(track([180, 360, 720], 230) as never, null, false)).toBe(1);
    expect(dynacastWants(track([180, 360, 720], null) as never, null, false)).toBe(2);
    expect(maxLayerForTile(track([90, 90, 90], 230) as never)?.spatial).toBe(0);
    expect(maxLayerForTile(track([180, 360, 720], 900) as never)?.spatial).toBe(2);
  });
});

