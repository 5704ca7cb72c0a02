// A small jitter buffer per incoming stream, and the mixer's limiter: pure, no I/O.
// Goals: play each source 40 ms behind its arrival so ordinary jitter never underruns;
// conceal a lost frame by fading the last one (never a click, never a gap); drop frames
// that arrive too late; and never clip when several people speak at once.
export const FRAME = 160; // 20 ms at 8 kHz

export class JitterBuffer {
  readonly #frames = new Map<number, Int16Array>();
  #next: number | null = null;
  #last: Int16Array | null = null;
  #concealed = 0;
  readonly #target: number;
  underruns = 0;
  late = 0;
  played = 0;
  /** Frames never received (skipped gaps) and frames dropped to keep the delay down. */
  lost = 0;
  dropped = 0;

  constructor(targetFrames = 2) { this.#target = targetFrames; }

  push(seq: number, frame: Int16Array): void {
    if (this.#next !== null && seqBefore(seq, this.#next)) { this.late++; return; }
    if (this.#frames.size > 50) { this.#frames.clear(); this.#next = null; } // a stream that restarted far away
    this.#frames.set(seq, frame);
  }

  /** The next 20 ms of this source, or null when it has nothing (silent, not an underrun). */
  pop(): Int16Array | null {
    if (this.#next === null) {
      if (this.#frames.size < this.#target) return null;
      this.#next = this.#oldest();
    }
    // Drift or a burst left us too far behind: drop the oldest frames, keep the delay small.
    while (this.#frames.size > this.#target + 4) { this.#frames.delete(this.#oldest()); this.dropped++; }
    if (!this.#frames.has(this.#next) && this.#frames.size >= this.#target) {
      // A gap (lost packets, or keypad events sharing the sequence space): jump over it
      // to the oldest frame we have instead of spending a tick per missing number.
      const oldest = this.#oldest();
      if (seqBefore(this.#next, oldest)) { this.lost += (oldest - this.#next) & 0xffff; this.#next = oldest; }
    }
    const f = this.#frames.get(this.#next);
    if (f) {
      this.#frames.delete(this.#next);
      this.#next = (this.#next + 1) & 0xffff;
      this.#last = f;
      this.#concealed = 0;
      this.played++;
      return f;
    }
    if (this.#frames.size === 0) {
      // The source stopped (muted, DTX, left): start buffering afresh when it returns.
      this.#next = null;
      this.#last = null;
      return null;
    }
    // The next frame is late and little is buffered: conceal with a fading copy.
    this.underruns++;
    this.#next = (this.#next + 1) & 0xffff;
    if (!this.#last || ++this.#concealed > 3) return null;
    const gain = 0.5 ** this.#concealed;
    return this.#last.map((s) => s * gain);
  }

  #oldest(): number {
    return [...this.#frames.keys()].reduce((a, b) => (seqBefore(b, a) ? b : a));
  }
}

/**
 * Phones send 10, 20, 30 or 40 ms per packet; Opus takes 20 ms frames (not 30). Cuts the
 * samples into 20 ms frames by their RTP timestamps, so frame n holds samples
 * [160 n, 160 n + 160) whatever the packet sizes, and reordering is harmless. Bounded:
 * frames that never complete (a lost packet) are dropped after 8 newer ones.
 */
export class FrameAssembler {
  readonly #open = new Map<number, { pcm: Int16Array; filled: number }>();

  /** Adds a packet's samples; returns the frames it completed as [frame index (mod 2^16), samples]. */
  push(timestamp: number, pcm: Int16Array): [number, Int16Array][] {
    const done: [number, Int16Array][] = [];
    for (let i = 0; i < pcm.length; i++) {
      const t = (timestamp + i) >>> 0;
      const n = Math.floor(t / FRAME);
      let f = this.#open.get(n);
      if (!f) {
        if (this.#open.size >= 8) this.#open.delete(this.#open.keys().next().value!);
        this.#open.set(n, (f = { pcm: new Int16Array(FRAME), filled: 0 }));
      }
      f.pcm[t % FRAME] = pcm[i]!;
      if (++f.filled === FRAME) { this.#open.delete(n); done.push([n & 0xffff, f.pcm]); }
    }
    return done;
  }
}

function seqBefore(a: number, b: number): boolean {
  return ((b - a) & 0xffff) !== 0 && ((b - a) & 0xffff) < 0x8000;
}

/**
 * Sums frames into one with a limiter: below the threshold the mix is untouched; above it
 * the gain follows the peak down at once and recovers slowly (no pumping, no clipping).
 */
export class Limiter {
  #gain = 1;
  readonly #threshold: number;
  constructor(threshold = 30_000) { this.#threshold = threshold; }

  mix(frames: (Int16Array | null)[], out = new Int16Array(FRAME)): Int16Array {
    const sum = new Int32Array(FRAME);
    for (const f of frames) if (f) for (let i = 0; i < FRAME; i++) sum[i]! += f[i] ?? 0;
    let peak = 0;
    for (let i = 0; i < FRAME; i++) peak = Math.max(peak, Math.abs(sum[i]!));
    const needed = peak > this.#threshold ? this.#threshold / peak : 1;
    const start = this.#gain;
    const end = needed < start ? needed : Math.min(1, start + 0.02);
    for (let i = 0; i < FRAME; i++) {
      const g = start + ((end - start) * i) / FRAME;
      out[i] = Math.max(-32768, Math.min(32767, Math.round(sum[i]! * Math.min(g, needed < start ? needed : g))));
    }
    this.#gain = end;
    return out;
  }
}
