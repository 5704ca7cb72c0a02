// Main-thread side of the scaler worker: wires a camera track through the worker and
// returns the track to send. Null where insertable streams are missing (the caller then
// sends the camera as is and relies on applyConstraints / scaleResolutionDownBy).
import * as Comlink from 'comlink';
import simdUrl from '../../../../wasm/build/kernels-simd.wasm?url';
import scalarUrl from '../../../../wasm/build/kernels-scalar.wasm?url';
import type { KernelBench, ScalerApi, ScalerStats } from '../../workers/scaler.worker.js';

export const WASM_URLS = { simd: simdUrl, scalar: scalarUrl };

export interface ScaledTrack {
  track: MediaStreamTrack;
  setTarget(height: number, fps: number): Promise<void>;
  stats(): Promise<ScalerStats>;
  close(): void;
}

export function insertableStreamsSupported(): boolean {
  return typeof MediaStreamTrackProcessor !== 'undefined' && typeof MediaStreamTrackGenerator !== 'undefined';
}

function worker(): { api: Comlink.Remote<ScalerApi>; terminate: () => void } {
  const w = new Worker(new URL('../../workers/scaler.worker.ts', import.meta.url), { type: 'module' });
  return { api: Comlink.wrap<ScalerApi>(w), terminate: () => w.terminate() };
}

export function scaledTrack(input: MediaStreamTrack): ScaledTrack | null {
  if (!insertableStreamsSupported()) return null;
  const processor = new MediaStreamTrackProcessor({ track: input });
  const generator = new MediaStreamTrackGenerator({ kind: 'video' });
  const { api, terminate } = worker();
  void api.start(Comlink.transfer(processor.readable, [processor.readable as unknown as Transferable]),
    Comlink.transfer(generator.writable, [generator.writable as unknown as Transferable]), WASM_URLS);
  return {
    track: generator,
    setTarget: (height, fps) => api.setTarget(height, fps),
    stats: () => api.stats(),
    close: () => { generator.stop(); terminate(); },
  };
}

/** Runs the kernel bench in a fresh worker (used at join to classify the device, and by the bench). */
export async function benchmarkKernels(dw = 640, dh = 360, iterations = 60): Promise<KernelBench[]> {
  const { api, terminate } = worker();
  try { return await api.benchmark(WASM_URLS, dw, dh, iterations); } finally { terminate(); }
}

/** A small still picture of the camera (for links below the lowest video rung). */
export async function grabStill(track: MediaStreamTrack, width = 160, height = 90): Promise<Blob | null> {
  const Capture = (globalThis as unknown as { ImageCapture?: new (t: MediaStreamTrack) => { grabFrame(): Promise<ImageBitmap> } }).ImageCapture;
  if (!Capture || track.readyState !== 'live') return null;
  const bitmap = await new Capture(track).grabFrame();
  const c = new OffscreenCanvas(width, height);
  c.getContext('2d')!.drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  return c.convertToBlob({ type: 'image/webp', quality: 0.6 });
}
