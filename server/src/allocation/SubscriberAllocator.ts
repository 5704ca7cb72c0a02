// One per subscriber: keeps its video tracks' inputs and its downlink estimate, and turns
// them into an allocation plus the list of tracks whose decision changed (only those are
// applied to mediasoup and sent to the client).
import { allocate } from './allocate.js';
import { Estimate, type EstimateOptions } from './Estimate.js';
import type { Allocation, TrackAllocation, TrackInput } from './types.js';

export interface SubscriberAllocatorOptions {
  lastN: number;
  initialEstimateBps: number;
  estimate?: Partial<EstimateOptions>;
}

export interface AllocationUpdate {
  allocation: Allocation;
  changed: TrackAllocation[];
  removed: string[];
}

export class SubscriberAllocator {
  readonly #tracks = new Map<string, TrackInput>();
  readonly #estimate: Estimate;
  readonly #lastN: number;
  #cap: number | null = null;
  #audioBps = 0;
  #last = new Map<string, TrackAllocation>();
  #lastUsed = Infinity;

  constructor(options: SubscriberAllocatorOptions, now = 0) {
    this.#lastN = options.lastN;
    this.#estimate = new Estimate(options.initialEstimateBps, options.estimate, now);
  }

  setTrack(track: TrackInput): void { this.#tracks.set(track.id, track); }

  patchTrack(id: string, patch: Partial<Omit<TrackInput, 'id'>>): void {
    const t = this.#tracks.get(id);
    if (t) this.#tracks.set(id, { ...t, ...patch });
  }

  removeTrack(id: string): void { this.#tracks.delete(id); }

  track(id: string): TrackInput | undefined { return this.#tracks.get(id); }

  /** A downlink measurement (mediasoup's availableOutgoingBitrate). */
  // Congestion is judged against the video we actually allocated: the audio reserve is a
  // planning margin (DTX sends far less), and with every video paused nothing can be
  // concluded, so probing goes on instead of deadlocking at an audio-only estimate.
  setEstimate(bps: number, now: number): void { this.#estimate.update(bps, now, this.#lastUsed); }

  /** A hard cap on this subscriber's downlink ("save data", or an operator limit). */
  setCap(bps: number | null): void { this.#cap = bps; }

  /** What this subscriber's audio consumers take; reserved before any video. */
  setAudioBitrate(bps: number): void { this.#audioBps = bps; }

  get videoBudget(): number {
    const link = this.#cap === null ? this.#estimate.bps : Math.min(this.#cap, this.#estimate.bps);
    return Math.max(0, link - this.#audioBps);
  }

  /** Video bitrate the last allocation handed out. */
  get used(): number { return Number.isFinite(this.#lastUsed) ? this.#lastUsed : 0; }

  update(): AllocationUpdate {
    const allocation = allocate({ budget: this.videoBudget, lastN: this.#lastN, tracks: [...this.#tracks.values()] });
    const next = new Map(allocation.tracks.map((t) => [t.id, t]));
    const changed = allocation.tracks.filter((t) => !sameDecision(this.#last.get(t.id), t));
    const removed = [...this.#last.keys()].filter((id) => !next.has(id));
    this.#last = next;
    this.#lastUsed = allocation.used;
    return { allocation, changed, removed };
  }
}

function sameDecision(a: TrackAllocation | undefined, b: TrackAllocation): boolean {
  return a !== undefined && a.pausedReason === b.pausedReason && a.rank === b.rank
    && a.target?.spatial === b.target?.spatial && a.target?.temporal === b.target?.temporal;
}
