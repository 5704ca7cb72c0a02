// Reference implementations in plain JS: the specification the WASM kernels must match
// bit for bit, and the fallback where WASM is unavailable. See src/kernels.ts for the spec.

function hpass(src: Uint8Array, srcOff: number, srcStride: number, srcW: number, rows: number, dst: Uint8Array, dstStride: number, dstW: number, ch: number): void {
  const half = srcW >> 1;
  for (let y = 0; y < rows; y++) {
    const s = srcOff + y * srcStride;
    const d = y * dstStride;
    for (let x = 0; x < dstW; x++) {
      const start = x * srcW;
      const end = start + srcW;
      const i0 = Math.floor(start / dstW);
      const i1 = Math.floor((end - 1) / dstW);
      for (let c = 0; c < ch; c++) {
        let acc = 0;
        for (let i = i0; i <= i1; i++) acc += src[s + i * ch + c]! * (Math.min(end, (i + 1) * dstW) - Math.max(start, i * dstW));
        dst[d + x * ch + c] = Math.floor((acc + half) / srcW);
      }
    }
  }
}

function vpass(src: Uint8Array, srcStride: number, srcH: number, width: number, dst: Uint8Array, dstOff: number, dstStride: number, dstH: number): void {
  const half = srcH >> 1;
  for (let y = 0; y < dstH; y++) {
    const start = y * srcH;
    const end = start + srcH;
    const j0 = Math.floor(start / dstH);
    const j1 = Math.floor((end - 1) / dstH);
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let j = j0; j <= j1; j++) acc += src[j * srcStride + x]! * (Math.min(end, (j + 1) * dstH) - Math.max(start, j * dstH));
      dst[dstOff + y * dstStride + x] = Math.floor((acc + half) / srcH);
    }
  }
}

export function downscalePlaneRef(src: Uint8Array, srcOff: number, srcW: number, srcH: number, srcStride: number, dst: Uint8Array, dstOff: number, dstW: number, dstH: number, dstStride: number, ch = 1): void {
  const tmp = new Uint8Array(dstW * ch * srcH);
  hpass(src, srcOff, srcStride, srcW, srcH, tmp, dstW * ch, dstW, ch);
  vpass(tmp, dstW * ch, srcH, dstW * ch, dst, dstOff, dstStride, dstH);
}

export const i420Size = (w: number, h: number) => w * h + 2 * ((w + 1) >> 1) * ((h + 1) >> 1);

export function downscaleI420Ref(src: Uint8Array, w: number, h: number, dw: number, dh: number): Uint8Array {
  const dst = new Uint8Array(i420Size(dw, dh));
  const cw = (w + 1) >> 1, ch = (h + 1) >> 1, dcw = (dw + 1) >> 1, dch = (dh + 1) >> 1;
  downscalePlaneRef(src, 0, w, h, w, dst, 0, dw, dh, dw);
  downscalePlaneRef(src, w * h, cw, ch, cw, dst, dw * dh, dcw, dch, dcw);
  downscalePlaneRef(src, w * h + cw * ch, cw, ch, cw, dst, dw * dh + dcw * dch, dcw, dch, dcw);
  return dst;
}

export function downscaleNV12Ref(src: Uint8Array, w: number, h: number, dw: number, dh: number): Uint8Array {
  const dst = new Uint8Array(i420Size(dw, dh));
  const cw = (w + 1) >> 1, ch = (h + 1) >> 1, dcw = (dw + 1) >> 1, dch = (dh + 1) >> 1;
  downscalePlaneRef(src, 0, w, h, w, dst, 0, dw, dh, dw);
  downscalePlaneRef(src, w * h, cw, ch, cw * 2, dst, dw * dh, dcw, dch, dcw * 2, 2);
  return dst;
}

export function rgbaToI420Ref(src: Uint8Array, w: number, h: number, stride: number): Uint8Array {
  const dst = new Uint8Array(i420Size(w, h));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * stride + x * 4;
      dst[y * w + x] = ((66 * src[p]! + 129 * src[p + 1]! + 25 * src[p + 2]! + 128) >> 8) + 16;
    }
  }
  const cw = (w + 1) >> 1, chh = (h + 1) >> 1;
  const du = w * h, dv = du + cw * chh;
  for (let cy = 0; cy < chh; cy++) {
    for (let cx = 0; cx < cw; cx++) {
      let sr = 0, sg = 0, sb = 0, n = 0;
      for (let j = 0; j < 2; j++) for (let i = 0; i < 2; i++) {
        const y = 2 * cy + j, x = 2 * cx + i;
        if (y >= h || x >= w) continue;
        const p = y * stride + x * 4;
        sr += src[p]!; sg += src[p + 1]!; sb += src[p + 2]!; n++;
      }
      const R = Math.floor((sr + (n >> 1)) / n), G = Math.floor((sg + (n >> 1)) / n), B = Math.floor((sb + (n >> 1)) / n);
      dst[du + cy * cw + cx] = ((-38 * R - 74 * G + 112 * B + 128) >> 8) + 128;
      dst[dv + cy * cw + cx] = ((112 * R - 94 * G - 18 * B + 128) >> 8) + 128;
    }
  }
  return dst;
}

export function frameDiffRef(a: Uint8Array, b: Uint8Array, len: number): number {
  let sum = 0;
  for (let i = 0; i < len; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum;
}
