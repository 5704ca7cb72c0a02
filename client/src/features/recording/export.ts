// Export: the stored chunks become one file. Video goes through ffmpeg.wasm (single
// thread, from our own origin, loaded only now, a fresh instance per export) which copies
// the streams into a seekable WebM with duration and cues; the parts of a resumed
// recording are joined as `exportPlan` says. Audio minutes are Ogg pages already: the
// parts are chained Ogg streams, a valid file as they are.
import { exportPlan } from './export-plan.js';

export type ExportPhase = 'loading' | 'running' | 'done';

export class ExportError extends Error {}

const LOAD_TIMEOUT_MS = 60_000;

export async function exportRecording(kind: 'video' | 'audio', parts: Uint8Array[][], onPhase: (p: ExportPhase, progress: number) => void): Promise<Blob> {
  if (parts.length === 0) throw new ExportError('nothing was recorded');
  if (kind === 'audio') {
    onPhase('done', 1);
    return new Blob(parts.flat() as BlobPart[], { type: 'audio/ogg' });
  }
  onPhase('loading', 0);
  const [{ FFmpeg }, { default: coreURL }, { default: wasmURL }] = await Promise.all([
    import('@ffmpeg/ffmpeg'),
    import('@ffmpeg/core?url'),
    import('@ffmpeg/core/wasm?url'),
  ]);
  const ffmpeg = new FFmpeg();
  try {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), LOAD_TIMEOUT_MS);
    try {
      await ffmpeg.load({ coreURL: new URL(coreURL, location.href).href, wasmURL: new URL(wasmURL, location.href).href }, { signal: abort.signal });
    } catch (e) {
      throw new ExportError(abort.signal.aborted ? 'the export tool did not load in time' : `the export tool could not load (${e instanceof Error ? e.message : String(e)})`);
    } finally {
      clearTimeout(timer);
    }
    onPhase('running', 0);
    let step = 0;
    let steps = 1;
    ffmpeg.on('progress', ({ progress }) => onPhase('running', (step + Math.max(0, Math.min(1, progress))) / steps));
    const inputs: string[] = [];
    for (const [i, chunks] of parts.entries()) {
      const name = `part${i + 1}.webm`;
      await ffmpeg.writeFile(name, concat(chunks));
      inputs.push(name);
    }
    const plan = exportPlan(inputs);
    for (const [name, text] of Object.entries(plan.files)) await ffmpeg.writeFile(name, new TextEncoder().encode(text));
    steps = plan.commands.length;
    for (const [i, args] of plan.commands.entries()) {
      step = i;
      const code = await ffmpeg.exec(args);
      if (code !== 0) throw new ExportError(`ffmpeg exited with ${code}`);
    }
    const out = await ffmpeg.readFile(plan.output);
    if (!(out instanceof Uint8Array) || out.byteLength === 0) throw new ExportError('ffmpeg produced no file');
    onPhase('done', 1);
    return new Blob([out as BlobPart], { type: 'video/webm' });
  } catch (e) {
    if (e instanceof ExportError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    throw new ExportError(/memory/i.test(message) ? 'not enough memory in this browser for this recording' : message);
  } finally {
    // One instance per job: a failed run leaves ffmpeg.wasm broken.
    ffmpeg.terminate();
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.byteLength; }
  return out;
}
