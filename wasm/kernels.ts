// Host side of the WASM kernels, for browsers (workers) and Node (tests, benches).
// Frames are written straight into the module's memory: `input(bytes)` returns a view to
// copy (or VideoFrame.copyTo) into; results are read from `output` views.
import { i420Size } from './reference.js';

interface Exports {
  memory: WebAssembly.Memory;
  reserve(bytes: number): number;
  simd(): number;
  downscaleI420(src: number, w: number, h: number, dst: number, dw: number, dh: number, tmp: number): void;
  downscaleNV12(src: number, w: number, h: number, dst: number, dw: number, dh: number, tmp: number): void;
  rgbaToI420(src: number, w: number, h: number, stride: number, dst: number): void;
  frameDiff(a: number, b: number, len: number): number;
}

/** A tiny SIMD module (i8x16.splat + drop): validates only where WASM SIMD exists. */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 10, 9, 1, 7, 0, 65, 0, 253, 15, 26, 11]);
export function simdSupported(): boolean {
  try { return WebAssembly.validate(SIMD_PROBE); } catch { return false; }
}

export class Kernels {
  readonly #x: Exports;
  readonly simd: boolean;
  #base = 0;
  #capacity = 0;

  private constructor(x: Exports) {
    this.#x = x;
    this.simd = x.simd() !== 0;
  }

  static async load(bytes: BufferSource): Promise<Kernels> {
    const { instance } = await WebAssembly.instantiate(bytes, {});
    return new Kernels(instance.exports as unknown as Exports);
  }

  #ensure(bytes: number): number {
    if (bytes > this.#capacity) { this.#base = this.#x.reserve(bytes); this.#capacity = bytes; }
    return this.#base;
  }

  /** Lays out [src | dst | tmp] for a w x h -> dw x dh job and returns views into memory. */
  layout(srcBytes: number, dstBytes: number, tmpBytes: number): { src: number; dst: number; tmp: number; input: Uint8Array; output: Uint8Array } {
    const align = (n: number) => (n + 15) & ~15;
    const base = this.#ensure(align(srcBytes) + align(dstBytes) + align(tmpBytes));
    const src = base, dst = base + align(srcBytes), tmp = dst + align(dstBytes);
    const buf = this.#x.memory.buffer;
    return { src, dst, tmp, input: new Uint8Array(buf, src, srcBytes), output: new Uint8Array(buf, dst, dstBytes) };
  }

  /** I420 or NV12 downscale; write the source into `job.input` first (or pass `src`). */
  downscale(format: 'I420' | 'NV12', w: number, h: number, dw: number, dh: number, src?: Uint8Array): Uint8Array {
    const job = this.layout(i420Size(w, h), i420Size(dw, dh), Math.max(dw * 2 * h, dw * 4) + 64);
    if (src) job.input.set(src);
    (format === 'I420' ? this.#x.downscaleI420 : this.#x.downscaleNV12)(job.src, w, h, job.dst, dw, dh, job.tmp);
    return job.output;
  }

  /** Same as downscale, for frames already written to `layout(...).input`. */
  downscaleInPlace(format: 'I420' | 'NV12', job: { src: number; dst: number; tmp: number }, w: number, h: number, dw: number, dh: number): void {
    (format === 'I420' ? this.#x.downscaleI420 : this.#x.downscaleNV12)(job.src, w, h, job.dst, dw, dh, job.tmp);
  }

  rgbaToI420(src: Uint8Array, w: number, h: number, stride = w * 4): Uint8Array {
    const job = this.layout(stride * h, i420Size(w, h), 0);
    job.input.set(src);
    this.#x.rgbaToI420(job.src, w, h, stride, job.dst);
    return job.output;
  }

  frameDiff(a: Uint8Array, b: Uint8Array): number {
    const job = this.layout(a.length, b.length, 0);
    job.input.set(a);
    job.output.set(b);
    return this.#x.frameDiff(job.src, job.dst, a.length) >>> 0;
  }
}
