// Goals: an old PC or a narrow uplink sends what it can sustain, never more; the camera
// steps down fast when the encoder is CPU-limited or the uplink is too small, and steps
// up one rung at a time only after a calm hold period (doubled after a failed step up).
// Below the lowest video rung the sender switches to still images (a small picture every
// few seconds, ~10 kbit/s), then off. Pure: inputs in, rung out.
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
  /** The sender transport's availableOutgoingBitrate. */
  uplinkBps: number | undefined;
  /** Highest rung anyone watches, from the server's dynacast hint (null: nobody). */
  watchedRung: number | null | undefined;
  /** User's "save data" choice. */
  saveData: boolean;
  /** Device class from the join-time micro-benchmark and core count. */
  weakDevice: boolean;
}

export interface LadderState { rung: number; changedAt: number; upAt: number; holdMs: number; reason: string }

export const HOLD_MS = 8000;
const MAX_HOLD_MS = 60_000;

export function initialState(input: Pick<SenderInput, 'weakDevice' | 'saveData' | 'now'>): LadderState {
  return { rung: floorRung(input), changedAt: input.now, upAt: -Infinity, holdMs: HOLD_MS, reason: 'start' };
}

/** The best rung caps allow: weak devices stop at 360p, "save data" at 180p. */
function floorRung(i: Pick<SenderInput, 'weakDevice' | 'saveData'>): number {
  return i.saveData ? 2 : i.weakDevice ? 1 : 0;
}

/** Highest rung whose minimum bitrate fits the uplink (with 10 % headroom). */
export function rungForUplink(bps: number): number {
  const r = LADDER.findIndex((x) => x.minBps <= bps * 0.9);
  return r < 0 ? OFF : r;
}

export function decide(s: LadderState, i: SenderInput): LadderState {
  const frameMs = LADDER[s.rung]!.fps > 0 ? 1000 / LADDER[s.rung]!.fps : Infinity;
  let best = floorRung(i);
  if (i.watchedRung !== undefined) best = Math.max(best, i.watchedRung ?? 3);
  const cpuBound = i.qualityLimitation === 'cpu' || (i.encodeMs !== undefined && i.encodeMs > 0.6 * frameMs);
  const bwRung = i.uplinkBps !== undefined ? rungForUplink(i.uplinkBps) : s.rung;

  let target = s.rung;
  let reason = s.reason;
  if (bwRung > s.rung) { target = bwRung; reason = 'bandwidth'; }
  if (cpuBound && target <= s.rung && s.rung < STILL) { target = s.rung + 1; reason = 'cpu'; }
  if (target < best) { target = best; reason = 'cap'; }
  if (s.rung < best) { target = best; reason = 'cap'; }

  if (target > s.rung) {
    // Down: at once. Going down soon after going up means the step up failed.
    const failedUp = i.now - s.upAt < s.holdMs;
    return { rung: target, changedAt: i.now, upAt: s.upAt, holdMs: failedUp ? Math.min(s.holdMs * 2, MAX_HOLD_MS) : s.holdMs, reason };
  }
  const calm = i.now - s.changedAt >= s.holdMs;
  const headroom = i.uplinkBps === undefined || i.uplinkBps >= LADDER[s.rung - 1 >= 0 ? s.rung - 1 : 0]!.minBps * 1.3;
  const cool = !cpuBound && (i.encodeMs === undefined || i.encodeMs < 0.3 * (1000 / Math.max(1, LADDER[Math.max(0, s.rung - 1)]!.fps)));
  if (s.rung > best && calm && headroom && cool) {
    return { rung: s.rung - 1, changedAt: i.now, upAt: i.now, holdMs: i.now - s.changedAt > 4 * s.holdMs ? HOLD_MS : s.holdMs, reason: 'recovered' };
  }
  return s;
}

/** Maps the server's dynacast hint (highest spatial layer watched) to a rung. */
export function rungForLayer(maxSpatialLayer: number | null, layers: number): number | null {
  if (maxSpatialLayer === null) return null;
  // Top layer -> 720p, one below -> 360p, two below -> 180p.
  return Math.min(3, Math.max(0, layers - 1 - maxSpatialLayer));
}
