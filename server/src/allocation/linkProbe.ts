// When to ask mediasoup to probe the link itself (a padding burst, see RecvCap.update)
// while our budget is held back by an earlier failure.
//
// Goals: a level that failed is remembered for 15-120 s and a failed probe doubles the
// hold, which is right while the link stays narrow; but a link that came back is only
// noticed by mediasoup's readings (readings at twice the level forget it), and an
// app-limited link is never read much above what is sent (libwebrtc holds its estimate
// near 1.5x the acknowledged rate and probes in ALR only while sending well below it). In
// the step-down bench the budget sat at 85 % of a level that failed in the 150 kbit/s
// phase for 8 s after the link was back at 1 Mbit/s, mediasoup reading 72-87 kbit/s with
// ~100 out, until a layer change let it probe: 648 kbit/s at once. Probing a layer instead
// costs a keyframe, and a visible step down when it fails. So on a plainly clear link
// (only there: the edge link's loss keeps it from ever counting) the transport's ceiling
// dips and comes back, which makes mediasoup probe at it (~2 KB in 15 ms). Asked at most
// every LINK_PROBE_MS, twice as long after each ask that told nothing, so a link that
// stays narrow pays a short burst ever more rarely.
export const LINK_PROBE_MS = 5000;
export const LINK_PROBE_MAX_MS = 40_000;

export class LinkProbeSchedule {
  #lastAt = -Infinity;
  #everyMs = LINK_PROBE_MS;
  #due = false;
  #count = 0;

  /** Growth is held by a failure on a plainly clear link: ask when the interval passed. */
  held(now: number): void {
    if (now - this.#lastAt < this.#everyMs) return;
    if (Number.isFinite(this.#lastAt)) this.#everyMs = Math.min(this.#everyMs * 2, LINK_PROBE_MAX_MS);
    this.#lastAt = now;
    this.#due = true;
    this.#count++;
  }

  /** Readings show the link carries more than the failure said: the next ask comes soon again. */
  answered(): void { this.#everyMs = LINK_PROBE_MS; }

  /** A probe is due (once: taking it clears it). */
  take(): boolean {
    const due = this.#due;
    this.#due = false;
    return due;
  }

  /** How many probes were asked for (server metrics). */
  get count(): number { return this.#count; }
}
