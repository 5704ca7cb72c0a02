// Goals: react to congestion quickly, grow only after the link proved stable, never
// oscillate, and never trust a single reading.
// - Congestion is mediasoup's estimate below what we actually send (5 % dead band; 25 %
//   while (almost) no video flows, see APP_LIMITED_BAND) with evidence, confirmed for
//   `confirmMs` or at once (lowReading.ts). A reading merely below our budget while we send
//   less is no congestion: the BWE of an app-limited link follows what is sent. A reading
//   below what is sent blocks growth, unless the link is plainly clear: the queue empty and
//   nothing lost for seconds (see LAG_CLEAN_MS); then the reading lags a link that came back.
// - Growth waits `hold` ms without a drop, then probes (mediasoup's BWE finds more capacity
//   only when asked), one probe per `probeIntervalMs` while they succeed, only while the
//   allocation wants more and no reading is low, and from our own budget, never from the
//   reading: on a jittery link mediasoup reported 200 Mbit/s for a 256 kbit/s link. A drop
//   that begins within `hold` of a probe means it failed: the next growth waits twice as
//   long (up to maxHold), and probes stop below the level that failed (see below).
// - A probe is judged by the queue, too: for a hold after it, the RTT is read every tick,
//   and a queue that fills (RTT `queueMs` above the link's own) fails it at once, back to
//   the lowest budget of that window (the verdict also gates the next probe, see #grow).
//   On the edge link mediasoup's estimate stayed high for 2-3 s while the queue held
//   400 ms, and each such spike kept the audio jitter buffer above 400 ms for ~30 s.
// - A level that failed is not probed again while it is remembered (failedLevel.ts), and a
//   probe goes no further than the traffic would follow (probeTarget.ts). On the edge link
//   mediasoup's readings of several Mbit/s took the budget to 4-6 Mbit/s while ~150 kbit/s
//   went out, and mediasoup's probes follow the receive ceiling (recvCap.ts): bursts that
//   queued the audio for 150-300 ms. While a reading at twice the budget waits for the
//   queue's verdict (#noteHigh), the queue is read every tick (wantsRtt): a 5 s old RTT
//   reading held a step-down run's verdict back for 2.4 s.
// - Once a drop is confirmed, further drops (with evidence, RTT known) follow at once for
//   `followMs` (lowReading.ts).
// - While growth is held back by an earlier failure (a remembered level, or a hold doubled
//   by failed probes) on a plainly clear link, mediasoup is asked to probe the link itself
//   now and then (linkProbe.ts): its reading then tells whether the link came back.
import { LinkProbeSchedule } from './linkProbe.js';
import { FailedLevel } from './failedLevel.js';
import { lowReading } from './lowReading.js';
import { probeTarget } from './probeTarget.js';
import {
  APP_LIMITED_BAND, DEFAULT_ESTIMATE_OPTIONS, RESEND_BACKOFF_MS, RESEND_CONGESTION_SHARE, RESEND_KEEP, PENDING_MAX_MS, PROBE_SEEN_MS, SENT_HEADROOM, STANDING_QUEUE_MS, plainlyClear,
  type EstimateOptions, type LinkSigns,
} from './estimateTuning.js';

export class Estimate {
  readonly #o: EstimateOptions;
  #effective: number;
  #lastDownAt = -Infinity;
  #lastUpAt = -Infinity;
  /** When the last probe raised the budget (#lastUpAt moves on while its layers arrive). */
  #probeAt = -Infinity;
  #hold: number;
  /** The budget at which a probe last failed, while remembered. */
  readonly #failed: FailedLevel;
  /** Budgets of the last hold (a probe that fills the queue goes back to the lowest). */
  #recent: { at: number; bps: number }[] = [];
  /** Since when readings are at least twice the budget with a calm queue. */
  #high: { since: number } | null = null;
  /** How far a probe may go by what really goes out (SENT_HEADROOM; Infinity: not known). */
  #room = Infinity;
  /** The last reading was at least twice the budget, while the budget was wanted, but the queue was not known calm. */
  #highUnjudged = false;
  /** When the last drop was confirmed by evidence (not the start). */
  #confirmedAt = -Infinity;
  /** Since when readings are below what we send, and the highest of them. */
  #low: { since: number; max: number } | null = null;
  /** The time of the last reading. */
  #now = 0;
  /** Since when the queue stands at least STANDING_QUEUE_MS above the link's own (a drop starts it over). */
  #standingSince: number | null = null;
  /** What was sent up to this time has shown in an RTT reading (null: RTT unknown). */
  #queueSeenAt: number | null = null;
  readonly #linkProbe = new LinkProbeSchedule();
  /** The last growth was held back by a failure (see #grow). */
  #held = false;
  /** How often readings showed the link changed (see #noteHigh). */
  #linkChanges = 0;

  constructor(initialBps: number, options: Partial<EstimateOptions> = {}, now = 0) {
    this.#o = { ...DEFAULT_ESTIMATE_OPTIONS, ...options };
    this.#effective = initialBps;
    this.#hold = this.#o.holdMs;
    this.#failed = new FailedLevel(this.#o.ceilingMs, this.#o.maxCeilingMs);
    // Start as if the link had just changed: the first probe waits a full hold.
    this.#lastDownAt = now;
  }

  get bps(): number { return this.#effective; }
  /** The level a probe failed at, while it still holds probes below it (null: none). */
  get failedLevelBps(): number | null {
    return this.#failed.at(this.#now);
  }
  get holdMs(): number { return this.#hold; }
  /** Counts the times readings showed the link changed (a remembered failed level forgotten, see #noteHigh). */
  get linkChanges(): number { return this.#linkChanges; }
  /**
   * When congestion was last confirmed: a drop with evidence (or a collapse), or a probe
   * whose queue filled. -Infinity: never.
   */
  get congestedAt(): number { return this.#confirmedAt; }
  /**
   * A reading below what is sent waits for confirmation or evidence, or a probe waits for
   * its verdict: either way the queue is worth measuring every tick.
   */
  get suspect(): boolean { return this.#low !== null || this.#probing(this.#now); }

  /**
   * The queue is worth reading every tick: the estimate is suspect, a high reading waits for
   * a calm verdict, or growth is held back by a failure (whether the link is clear, and so
   * worth a link probe, goes by the last two readings: read every 2 s, they kept a drained
   * queue for 3 s after the step-down link came back).
   */
  get wantsRtt(): boolean { return this.suspect || this.#highUnjudged || this.#held; }

  /** mediasoup should probe the link now (see linkProbe.ts); taking it clears it. */
  takeLinkProbe(): boolean { return this.#linkProbe.take(); }
  /** How many link probes were asked for (server metrics). */
  get linkProbes(): number { return this.#linkProbe.count; }

  /** A new RTT reading: it shows the queue that what was sent until `sentAt` met. */
  queueSeen(sentAt: number): void { this.#queueSeenAt = sentAt; }

  /**
   * A layer the last probe switched on has not arrived yet: its traffic has not begun, so
   * the probe counts as starting now, and its verdict (and the next probe) waits for a
   * report that saw it. On the edge link a 180p layer arrived 3.2 s after a probe allowed
   * it (the sender's layer had been off: dynacast); a second probe, judged by a report
   * that had seen nothing of the first, allowed the other video's 180p as well, and both
   * arrived together at 462 kbit/s into 256.
   */
  upgradePending(now: number): void {
    if (this.#lastUpAt <= this.#lastDownAt || now - this.#probeAt >= PENDING_MAX_MS) return;
    this.#lastUpAt = now;
    // The budget before the probe stays where a failed verdict goes back to.
    const before = this.#recent.at(-1);
    if (before) before.at = now;
  }

  /**
   * Feeds one measurement, what is currently sent, and whether the allocation is held back
   * by the budget (only then is probing worth its risk); returns the effective budget.
   */
  update(measuredBps: number, now: number, usedBps = Infinity, wantsMore = true, signs: LinkSigns = {}): number {
    const { queueMs = null, queueNowMs, loss = null, cleanMs = 0, idle = false, rtxShare = null, sentBps = null, nextBps = null, wantBps = null } = signs;
    this.#now = now;
    const clear = plainlyClear(queueNowMs === undefined ? queueMs : queueNowMs, cleanMs);
    const want = clear ? wantBps ?? 0 : 0;
    this.#room = sentBps === null ? Infinity : Math.max(sentBps * SENT_HEADROOM + this.#o.probeFloorBps, nextBps ?? 0, want);
    this.#highUnjudged = false;
    this.#recent = this.#recent.filter((r) => now - r.at < this.#hold);
    if (queueMs === null || queueMs < STANDING_QUEUE_MS) this.#standingSince = null;
    else this.#standingSince ??= now;
    if (this.#probing(now) && queueMs !== null && queueMs >= this.#o.queueMs) return this.#failProbe(now);
    const threshold = Math.min(this.#effective, usedBps) * (idle ? APP_LIMITED_BAND : 0.95);
    if (measuredBps < threshold) {
      this.#low = this.#low ? { since: this.#low.since, max: Math.max(this.#low.max, measuredBps) } : { since: now, max: measuredBps };
      const verdict = lowReading({
        measuredBps, thresholdBps: threshold, lowForMs: now - this.#low.since, queueMs, loss, rtxShare,
        standingForMs: this.#standingSince === null ? null : now - this.#standingSince, sinceConfirmedMs: now - this.#confirmedAt,
      }, this.#o);
      if (verdict !== 'wait') return this.#drop(measuredBps, now, verdict === 'collapse');
      // No evidence: no drop, but no growth either: the reading says the link carries less
      // than we send (on the edge link, probing on regardless took the budget to 4x the link
      // within 4 s, and concealed audio tripled). With every video paused that deadlocked
      // (the reading follows the audio); the first video's floor (SubscriberAllocator) keeps
      // a consumer forwarding, so mediasoup probes and its reading recovers by itself.
      // Unless the link is plainly clear (LAG_QUEUE_MS, LAG_CLEAN_MS): the reading lags.
      if (!clear || now - this.#low.since < this.#o.confirmMs) return this.#effective;
    } else {
      this.#low = null;
    }
    // With a calm queue only: on the jittery edge link mediasoup read 240-280 kbit/s (a
    // 256 kbit/s link) with the queue 60-120 ms above the link's own.
    const calm = queueMs === null || queueMs < this.#o.queueMs / 2;
    this.#highUnjudged = wantsMore && !calm && measuredBps >= this.#effective * 2;
    if (calm) this.#noteHigh(measuredBps, now);
    else this.#high = null;
    // Not into a queue that already holds more than the link's own.
    return this.#grow(now, wantsMore && (queueMs === null || queueMs < this.#o.queueMs), clear ? measuredBps : null);
  }

  /**
   * `share` of the packets sent lately were resent on the receiver's NACKs (nackPressure.ts):
   * beyond RESEND_CONGESTION_SHARE the queue overflows, and the budget backs off below what
   * is sent (`sentBps`, or the budget where that is not known) without waiting for
   * mediasoup's reading. A confirmed drop: mediasoup's readings are followed at once after it.
   */
  resendShare(share: number, now: number, sentBps: number | null): number {
    this.#now = now;
    if (share < RESEND_CONGESTION_SHARE || now - this.#lastDownAt < RESEND_BACKOFF_MS) return this.#effective;
    const to = Math.min(sentBps ?? this.#effective, this.#effective) * RESEND_KEEP;
    if (this.#probing(now)) this.#probeFailed(this.#effective, now);
    return this.#confirmedDown(to, now);
  }

  /** The last change was a probe, less than a hold ago. */
  #probing(now: number): boolean {
    return this.#lastUpAt > this.#lastDownAt && now - this.#lastUpAt < this.#hold;
  }

  /**
   * The queue filled after a probe: back to where the link was calm. The level remembered
   * as failed is the first step above it: the queue may have begun with any probe not yet
   * seen by a report (remembering the last, 431 kbit/s, let the edge link's 254 kbit/s
   * step, the one that really failed, be probed again at once).
   */
  #failProbe(now: number): number {
    const levels = [...this.#recent.map((r) => r.bps), this.#effective];
    const calm = Math.min(...levels);
    this.#probeFailed(Math.min(...levels.filter((l) => l > calm), this.#effective), now);
    this.#effective = calm;
    this.#low = null;
    this.#lastDownAt = now;
    this.#confirmedAt = now;
    return this.#effective;
  }

  /**
   * A probe to `bps` failed: the next growth waits twice as long, and probes stay below it
   * for a while, longer after each failure.
   */
  #probeFailed(bps: number, now: number): void {
    this.#hold = Math.min(this.#hold * 2, this.#o.maxHoldMs);
    this.#failed.failed(bps, now);
  }

  #drop(measuredBps: number, now: number, collapse: boolean): number {
    // It began soon after a probe: the probe failed. Once: the drops that follow it are the
    // same failure (doubling for each took the hold from 3 to 12 s after one probe).
    const low = this.#low!;
    const failed = this.#probing(low.since);
    // A sustained drop: the best of its readings (each one is already below what we send).
    // Not "what got through" (sent x (1 - loss)): the loss is one consumer's receiver
    // report, and right after a resume a keyframe burst that overflowed a shallow queue read
    // 94 % lost while the audio on the same link got through (the budget fell to 11 kbit/s).
    const reading = collapse ? measuredBps : low.max;
    // A failed probe marks the level the link did not carry.
    if (failed) this.#probeFailed(this.#effective, now);
    return this.#confirmedDown(Math.min(this.#effective, reading), now);
  }

  /** Down to `bps` on evidence: further drops follow at once for followMs (see update). */
  #confirmedDown(bps: number, now: number): number {
    this.#effective = bps;
    this.#low = null;
    // The queue takes a while to drain: it must stand anew before it counts again.
    this.#standingSince = null;
    this.#lastDownAt = now;
    this.#confirmedAt = now;
    return this.#effective;
  }

  /**
   * mediasoup's reading is no budget (it read 200 Mbit/s on a jittery 256 kbit/s link), but
   * when it stays at twice ours for `highMs` with a calm queue, the link has changed:
   * earlier failed probes no longer say anything about it, the hold is back to its base and
   * the failed level forgotten. A subscriber whose link came back from 150 kbit/s waited
   * out a 12 s hold. Twice the failed level too, where one is remembered: on the edge link
   * mediasoup read 265-330 kbit/s, twice a budget of 130 kbit/s, and forgetting the failed
   * 254 kbit/s each time let it fail again.
   */
  #noteHigh(measuredBps: number, now: number): void {
    if (measuredBps < this.#effective * 2) { this.#high = null; return; }
    this.#high ??= { since: now };
    if (now - this.#high.since < this.#o.highMs) return;
    this.#hold = this.#o.holdMs;
    this.#linkProbe.answered();
    const remembered = this.#failed.at(now) !== null;
    this.#failed.forgetBelow(measuredBps);
    // The link changed beyond doubt only past a remembered failure: on the edge link
    // mediasoup read 292 kbit/s, twice a budget of 92, with a probe failed at 184.
    if (!remembered || this.#failed.at(now) === null) this.#linkChanges++;
  }

  /** `clearReading`: mediasoup's reading on a plainly clear link (null: not clear). */
  #grow(now: number, wantsMore: boolean, clearReading: number | null): number {
    // Where RTT is measured, a probe waits for a reading that saw the previous one and a
    // second of the traffic it started (layers switch, keyframes arrive, the queue takes a
    // moment to fill): receiver reports come about once a second and take a round trip, so
    // a probe a second after the last went out before any verdict on it. The edge link went
    // 136 -> 254 -> 431 kbit/s in 2 s and 450 kbit/s went out into 256.
    const judged = this.#queueSeenAt === null ? !this.#o.probeNeedsRtt : this.#queueSeenAt >= this.#lastUpAt + PROBE_SEEN_MS;
    const ready = wantsMore && judged && now - this.#lastUpAt >= this.#o.probeIntervalMs;
    const ceiling = this.#failed.at(now) ?? Infinity;
    // Held back by a failure: a hold doubled by failed probes, or the remembered level.
    let held = ready && now - this.#lastDownAt < this.#hold && this.#hold > this.#o.holdMs;
    if (ready && now - this.#lastDownAt >= this.#hold) {
      const provenBps = clearReading !== null && this.#high !== null && now - this.#high.since >= this.#o.highMs ? clearReading : null;
      const target = probeTarget({
        budgetBps: this.#effective, fraction: this.#o.probeFraction, floorBps: this.#o.probeFloorBps, maxStep: this.#o.maxStep,
        provenBps, roomBps: this.#room, failedBps: ceiling,
      });
      const probe = target.bps;
      held ||= target.heldByFailure;
      if (probe > this.#effective) {
        this.#recent.push({ at: now, bps: this.#effective });
        this.#effective = probe;
        this.#lastUpAt = now;
        this.#probeAt = now;
      }
      // A long calm period forgives earlier failed probes.
      if (now - this.#lastDownAt >= 4 * this.#hold) this.#hold = this.#o.holdMs;
    }
    // Only where mediasoup's reading could still tell something: below twice the level
    // (twice the budget, with no level remembered) readings do not forget it (#noteHigh).
    const telling = Math.max(this.#effective, Number.isFinite(ceiling) ? ceiling : 0) * 2;
    this.#held = held;
    if (held && clearReading !== null && clearReading < telling) this.#linkProbe.held(now);
    return this.#effective;
  }
}
