// WASM media kernels (AssemblyScript), built twice from this one source: with SIMD and
// scalar (ASC_FEATURE_SIMD selects the paths at compile time). Results are bit-exact with
// each other and with the JS reference (wasm/reference.ts).
//
// Area-average downscale, exact integer spec (separable, horizontal pass first):
//   an output sample x covers source units [x*srcW, (x+1)*srcW) where one source sample is
//   dstW units wide; out = (sum of sample * overlap + srcW/2) / srcW, floor division.
//   The vertical pass applies the same rule to the horizontal pass's rows.
// For exact 2x this is (a+b+1)>>1 per pass (i8x16.avgr_u); for 4x, (a+b+c+d+2)>>2.
//
// Memory: the host reserves space with `reserve` and writes frames straight into it
// (VideoFrame.copyTo into the module's memory), so no copies in between.

/** Makes sure `bytes` fit above the static data; returns the 16-aligned base address. */
export function reserve(bytes: i32): usize {
  const base = (__heap_base + 15) & ~(<usize>15);
  const need = base + <usize>bytes;
  const have = <usize>memory.size() << 16;
  if (need > have) memory.grow(<i32>((need - have + 0xffff) >>> 16));
  return base;
}

export function simd(): bool {
  return ASC_FEATURE_SIMD;
}

function hpass(src: usize, srcStride: i32, srcW: i32, rows: i32, dst: usize, dstStride: i32, dstW: i32, ch: i32): void {
  const half = srcW >> 1;
  for (let y = 0; y < rows; y++) {
    const s = src + <usize>(y * srcStride);
    const d = dst + <usize>(y * dstStride);
    for (let x = 0; x < dstW; x++) {
      const start = x * srcW;
      const end = start + srcW;
      const i0 = start / dstW;
      const i1 = (end - 1) / dstW;
      for (let c = 0; c < ch; c++) {
        let acc = 0;
        for (let i = i0; i <= i1; i++) {
          const lo = max(start, i * dstW);
          const hi = min(end, (i + 1) * dstW);
          acc += <i32>load<u8>(s + <usize>(i * ch + c)) * (hi - lo);
        }
        store<u8>(d + <usize>(x * ch + c), <u8>((acc + half) / srcW));
      }
    }
  }
}

function vpass(src: usize, srcStride: i32, srcH: i32, width: i32, dst: usize, dstStride: i32, dstH: i32): void {
  const half = srcH >> 1;
  for (let y = 0; y < dstH; y++) {
    const start = y * srcH;
    const end = start + srcH;
    const j0 = start / dstH;
    const j1 = (end - 1) / dstH;
    const d = dst + <usize>(y * dstStride);
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let j = j0; j <= j1; j++) {
        const lo = max(start, j * dstH);
        const hi = min(end, (j + 1) * dstH);
        acc += <i32>load<u8>(src + <usize>(j * srcStride + x)) * (hi - lo);
      }
      store<u8>(d + <usize>x, <u8>((acc + half) / srcH));
    }
  }
}

// Exact 2x: per output, avg(avg(a,b), avg(c,d)) with round-half-up, as the spec says.
function half2x(src: usize, srcStride: i32, dst: usize, dstStride: i32, dstW: i32, dstH: i32): void {
  for (let y = 0; y < dstH; y++) {
    const r0 = src + <usize>(2 * y * srcStride);
    const r1 = r0 + <usize>srcStride;
    const d = dst + <usize>(y * dstStride);
    let x = 0;
    if (ASC_FEATURE_SIMD) {
      for (; x + 16 <= dstW; x += 16) {
        const o = <usize>(2 * x);
        const a0 = v128.load(r0 + o);
        const a1 = v128.load(r0 + o + 16);
        const b0 = v128.load(r1 + o);
        const b1 = v128.load(r1 + o + 16);
        const ha = i8x16.avgr_u(
          i8x16.shuffle(a0, a1, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30),
          i8x16.shuffle(a0, a1, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31));
        const hb = i8x16.avgr_u(
          i8x16.shuffle(b0, b1, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30),
          i8x16.shuffle(b0, b1, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31));
        v128.store(d + <usize>x, i8x16.avgr_u(ha, hb));
      }
    }
    for (; x < dstW; x++) {
      const o = <usize>(2 * x);
      const ha = (<u32>load<u8>(r0 + o) + <u32>load<u8>(r0 + o + 1) + 1) >> 1;
      const hb = (<u32>load<u8>(r1 + o) + <u32>load<u8>(r1 + o + 1) + 1) >> 1;
      store<u8>(d + <usize>x, <u8>((ha + hb + 1) >> 1));
    }
  }
}

// Exact 4x: horizontal (sum of 4 + 2) >> 2, then the same over 4 rows.
function quarter4x(src: usize, srcStride: i32, dst: usize, dstStride: i32, dstW: i32, dstH: i32, tmp: usize): void {
  for (let y = 0; y < dstH; y++) {
    // Horizontal pass of 4 source rows into tmp (4 rows of dstW).
    for (let k = 0; k < 4; k++) {
      const r = src + <usize>((4 * y + k) * srcStride);
      const t = tmp + <usize>(k * dstW);
      let x = 0;
      if (ASC_FEATURE_SIMD) {
        const two = i32x4.splat(2);
        for (; x + 16 <= dstW; x += 16) {
          const o = r + <usize>(4 * x);
          const q0 = i32x4.shr_u(i32x4.add(i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(v128.load(o))), two), 2);
          const q1 = i32x4.shr_u(i32x4.add(i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(v128.load(o + 16))), two), 2);
          const q2 = i32x4.shr_u(i32x4.add(i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(v128.load(o + 32))), two), 2);
          const q3 = i32x4.shr_u(i32x4.add(i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(v128.load(o + 48))), two), 2);
          v128.store(t + <usize>x, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(q0, q1), i16x8.narrow_i32x4_u(q2, q3)));
        }
      }
      for (; x < dstW; x++) {
        const o = r + <usize>(4 * x);
        const s4 = <u32>load<u8>(o) + <u32>load<u8>(o + 1) + <u32>load<u8>(o + 2) + <u32>load<u8>(o + 3);
        store<u8>(t + <usize>x, <u8>((s4 + 2) >> 2));
      }
    }
    const d = dst + <usize>(y * dstStride);
    const w = <usize>dstW;
    let x = 0;
    if (ASC_FEATURE_SIMD) {
      const two = i16x8.splat(2);
      for (; x + 16 <= dstW; x += 16) {
        const p = tmp + <usize>x;
        const a = v128.load(p);
        const b = v128.load(p + w);
        const c = v128.load(p + 2 * w);
        const e = v128.load(p + 3 * w);
        const lo = i16x8.shr_u(i16x8.add(i16x8.add(i16x8.add(i16x8.extend_low_i8x16_u(a), i16x8.extend_low_i8x16_u(b)), i16x8.add(i16x8.extend_low_i8x16_u(c), i16x8.extend_low_i8x16_u(e))), two), 2);
        const hi = i16x8.shr_u(i16x8.add(i16x8.add(i16x8.add(i16x8.extend_high_i8x16_u(a), i16x8.extend_high_i8x16_u(b)), i16x8.add(i16x8.extend_high_i8x16_u(c), i16x8.extend_high_i8x16_u(e))), two), 2);
        v128.store(d + <usize>x, i8x16.narrow_i16x8_u(lo, hi));
      }
    }
    for (; x < dstW; x++) {
      const p = tmp + <usize>x;
      const s4 = <u32>load<u8>(p) + <u32>load<u8>(p + w) + <u32>load<u8>(p + 2 * w) + <u32>load<u8>(p + 3 * w);
      store<u8>(d + <usize>x, <u8>((s4 + 2) >> 2));
    }
  }
}

/** Downscales one plane (ch = 1) or an interleaved two-channel plane (ch = 2, NV12's UV). */
export function downscalePlane(src: usize, srcW: i32, srcH: i32, srcStride: i32, dst: usize, dstW: i32, dstH: i32, dstStride: i32, ch: i32, tmp: usize): void {
  if (ch == 1 && srcW == 2 * dstW && srcH == 2 * dstH) return half2x(src, srcStride, dst, dstStride, dstW, dstH);
  if (ch == 1 && srcW == 4 * dstW && srcH == 4 * dstH) return quarter4x(src, srcStride, dst, dstStride, dstW, dstH, tmp);
  // General ratio: horizontal pass into tmp (srcH rows of dstW*ch), then vertical.
  hpass(src, srcStride, srcW, srcH, tmp, dstW * ch, dstW, ch);
  vpass(tmp, dstW * ch, srcH, dstW * ch, dst, dstStride, dstH);
}

/** I420 (Y, then U, then V, tightly packed; chroma (w+1)/2 x (h+1)/2) to a smaller I420. */
export function downscaleI420(src: usize, w: i32, h: i32, dst: usize, dw: i32, dh: i32, tmp: usize): void {
  const cw = (w + 1) >> 1, ch = (h + 1) >> 1, dcw = (dw + 1) >> 1, dch = (dh + 1) >> 1;
  downscalePlane(src, w, h, w, dst, dw, dh, dw, 1, tmp);
  const su = src + <usize>(w * h), du = dst + <usize>(dw * dh);
  downscalePlane(su, cw, ch, cw, du, dcw, dch, dcw, 1, tmp);
  downscalePlane(su + <usize>(cw * ch), cw, ch, cw, du + <usize>(dcw * dch), dcw, dch, dcw, 1, tmp);
}

/** NV12 (Y, then interleaved UV of (w+1)/2 pairs per row) to a smaller NV12. */
export function downscaleNV12(src: usize, w: i32, h: i32, dst: usize, dw: i32, dh: i32, tmp: usize): void {
  const cw = (w + 1) >> 1, ch = (h + 1) >> 1, dcw = (dw + 1) >> 1, dch = (dh + 1) >> 1;
  downscalePlane(src, w, h, w, dst, dw, dh, dw, 1, tmp);
  downscalePlane(src + <usize>(w * h), cw, ch, cw * 2, dst + <usize>(dw * dh), dcw, dch, dcw * 2, 2, tmp);
}

/** RGBA to I420, BT.601 limited range; chroma from the average of each 2x2 block. */
export function rgbaToI420(src: usize, w: i32, h: i32, stride: i32, dst: usize): void {
  for (let y = 0; y < h; y++) {
    const r = src + <usize>(y * stride);
    const d = dst + <usize>(y * w);
    for (let x = 0; x < w; x++) {
      const p = r + <usize>(x * 4);
      const R = <i32>load<u8>(p), G = <i32>load<u8>(p + 1), B = <i32>load<u8>(p + 2);
      store<u8>(d + <usize>x, <u8>(((66 * R + 129 * G + 25 * B + 128) >> 8) + 16));
    }
  }
  const cw = (w + 1) >> 1, chh = (h + 1) >> 1;
  const du = dst + <usize>(w * h), dv = du + <usize>(cw * chh);
  for (let cy = 0; cy < chh; cy++) {
    for (let cx = 0; cx < cw; cx++) {
      let sr = 0, sg = 0, sb = 0, n = 0;
      for (let j = 0; j < 2; j++) {
        const y = 2 * cy + j;
        if (y >= h) continue;
        for (let i = 0; i < 2; i++) {
          const x = 2 * cx + i;
          if (x >= w) continue;
          const p = src + <usize>(y * stride + x * 4);
          sr += <i32>load<u8>(p); sg += <i32>load<u8>(p + 1); sb += <i32>load<u8>(p + 2); n++;
        }
      }
      const R = (sr + (n >> 1)) / n, G = (sg + (n >> 1)) / n, B = (sb + (n >> 1)) / n;
      store<u8>(du + <usize>(cy * cw + cx), <u8>(((-38 * R - 74 * G + 112 * B + 128) >> 8) + 128));
      store<u8>(dv + <usize>(cy * cw + cx), <u8>(((112 * R - 94 * G - 18 * B + 128) >> 8) + 128));
    }
  }
}

/** Sum of absolute differences of two planes (frame decimation, still detection). */
export function frameDiff(a: usize, b: usize, len: i32): u32 {
  let sum: u32 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = i32x4.splat(0);
    for (; i + 16 <= len; i += 16) {
      const x = v128.load(a + <usize>i);
      const y = v128.load(b + <usize>i);
      const d = v128.or(i8x16.sub_sat_u(x, y), i8x16.sub_sat_u(y, x));
      acc = i32x4.add(acc, i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(d)));
    }
    sum = <u32>(i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3));
  }
  for (; i < len; i++) {
    const d = <i32>load<u8>(a + <usize>i) - <i32>load<u8>(b + <usize>i);
    sum += <u32>(d < 0 ? -d : d);
  }
  return sum;
}
