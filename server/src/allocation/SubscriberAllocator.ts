// One per subscriber: keeps its video tracks' inputs and its downlink estimate, and turns
// them into an allocation plus the list of tracks whose decision changed (only those are
// applied to mediasoup and sent to the client).
//
// Stability (goals: every layer switch or resume costs a keyframe, which on a narrow link
// delays the audio queued behind it, so a decision changes only when it must): a track
// goes down at once when the budget no longer covers it, but up only when the budget
// covers the higher layer with UP_MARGIN to spare, and UP_HOLD_MS after its last step down
// (UP_AFTER_UP_MS after a step up, all in stabilize.ts: recovering layer by layer after congestion is no
// flapping, and waiting 5 s per layer made recovery take 8-12 s); longer after a step up
// that failed (upBackoff.ts).
import { allocate, nextStepBps } from './allocate.js';
import { withCostFloors } from './layers.js';
import { LossEvidence, type LossReport } from './lossEvidence.js';
import { QueueingDelay } from './queueing.js';
import { decisionChanges, stabilize, UP_AFTER_UP_MS, UP_HOLD_MS, UP_MARGIN } from './stabilize.js';
import { UpBackoff } from './upBackoff.js';
import { cutOverIds, retransmissionStorm } from './stormPolicy.js';
import { Estimate } from './Estimate.js';
import { DEFAULT_ESTIMATE_OPTIONS, plainlyClear, type EstimateOptions } from './estimateTuning.js';
import { ReadingsWindow } from './keyframeLink.js';
import type { Allocation, EstimateTrace, TrackAllocation, TrackInput } from './types.js';

export interface SubscriberAllocatorOptions {
  lastN: number;
  initialEstimateBps: number;
  estimate?: Partial<EstimateOptions>;
}

export interface AllocationUpdate {
  allocation: Allocation;
  changed: TrackAllocation[];
  removed: string[];
  /** Changed tracks whose old layer must stop at once (see CUT_OVER_MS). */
  cutOver: string[];
}

export class SubscriberAllocator {
  readonly #tracks = new Map<string, TrackInput>();
  readonly #estimate: Estimate;
  readonly #lastN: number;
  #cap: number | null = null;
  #audioBps = 0;
  #last = new Map<string, TrackAllocation>();
  readonly #upAllowedAt = new Map<string, number>();
  /** How long each track waits after a failed step up (upBackoff.ts). */
  readonly #backoff = new UpBackoff();
  #linkChanges = 0;
  #lastUsed = Infinity;
  #wantsMore = true;
  #sentBps: number | null = null;
  /** The budget the last allocation's next step up needs (null: none can go up). */
  #nextBps: number | null = null;
  /** The budget all the allocation wants needs (see LinkSigns.wantBps). */
  #wantBps: number | null = null;
  readonly #queue = new QueueingDelay();
  readonly #loss = new LossEvidence();
  #rtxShare: number | null = null;
  readonly #nacks = { video: 0, audio: 0 };
  #resendShare: { share: number; at: number } | null = null;
  #upgradePending = false;
  /** mediasoup's recent readings, for the keyframe limit. */
  readonly #readings = new ReadingsWindow();
  #reading: number | null = null;
  #noRtxSince: number | null = null;

  constructor(options: SubscriberAllocatorOptions, now = 0) {
    this.#lastN = options.lastN;
    this.#estimate = new Estimate(options.initialEstimateBps, options.estimate, now);
  }

  setTrack(track: TrackInput): void { this.#tracks.set(track.id, track); }

  patchTrack(id: string, patch: Partial<Omit<TrackInput, 'id'>>): void {
    const t = this.#tracks.get(id);
    if (t) this.#tracks.set(id, { ...t, ...patch });
  }

  removeTrack(id: string): void { this.#tracks.delete(id); this.#upAllowedAt.delete(id); this.#backoff.forget(id); }

  track(id: string): TrackInput | undefined { return this.#tracks.get(id); }

  /** A downlink measurement (mediasoup's availableOutgoingBitrate). */
  // Congestion is an estimate below what the transport really sends (all media, as the
  // estimate counts it). Until that is known, below the video we allocated: the audio
  // reserve is a planning margin (DTX sends far less), and with every video paused
  // nothing can be concluded, so probing goes on instead of deadlocking at an audio-only
  // estimate. (Compared with allocated video, an estimate that follows a link's real
  // traffic looked like congestion whenever the layers' measured rates were high: the
  // edge-3 bench paused video for seconds on a link with room to spare.)
  setEstimate(bps: number, now: number): void {
    this.#reading = bps;
    // Idle: no video beyond the first one's floor flows, so the estimate follows the audio.
    const idle = Number.isFinite(this.#lastUsed) && this.#lastUsed <= FLOOR_MAX_BPS;
    if (this.#upgradePending) this.#estimate.upgradePending(now);
    this.#readings.add(bps, now, (this.#queue.ms ?? 0) < CALM_QUEUE_MS);
    this.#estimate.update(bps, now, this.#sentBps ?? this.#lastUsed, this.#wantsMore, { queueMs: this.#queue.ms, queueNowMs: this.#queue.nowMs, loss: this.#loss.fraction, cleanMs: this.#cleanMs(now), idle, rtxShare: this.#rtxShare, sentBps: this.#sentBps, nextBps: this.#nextBps, wantBps: this.#wantBps });
  }

  /** Some video is forwarded below the spatial layer it was allocated (waiting for its keyframe). */
  setUpgradePending(pending: boolean): void { this.#upgradePending = pending; }

  /** The receiver's reported loss (0..1): heavy loss is congestion evidence like a queue (see lossEvidence.ts). */
  setLoss(fraction: number, report?: LossReport, now?: number): void { this.#loss.add(fraction, report, now); }

  /** The link is congested and a retransmission storm feeds it (see stormPolicy.ts). */
  retransmissionStorm(now: number): boolean {
    return retransmissionStorm({ congestedAt: this.#estimate.congestedAt, resendShare: this.#resendShare, rtxShare: this.#rtxShare }, now);
  }

  /** The estimate reads below what is sent and waits for evidence. */
  get suspect(): boolean { return this.#estimate.suspect; }

  /** The queue is worth reading every tick (see Estimate.wantsRtt). */
  get wantsRtt(): boolean { return this.#estimate.wantsRtt; }

  /** A round-trip time to this subscriber (from its receiver reports). */
  setRtt(ms: number, now: number): void {
    // A new report's round trip began about `ms` ago: it has seen what was sent since then.
    if (this.#queue.add(ms, now)) this.#estimate.queueSeen(now - ms);
  }

  /** What the subscriber's transport sends now (mediasoup's sendBitrate), and how much of it is retransmitted. */
  setSent(bps: number, rtxBps?: number, now?: number): void {
    this.#sentBps = bps;
    this.#rtxShare = rtxBps === undefined || bps <= 0 ? null : rtxBps / bps;
    // Since when nothing was retransmitted (a random-loss link retransmits every second).
    if (now === undefined || rtxBps === undefined) this.#noRtxSince = null;
    else if (rtxBps > 0) this.#noRtxSince = now;
    else this.#noRtxSince ??= now;
  }

  /** How long the link has been plainly clean: nothing lost in the reports, nothing retransmitted. */
  #cleanMs(now: number): number {
    return this.#noRtxSince === null ? 0 : Math.min(now - this.#noRtxSince, this.#loss.cleanMs(now));
  }

  /** The subscriber asked for lost packets again (a NACK, from mediasoup's consumer trace). */
  noteNack(kind: 'audio' | 'video'): void { this.#nacks[kind]++; }

  /** The share of packets sent that were resent on the subscriber's NACKs lately (nackPressure.ts). */
  setResendShare(share: number, now: number): void {
    this.#resendShare = { share, at: now };
    this.#estimate.resendShare(share, now, this.#sentBps ?? null);
  }

  /** A hard cap on this subscriber's downlink ("save data", or an operator limit). */
  setCap(bps: number | null): void { this.#cap = bps; }

  /** What this subscriber's audio consumers take; reserved before any video. */
  setAudioBitrate(bps: number): void { this.#audioBps = bps; }

  /**
   * With every video paused, mediasoup's estimate reads about the audio it carries (or,
   * after a burst of retransmissions on a link that just stepped down, half of it), so
   * the budget stays at zero; a paused consumer asks mediasoup for nothing, so it never
   * probes; and audio receiver reports come only every ~5 s, so the queue and loss they
   * show are stale. In the step-down bench a subscriber on a 150 kbit/s link saw no video
   * for 13-20 s of 20. So the first video's cheapest layer (~25 kbit/s, a few frames a
   * second) stays on whatever the estimate reads: the user sees the speaker, and the
   * forwarded consumer keeps mediasoup probing and its receiver reports fresh. Only a cap
   * ("save data", an operator limit) too small for it turns it off.
   */
  #floorBps(): number {
    return this.#cap === null || this.#cap >= this.#audioBps + FLOOR_MAX_BPS ? FLOOR_MAX_BPS : 0;
  }

  /** What the budget was decided from (server metrics; the bench plots it). */
  trace(now: number): EstimateTrace {
    return {
      readingBps: this.#reading, sentBps: this.#sentBps ?? null, queueMs: this.#queue.ms, rttMs: this.#queue.lastMs, baseRttMs: this.#queue.baseMs, failedLevelBps: this.#estimate.failedLevelBps, holdMs: this.#estimate.holdMs,
      keyframeLinkBps: this.#keyframeLink(now), cleanMs: this.#cleanMs(now), linkProbes: this.#estimate.linkProbes, rtxShare: this.#rtxShare,
      nacks: { ...this.#nacks }, resendShare: this.#resendShare?.share ?? null,
    };
  }

  /** mediasoup should probe this subscriber's link now (see linkProbe.ts); taking it clears it. */
  takeLinkProbe(): boolean { return this.#estimate.takeLinkProbe(); }

  /** The downlink budget, audio included, before any hard cap. */
  get linkBudget(): number { return this.#estimate.bps; }

  get videoBudget(): number {
    return Math.max(0, this.#link() - this.#audioBps);
  }

  /** The downlink budget, audio included, within the hard cap. */
  #link(): number {
    return this.#cap === null ? this.#estimate.bps : Math.min(this.#cap, this.#estimate.bps);
  }

  /** The link rate a keyframe drains at (see keyframeLink.ts). */
  #keyframeLink(now: number): number { return this.#readings.keyframeLink(this.#link(), this.#clear(now)); }

  #clear(now: number): boolean { return plainlyClear(this.#queue.nowMs, this.#cleanMs(now)); }

  /** Video bitrate the last allocation handed out. */
  get used(): number { return Number.isFinite(this.#lastUsed) ? this.#lastUsed : 0; }

  update(now: number): AllocationUpdate {
    if (this.#estimate.linkChanges !== this.#linkChanges) {
      this.#linkChanges = this.#estimate.linkChanges;
      for (const [id, at] of this.#backoff.reset()) this.#upAllowedAt.set(id, Math.min(at, this.#upAllowedAt.get(id) ?? at));
    }
    const tracks = [...this.#tracks.values()].map(withCostFloors);
    const input = { budget: this.videoBudget, lastN: this.#lastN, tracks, floorBps: this.#floorBps() };
    // The keyframe limit (KEYFRAME_MAX_MS) applies to switching a layer on, i.e. to new
    // tracks and upgrades, which go by `safe`: a layer already flowing needs no keyframe to
    // stay, and only the budget takes it away.
    const safe = allocate({ ...input, budget: input.budget * UP_MARGIN, linkBps: this.#keyframeLink(now) * UP_MARGIN });
    const allocation = stabilize({
      fresh: allocate(input), safe, tracks: input.tracks,
      last: this.#last, upAllowedAt: this.#upAllowedAt, now, floorBps: input.floorBps,
    });
    const next = new Map(allocation.tracks.map((t) => [t.id, t]));
    const { changed, moved } = decisionChanges(this.#last, allocation.tracks);
    for (const { id, up, byBudget } of moved) {
      if (up) this.#backoff.up(id, now);
      this.#upAllowedAt.set(id, now + (up ? UP_AFTER_UP_MS : byBudget ? this.#backoff.down(id, now) : UP_HOLD_MS));
    }
    // Congestion took a forwarded video to a lower picture: cut over (stormPolicy.ts).
    const cutOver = cutOverIds(changed, this.#last, this.#estimate.congestedAt, now);
    const removed = [...this.#last.keys()].filter((id) => !next.has(id));
    this.#last = next;
    this.#lastUsed = allocation.used;
    // Probing is worth its risk only while a larger budget would really be used: not while
    // the senders do not send the layers the tiles want (a stepped-down camera), nor while
    // an upgrade merely waits for its hold. Else a probe tests nothing and the budget grew
    // unchecked (13 Mbit/s for a subscriber receiving 150 kbit/s; when its link stepped
    // down to 150 kbit/s nothing was below that budget to notice).
    // Nor while a paused track the budget already covers waits for its hold: after a step
    // down to audio only, probes grew the budget from 160 to 484 kbit/s while nothing more
    // was sent, and both videos then resumed at once (two keyframes) into a 150 kbit/s link.
    // Only while it waits for its hold, though: a calm paused track that stabilize still does
    // not resume (the others keep more than their share, and a blank tile is not traded for
    // another) needs a larger budget. In CI a subscriber whose speaker changed at once sat at
    // its first 150 kbit/s for 45 s: the new speaker's video paused, the other at its lowest
    // layer, the two together more than the budget, and nothing probed.
    const covered = new Set(safe.tracks.filter((t) => t.target !== null).map((t) => t.id));
    const waiting = allocation.tracks.some((t) => t.pausedReason === 'bandwidth' && covered.has(t.id) && now < (this.#upAllowedAt.get(t.id) ?? -Infinity));
    // (With no keyframe limit either: a layer whose keyframe the link cannot drain yet is
    // also worth probing for.)
    const all = allocate({ ...input, budget: Number.MAX_SAFE_INTEGER }).used;
    this.#wantsMore = !waiting && all > safe.used;
    this.#wantBps = (all + this.#audioBps) / UP_MARGIN;
    this.#nextBps = nextStepBps(input.tracks, allocation, this.#audioBps, UP_MARGIN);
    return { allocation, changed, removed, cutOver };
  }
}

/** A queue this far above the link's own (ms) is calm: as the Estimate judges it (half its congestion queue). */
export const CALM_QUEUE_MS = DEFAULT_ESTIMATE_OPTIONS.queueMs / 2;

/** The first video's cheapest layer is kept while it costs at most this. */
export const FLOOR_MAX_BPS = 40_000;
