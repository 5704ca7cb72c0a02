// Camera frames in, smaller and fewer frames out, off the UI thread. Frames are copied
// straight into WASM memory (VideoFrame.copyTo into the module's buffer), scaled there,
// and wrapped into a new VideoFrame. Every input frame is closed right after use; the
// counters let tests prove that no VideoFrame leaks. No Svelte in here.
import * as Comlink from 'comlink';
import { Kernels, simdSupported } from '../../../wasm/kernels.js';
import { downscaleI420Ref, i420Size } from '../../../wasm/reference.js';

export interface ScalerStats {
  framesIn: number; framesOut: number; dropped: number; inputClosed: number;
  path: 'wasm-simd' | 'wasm-scalar' | 'canvas' | 'passthrough' | 'none';
  kernelMs: number; height: number; fps: number; format: string; wasm: 'simd' | 'scalar' | 'failed' | 'none';
}
export interface KernelBench { name: string; msPerFrame: number }

let kernels: Kernels | null = null;
let target = { height: 720, fps: 30 };
let lastOut = -Infinity;
let canvas: OffscreenCanvas | null = null;
const stats: ScalerStats = { framesIn: 0, framesOut: 0, dropped: 0, inputClosed: 0, path: 'none', kernelMs: 0, height: 0, fps: 30, format: '', wasm: 'none' };

function close(frame: VideoFrame): void {
  frame.close();
  stats.inputClosed++;
}

async function scale(frame: VideoFrame): Promise<VideoFrame> {
  const w = frame.visibleRect?.width ?? frame.codedWidth;
  const h = frame.visibleRect?.height ?? frame.codedHeight;
  if (h <= target.height) { stats.path = 'passthrough'; stats.height = h; return frame; }
  const dh = target.height & ~1;
  const dw = Math.max(2, Math.round((w * dh) / h) & ~1);
  const t0 = performance.now();
  let out: VideoFrame;
  if (kernels && (frame.format === 'I420' || frame.format === 'NV12')) {
    const job = kernels.layout(i420Size(w, h), i420Size(dw, dh), dw * 2 * h + 64);
    await frame.copyTo(job.input);
    kernels.downscaleInPlace(frame.format, job, w, h, dw, dh);
    out = new VideoFrame(job.output, { format: frame.format, codedWidth: dw, codedHeight: dh, timestamp: frame.timestamp, ...(frame.duration ? { duration: frame.duration } : {}) });
    stats.path = kernels.simd ? 'wasm-simd' : 'wasm-scalar';
  } else {
    // RGB frames (e.g. canvas captures) or no WASM: let the browser scale.
    canvas ??= new OffscreenCanvas(dw, dh);
    if (canvas.width !== dw || canvas.height !== dh) { canvas.width = dw; canvas.height = dh; }
    canvas.getContext('2d')!.drawImage(frame, 0, 0, dw, dh);
    out = new VideoFrame(canvas, { timestamp: frame.timestamp });
    stats.path = 'canvas';
  }
  stats.kernelMs = stats.kernelMs * 0.9 + (performance.now() - t0) * 0.1;
  stats.height = dh;
  return out;
}

const api = {
  async start(readable: ReadableStream<VideoFrame>, writable: WritableStream<VideoFrame>, wasm: { simd: string; scalar: string }): Promise<void> {
    try {
      kernels = await Kernels.load(await (await fetch(simdSupported() ? wasm.simd : wasm.scalar)).arrayBuffer());
      stats.wasm = kernels.simd ? 'simd' : 'scalar';
    } catch {
      kernels = null; // the canvas path still works
      stats.wasm = 'failed';
    }
    const reader = readable.getReader();
    const writer = writable.getWriter();
    for (;;) {
      const { value: frame, done } = await reader.read();
      if (done || !frame) break;
      stats.framesIn++;
      stats.format = frame.format ?? 'null';
      // Decimate to the target frame rate (timestamps are in microseconds).
      if (target.fps <= 0 || frame.timestamp - lastOut < (1e6 / target.fps) * 0.85) {
        stats.dropped++;
        close(frame);
        continue;
      }
      lastOut = frame.timestamp;
      try {
        const out = await scale(frame);
        if (out !== frame) close(frame);
        await writer.write(out);
        stats.framesOut++;
      } catch {
        if (stats.inputClosed < stats.framesIn) close(frame);
      }
    }
  },

  setTarget(height: number, fps: number): void {
    target = { height, fps };
    stats.fps = fps;
  },

  stats(): ScalerStats {
    return { ...stats };
  },

  /** ms per frame for 1280x720 I420 -> dw x dh: WASM SIMD, WASM scalar, plain JS, canvas. */
  async benchmark(wasm: { simd: string; scalar: string }, dw: number, dh: number, iterations = 60): Promise<KernelBench[]> {
    const w = 1280, h = 720;
    const src = new Uint8Array(i420Size(w, h)).map((_, i) => (i * 7) & 255);
    const out: KernelBench[] = [];
    const time = (fn: () => void) => { fn(); const t0 = performance.now(); for (let i = 0; i < iterations; i++) fn(); return (performance.now() - t0) / iterations; };
    for (const [name, url] of [['wasm-simd', wasm.simd], ['wasm-scalar', wasm.scalar]] as const) {
      if (name === 'wasm-simd' && !simdSupported()) continue;
      const k = await Kernels.load(await (await fetch(url)).arrayBuffer());
      const job = k.layout(i420Size(w, h), i420Size(dw, dh), dw * 2 * h + 64);
      job.input.set(src);
      out.push({ name, msPerFrame: time(() => k.downscaleInPlace('I420', job, w, h, dw, dh)) });
    }
    out.push({ name: 'js', msPerFrame: time(() => downscaleI420Ref(src, w, h, dw, dh)) });
    const frame = new VideoFrame(src, { format: 'I420', codedWidth: w, codedHeight: h, timestamp: 0 });
    const c = new OffscreenCanvas(dw, dh);
    const ctx = c.getContext('2d')!;
    out.push({ name: 'canvas-drawImage', msPerFrame: time(() => { ctx.drawImage(frame, 0, 0, dw, dh); ctx.getImageData(0, 0, 1, 1); }) });
    frame.close();
    return out;
  },
};

export type ScalerApi = typeof api;
Comlink.expose(api);
