// Goals: a video whose step up failed does not try again as soon. Each resume or step up
// costs a keyframe (on a 256 kbit/s link a few hundred ms with the audio queued behind
// it), and a step up the link cannot carry comes down again within seconds. On the edge
// link (256 kbit/s, two remote videos) the second video was paused and resumed every
// 5-7 s for whole runs (3 layer changes in 10 s; runs of 2026-12-07), and in the
// step-down bench's 150 kbit/s phase likewise, a keyframe into the fallen link each time.
// So a track that goes down within FAILED_UP_MS of going up waits twice its last hold
// (UP_HOLD_MS, 10 s, 20 s at most) before it may go up again; one that stayed up that long
// starts over. A link that changed (the estimate forgot its failures, see
// Estimate.linkChanges) takes every track back to the plain hold: the failures said
// nothing about the new link, and recovery must not wait them out.
import { UP_HOLD_MS } from './stabilize.js';

/** A step down this soon after a step up means the step up failed. */
export const FAILED_UP_MS = 10_000;
/** The longest hold a track's failed step ups build up. */
export const MAX_UP_HOLD_MS = 20_000;

export class UpBackoff {
  readonly #tracks = new Map<string, { upAt: number; downAt: number; holdMs: number }>();

  /** The track went up (or resumed). */
  up(id: string, now: number): void {
    const s = this.#tracks.get(id);
    this.#tracks.set(id, { upAt: now, downAt: s?.downAt ?? -Infinity, holdMs: s?.holdMs ?? UP_HOLD_MS });
  }

  /** The track went down (or started paused): returns how long it waits before going up. */
  down(id: string, now: number): number {
    const s = this.#tracks.get(id);
    const failed = s !== undefined && now - s.upAt < FAILED_UP_MS;
    const holdMs = failed ? Math.min(s.holdMs * 2, MAX_UP_HOLD_MS) : UP_HOLD_MS;
    this.#tracks.set(id, { upAt: s?.upAt ?? -Infinity, downAt: now, holdMs });
    return holdMs;
  }

  /**
   * The link changed: back to the plain hold. Returns, for each track whose hold was
   * longer, until when it would wait with the plain one.
   */
  reset(): [string, number][] {
    const shorter: [string, number][] = [];
    for (const [id, s] of this.#tracks) {
      if (s.holdMs > UP_HOLD_MS) shorter.push([id, s.downAt + UP_HOLD_MS]);
      s.holdMs = UP_HOLD_MS;
    }
    return shorter;
  }

  forget(id: string): void { this.#tracks.delete(id); }

  get size(): number { return this.#tracks.size; }
}
