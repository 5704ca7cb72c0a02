// Every kernel, both builds, bit-exact against the JS reference, on many sizes including
// odd ones and every ratio path (2x, 4x, fractional).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Kernels, simdSupported } from '../../wasm/kernels.js';
import { downscaleI420Ref, downscaleNV12Ref, frameDiffRef, i420Size, rgbaToI420Ref } from '../../wasm/reference.js';
import { mulberry32 } from '../../netem/src/rng.js';

const builds: Record<string, Kernels> = {};
beforeAll(async () => {
  execFileSync(process.execPath, ['wasm/build.mjs'], { stdio: 'inherit' });
  for (const name of ['simd', 'scalar']) builds[name] = await Kernels.load(readFileSync(`wasm/build/kernels-${name}.wasm`));
});

function noise(n: number, seed: number): Uint8Array {
  const r = mulberry32(seed);
  // Smooth-ish content plus noise: exercises rounding everywhere.
  return Uint8Array.from({ length: n }, (_, i) => (Math.floor(r() * 256) + (i % 251)) & 255);
}

const SIZES: [number, number, number, number][] = [
  [1280, 720, 640, 360], [1280, 720, 320, 180], [640, 480, 320, 240], [640, 480, 160, 120],
  [1280, 720, 480, 270], [1281, 719, 640, 360], [333, 187, 111, 61], [96, 64, 37, 23], [15, 9, 7, 4], [2, 2, 1, 1], [7, 5, 7, 5],
];

describe.each(['simd', 'scalar'])('%s build', (build) => {
  it('reports its build', () => expect(builds[build]!.simd).toBe(build === 'simd'));

  it.each(SIZES)('I420 %ix%i -> %ix%i is bit-exact', (w, h, dw, dh) => {
    const src = noise(i420Size(w, h), w * 31 + h);
    expect(Buffer.from(builds[build]!.downscale('I420', w, h, dw, dh, src))).toEqual(Buffer.from(downscaleI420Ref(src, w, h, dw, dh)));
  });

  it.each(SIZES)('NV12 %ix%i -> %ix%i is bit-exact', (w, h, dw, dh) => {
    const src = noise(i420Size(w, h), w * 17 + h);
    expect(Buffer.from(builds[build]!.downscale('NV12', w, h, dw, dh, src))).toEqual(Buffer.from(downscaleNV12Ref(src, w, h, dw, dh)));
  });

  it.each([[64, 48], [65, 47], [1, 1], [320, 181]])('RGBA %ix%i -> I420 is bit-exact', (w, h) => {
    const src = noise(w * h * 4, w + h);
    expect(Buffer.from(builds[build]!.rgbaToI420(src, w, h))).toEqual(Buffer.from(rgbaToI420Ref(src, w, h, w * 4)));
  });

  it.each([[0], [1], [15], [16], [17], [921_600]])('frame difference of %i samples is exact', (n) => {
    const a = noise(n, 1), b = noise(n, 2);
    expect(builds[build]!.frameDiff(a, b)).toBe(frameDiffRef(a, b, n));
  });
});

it('detects SIMD support (Node 20 has it)', () => expect(simdSupported()).toBe(true));

it('averages areas (a spot check of the spec itself)', () => {
  // 4x4 -> 2x2: each output is its 2x2 block's mean, rounded per pass (separable), so
  // within one step of the exact mean: (10,10 / 10,11) -> rows 10, 11 -> 11 (mean 10.25).
  const y = Uint8Array.from([0, 2, 10, 10, 4, 6, 10, 11, 100, 100, 0, 0, 100, 101, 0, 1]);
  const src = new Uint8Array(i420Size(4, 4));
  src.set(y);
  const out = Array.from(downscaleI420Ref(src, 4, 4, 2, 2).subarray(0, 4));
  expect(out).toEqual([3, 11, 101, 1]);
  const exact = [3, 10.25, 100.25, 0.25];
  out.forEach((v, i) => expect(Math.abs(v - exact[i]!)).toBeLessThanOrEqual(1));
});
