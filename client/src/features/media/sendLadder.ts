// Goals: an old PC or a narrow uplink sends what it can sustain, never more; the camera
// steps down fast when the encoder is CPU-limited or the uplink is too small, and steps
// up one rung at a time only after a calm hold period (doubled after a failed step up).
// Below the lowest video rung the sender switches to still images (a small picture every
// few seconds, ~10 kbit/s), then off. Pure: inputs in, rung out.
// Bandwidth counts only when the encoder itself reports being bandwidth-limited: the
// uplink estimate merely follows what is sent, so on its own it would never allow a step
// up (and it is meaningless during the first seconds of ramp-up). Chrome's send-side
// estimate dips now and then on a busy PC or link, and a stepped-down camera keeps it low
// (it rises only to ~1.5x what is sent, and a smaller rung sends less), so: a bandwidth
// verdict needs two readings in a row, and a step down for bandwidth alone recovers after
// half the hold until a step up fails. A step up is itself the probe: a larger allocation
// makes Chrome probe the link (an estimate stuck at 189 kbit/s read 816 kbit/s two seconds
// after one).
export interface Rung { name: string; height: number; fps: number; minBps: number }

export const LADDER: readonly Rung[] = [
  { name: '720p30', height: 720, fps: 30, minBps: 1_200_000 },
  { name: '360p24', height: 360, fps: 24, minBps: 450_000 },
  { name: '180p15', height: 180, fps: 15, minBps: 150_000 },
  { name: '90p7', height: 90, fps: 7, minBps: 60_000 },
  { name: 'still', height: 90, fps: 0, minBps: 12_000 },
  { name: 'off', height: 0, fps: 0, minBps: 0 },
];
export const STILL = 4;
export const OFF = 5;

export interface SenderInput {
  now: number;
  /** From outbound-rtp of the highest active layer. */
  qualityLimitation: 'cpu' | 'bandwidth' | 'none' | 'other' | undefined;
  /** Mean encode time per frame over the last interval (ms). */
  encodeMs: number | undefined;
  /** The UI thread stalled (> 150 ms) twice in a row: the PC cannot keep up, encoder or not. */
  jank?: boolean;
  /** The sender transport's availableOutgoingBitrate. */
  uplinkBps: number | undefined;
  /** Highest rung anyone watches, from the server's dynacast hint (null: nobody). */
  watchedRung: number | null | undefined;
  /** User's "save data" choice. */
  saveData: boolean;
  /** Device class from the join-time micro-benchmark and core count. */
  weakDevice: boolean;
}

/** `trouble`: the rung CPU and bandwidth allow (with hysteresis); `rung`: what is applied. */
export interface LadderState {
  rung: number; trouble: number; changedAt: number; upAt: number; holdMs: number; reason: string; startedAt: number;
  /** Since when the encoder reports 'bandwidth' without a break. */
  bwSince?: number | null;
  /** The last step down was for bandwidth alone (no CPU trouble). */
  bwDown?: boolean;
}

export const HOLD_MS = 8000;
/** The encoder must report 'bandwidth' this long (two ladder ticks) before it counts. */
export const BW_CONFIRM_MS = 2000;
/** Chrome's send-side BWE starts low and ramps up: no bandwidth verdicts before this. */
export const RAMP_MS = 10_000;
const MAX_HOLD_MS = 60_000;

export function initialState(input: Pick<SenderInput, 'weakDevice' | 'saveData' | 'now'>): LadderState {
  return { rung: capRung(input), trouble: 0, changedAt: input.now, upAt: -Infinity, holdMs: HOLD_MS, reason: 'start', startedAt: input.now, bwSince: null, bwDown: false };
}

/** Caps apply at once, both ways: weak devices 360p, "save data" 180p, and nothing above what anyone watches. */
function capRung(i: Pick<SenderInput, 'weakDevice' | 'saveData'> & { watchedRung?: number | null | undefined }): number {
  let cap = i.saveData ? 2 : i.weakDevice ? 1 : 0;
  if (i.watchedRung !== undefined) cap = Math.max(cap, i.watchedRung ?? 3);
  return cap;
}

/** Highest rung whose minimum bitrate fits the uplink (with 10 % headroom). */
export function rungForUplink(bps: number): number {
  const r = LADDER.findIndex((x) => x.minBps <= bps * 0.9);
  return r < 0 ? OFF : r;
}

export function decide(s: LadderState, i: SenderInput): LadderState {
  const cap = capRung(i);
  const applied = LADDER[s.rung]!;
  const frameMs = applied.fps > 0 ? 1000 / applied.fps : Infinity;
  // Below the video rungs no encoder runs: Chrome keeps reporting the limitation it had
  // when video stopped, which kept a camera off for a whole bench run on a 1 Mbit/s uplink.
  // There the encoder's signals are ignored: the uplink estimate counts, only to go further
  // down (it follows what is sent, so it cannot tell whether video would fit), and a
  // stalling UI thread still keeps video from coming back.
  const encoding = s.rung < STILL;
  const cpuBound = i.jank === true || (encoding && (i.qualityLimitation === 'cpu' || (i.encodeMs !== undefined && i.encodeMs > 0.6 * frameMs)));
  const chromeBw = encoding && i.qualityLimitation === 'bandwidth';
  let bwSince = chromeBw ? (s.bwSince ?? i.now) : null;
  const bwLimited = i.now - s.startedAt >= RAMP_MS && (encoding
    ? bwSince !== null && i.now - bwSince >= BW_CONFIRM_MS
    : i.uplinkBps !== undefined && rungForUplink(i.uplinkBps) > s.rung);

  let trouble = s.trouble;
  let reason = s.reason;
  let { changedAt, upAt, holdMs } = s;
  let bwDown = s.bwDown ?? false;
  // Trouble measured at the applied rung pushes below it: bandwidth to what the uplink
  // carries (at least one rung), CPU one rung (video rungs only).
  let down = trouble;
  // The estimate picks how far down, but one reading takes video at most to its lowest
  // rung: stills and off need the encoder itself limited there (a loaded PC's estimate
  // dipped below 67 kbit/s for a moment on a 1 Mbit/s link).
  if (bwLimited) {
    const uplinkRung = i.uplinkBps !== undefined ? rungForUplink(i.uplinkBps) : 0;
    down = Math.max(down, s.rung + 1, encoding && s.rung < STILL - 1 ? Math.min(uplinkRung, STILL - 1) : uplinkRung);
    reason = 'bandwidth';
  }
  if (cpuBound && s.rung < STILL) { down = Math.max(down, s.rung + 1); if (!bwLimited) reason = 'cpu'; }
  if (down > trouble) {
    const failedUp = i.now - upAt < holdMs;
    if (failedUp) holdMs = Math.min(holdMs * 2, MAX_HOLD_MS); // the last step up failed
    trouble = Math.min(OFF, down);
    changedAt = i.now;
    // Half the hold only until a step up fails: each step up makes Chrome probe, and on the
    // edge bench's 128 kbit/s uplink those probes delayed the sender's own audio.
    bwDown = bwLimited && !cpuBound && !failedUp;
    // The encoder reports on the new rung only after a while: a fresh verdict is needed.
    if (bwLimited) bwSince = null;
  } else if (trouble > 0 && !cpuBound && !bwLimited && i.now - changedAt >= (bwDown ? holdMs / 2 : holdMs)) {
    const next = LADDER[trouble - 1]!;
    const cool = i.encodeMs === undefined || next.fps === 0 || i.encodeMs < 0.3 * (1000 / next.fps);
    if (cool) {
      if (i.now - changedAt > 4 * holdMs) holdMs = HOLD_MS;
      trouble -= 1;
      changedAt = i.now;
      upAt = i.now;
      reason = 'recovered';
    }
  }
  const rung = Math.max(trouble, cap);
  // At the cap, the cap is what holds it there, also when the trouble recovered to exactly
  // that rung: reported as 'recovered', the step-down bench took a camera at the top rung
  // anyone watched for one still climbing back (and the run for invalid).
  if (rung === cap && (cap > trouble || reason === 'recovered')) reason = 'cap';
  return { rung, trouble, changedAt, upAt, holdMs, reason, startedAt: s.startedAt, bwSince, bwDown };
}

/** Maps the server's dynacast hint (highest spatial layer watched) to a rung. */
export function rungForLayer(maxSpatialLayer: number | null, layers: number): number | null {
  if (maxSpatialLayer === null) return null;
  // Top layer -> 720p, one below -> 360p, two below -> 180p.
  return Math.min(3, Math.max(0, layers - 1 - maxSpatialLayer));
}
