// Spoken prompts: text to 8 kHz 16-bit PCM with Debian's espeak-ng, cached on disk by a
// hash of voice and text, so each prompt is synthesised once (at the gateway's start) and
// dynamic text (a motion's title) costs one espeak run. No espeak-ng: silence and a warning.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { logger } from '../log.js';
import type { Lang } from './ivr.js';

const run = promisify(execFile);
const log = logger('phone');

/** Reads a PCM WAV (16-bit mono) and returns its samples and rate. */
export function readWav(buf: Buffer): { rate: number; samples: Int16Array } {
  if (buf.length < 44 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a WAV file');
  let off = 12;
  let rate = 0;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    let size = buf.readUInt32LE(off + 4);
    if (id === 'fmt ') rate = buf.readUInt32LE(off + 12);
    // espeak-ng writes 0x7fffffff as the data size when it streams to stdout.
    if (id === 'data') {
      size = Math.min(size, buf.length - off - 8) & ~1;
      const samples = new Int16Array(size / 2);
      for (let i = 0; i < samples.length; i++) samples[i] = buf.readInt16LE(off + 8 + i * 2);
      return { rate, samples };
    }
    off += 8 + size + (size & 1);
  }
  throw new Error('WAV without data');
}

/** Down-samples with a moving-average low-pass (prompts are speech: good enough, no aliasing hiss). */
export function resample(input: Int16Array, from: number, to: number): Int16Array {
  if (from === to) return input;
  const ratio = from / to;
  const out = new Int16Array(Math.floor(input.length / ratio));
  const half = Math.max(0.5, ratio / 2);
  for (let i = 0; i < out.length; i++) {
    const c = i * ratio;
    const a = Math.max(0, Math.floor(c - half));
    const b = Math.min(input.length - 1, Math.ceil(c + half));
    let sum = 0;
    for (let j = a; j <= b; j++) sum += input[j]!;
    out[i] = Math.round(sum / (b - a + 1));
  }
  return out;
}

/** The cache file of a text in a voice (the build script and the gateway agree on it). */
export function promptFile(dir: string, lang: Lang, text: string): string {
  const voice = lang === 'de' ? 'de' : 'en-gb';
  return join(dir, `${createHash('sha256').update(`${voice}\n${text}`).digest('hex').slice(0, 24)}.pcm`);
}

export class Speech {
  readonly #dir: string;
  readonly #prebuilt: string | null;
  #available: boolean | null = null;

  /** `prebuilt`: prompts spoken at build time (scripts/prompts.ts), read before synthesising. */
  constructor(cacheDir: string, prebuilt: string | null = null) {
    this.#dir = cacheDir;
    this.#prebuilt = prebuilt;
    mkdirSync(cacheDir, { recursive: true });
  }

  async say(lang: Lang, text: string): Promise<Int16Array> {
    const voice = lang === 'de' ? 'de' : 'en-gb';
    const built = this.#prebuilt ? promptFile(this.#prebuilt, lang, text) : null;
    if (built && existsSync(built)) { const b = readFileSync(built); return new Int16Array(b.buffer, b.byteOffset, b.length / 2); }
    const file = promptFile(this.#dir, lang, text);
    if (existsSync(file)) { const b = readFileSync(file); return new Int16Array(b.buffer, b.byteOffset, b.length / 2); }
    if (this.#available === false) return new Int16Array(8000);
    try {
      const { stdout } = await run('espeak-ng', ['-v', voice, '-s', '150', '--stdout', text], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: 30_000 });
      this.#available = true;
      const { rate, samples } = readWav(stdout);
      const pcm = resample(samples, rate, 8000);
      writeFileSync(`${file}.tmp`, Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
      renameSync(`${file}.tmp`, file);
      return pcm;
    } catch (error) {
      if (this.#available === null) log.warn('espeak-ng is not available: phone prompts are silent', { error: String(error) });
      this.#available = false;
      return new Int16Array(8000);
    }
  }
}
