// Turns what each page recorded into per-participant metrics. Pure functions over the
// recorded data, so they are unit-tested without browsers.
import { concealmentBySender, maxLayerChangesPer10s, minVideoHeight, playoutDelayP95Ms, rttExcessP95Ms } from './link-metrics.js';
export interface StreamRow {
  id: string; bytes: number; frames: number; height: number; concealed: number; samples: number; packets: number;
  /** The remote participant this track comes from; jitter buffer totals (s, samples). */
  peer?: string | null; jbDelay?: number; jbEmitted?: number;
}
export interface LayerRow { id?: string; target: { spatial: number } | null; current: { spatial: number } | null; max: { spatial: number } | null; reason: string | null; budget: number }
export interface Sample { at: number; video: StreamRow[]; audio: StreamRow[]; sentBytes: number; outBwe?: number; layers: LayerRow[]; self?: string | null; rttMs?: number; rung?: number; rungReason?: string }
export interface PageRecord {
  latencies: { at: number; ms: number; peer: string }[];
  frames: { at: number; peer: string; gap: number; paused: boolean }[];
  samples: Sample[];
  firstFrameAt: number;
  /** Per remote tile: its last rendered frame, and whether it showed a paused state (or no video) at the end. */
  lastFrameAt?: Record<string, number>;
  pausedNow?: Record<string, boolean>;
}

export interface Series { t: number; recvKbps: number; sentKbps: number; height: number; layer: number | null; paused: number; g2g: number | null }
export interface ParticipantMetrics {
  name: string;
  profile: string;
  /** Whether this participant's join was measured (someone else's camera was published). */
  expectsJoin: boolean;
  joinMs: number | null;
  g2gP50Ms: number | null;
  g2gP95Ms: number | null;
  g2gSamples: number;
  audioConcealmentPct: number | null;
  freezes: number;
  freezeTotalMs: number;
  maxFreezeMsAfter10s: number;
  recvKbpsAvg: number;
  sentKbpsAvg: number;
  /** The browser's own uplink estimate (availableOutgoingBitrate), median over the run: a
   *  sender stepped down for "bandwidth" on a link that dropped nothing was misled by it. */
  uplinkEstimateKbpsMedian?: number | null;
  /** Step scenarios: until the SFU's decisions reached the lowest layer / the best again. */
  adaptMs?: number | null;
  recoverMs?: number | null;
  /** The same seen by the stepped page (notices arrive over its narrowed link). */
  adaptClientMs?: number | null;
  recoverClientMs?: number | null;
  maxAudioInterruptionMs?: number;
  /** Narrow-link metrics, judged from `judgeFrom` (see link-metrics.ts). */
  playoutDelayP95Ms: number | null;
  rttExcessP95Ms: number | null;
  minVideoHeight: number | null;
  concealmentBySender: Record<string, number>;
  layerChangesPer10s: number;
  /** This participant's peer id (to name it as a sender in others' metrics). */
  peerId: string | null;
  series: Series[];
}

/** A gap between rendered frames this long is a freeze (WebRTC's rule lands near here for 7-30 fps). */
export const FREEZE_MS = 400;

export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

const sum = (rows: StreamRow[], k: keyof StreamRow) => rows.reduce((s, r) => s + (r[k] as number), 0);

/** Concealed / received audio samples between the first and last sample in the window. */
export function concealmentPct(samples: Sample[]): number | null {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last || first === last) return null;
  const total = sum(last.audio, 'samples') - sum(first.audio, 'samples');
  if (total <= 0) return null;
  return ((sum(last.audio, 'concealed') - sum(first.audio, 'concealed')) / total) * 100;
}

/** Longest run of samples whose audio was (almost) entirely concealed, in ms. */
export function maxAudioInterruptionMs(samples: Sample[]): number {
  let longest = 0;
  let runStart: number | null = null;
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    const total = sum(b.audio, 'samples') - sum(a.audio, 'samples');
    const concealed = sum(b.audio, 'concealed') - sum(a.audio, 'concealed');
    const interrupted = total > 0 ? concealed / total > 0.5 : true;
    if (interrupted) { runStart ??= a.at; longest = Math.max(longest, b.at - runStart); } else runStart = null;
  }
  return longest;
}

/** Time from `from` until `pred` first holds for a sample (null if never). */
export function timeUntil(samples: Sample[], from: number, pred: (s: Sample) => boolean): number | null {
  const hit = samples.find((s) => s.at >= from && pred(s));
  return hit ? hit.at - from : null;
}

export const atLowest = (s: Sample) => s.layers.length > 0 && s.layers.every((l) => (l.target === null ? l.reason === 'bandwidth' : l.target.spatial === 0));
export const atBest = (s: Sample) => s.layers.length > 0 && s.layers.every((l) => l.target !== null && l.max !== null && l.target.spatial === l.max.spatial);

export function series(samples: Sample[], start: number, latencies: PageRecord['latencies']): Series[] {
  const out: Series[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    const dt = (b.at - a.at) / 1000;
    if (dt <= 0) continue;
    const lat = latencies.filter((l) => l.at > a.at && l.at <= b.at).map((l) => l.ms);
    const live = b.video.filter((v) => v.frames > (a.video.find((x) => x.id === v.id)?.frames ?? 0));
    const targets = b.layers.filter((l) => l.target).map((l) => l.target!.spatial);
    out.push({
      t: (b.at - start) / 1000,
      recvKbps: ((sum(b.video, 'bytes') + sum(b.audio, 'bytes') - sum(a.video, 'bytes') - sum(a.audio, 'bytes')) * 8) / dt / 1000,
      sentKbps: ((b.sentBytes - a.sentBytes) * 8) / dt / 1000,
      height: Math.max(0, ...live.map((v) => v.height)),
      layer: targets.length ? Math.max(...targets) : null,
      paused: b.layers.filter((l) => l.target === null).length,
      g2g: lat.length ? lat.reduce((s, x) => s + x, 0) / lat.length : null,
    });
  }
  return out;
}

/**
 * Gaps between rendered frames that count as freezes: every gap of FREEZE_MS or more that
 * ended in the window while the tile was not deliberately paused, plus, per tile, a video
 * that stalled and never came back before the end (its gap runs until the end).
 */
export function freezesIn(record: PageRecord, start: number, end: number): { at: number; peer: string; gap: number }[] {
  const out = record.frames.filter((f) => f.at >= start && f.at <= end && f.gap >= FREEZE_MS && !f.paused).map(({ at, peer, gap }) => ({ at, peer, gap }));
  for (const [peer, last] of Object.entries(record.lastFrameAt ?? {})) {
    const stall = end - Math.max(last, start);
    if (stall >= FREEZE_MS && !record.pausedNow?.[peer]) out.push({ at: end, peer, gap: stall });
  }
  return out;
}

export function participantMetrics(opts: {
  name: string; profile: string; record: PageRecord; openedAt: number; start: number; end: number;
  /**
   * When another participant's camera was first published (absolute ms; undefined: never).
   * A join counts from opening the link or from then, whichever is later: before it there
   * is nothing to see. The bench opens its participants one after another, and the first
   * one's page over a 256 kbit/s link published ~10 s after it opened, so the second one's
   * "join" was mostly waiting for somebody to be there.
   */
  videoFrom: number | undefined;
  steps?: { downAt: number; upAt: number } | undefined;
  /** Judge audio and link metrics from here (steady state); default `start`. */
  judgeFrom?: number; baseRttMs?: number;
}): ParticipantMetrics {
  const { record, start, end } = opts;
  const inWindow = record.samples.filter((s) => s.at >= start && s.at <= end);
  const judged = inWindow.filter((s) => s.at >= (opts.judgeFrom ?? start));
  const lat = record.latencies.filter((l) => l.at >= start && l.at <= end).map((l) => l.ms);
  const freezes = freezesIn(record, start, end);
  const s = series(inWindow, start, record.latencies);
  const seconds = Math.max(1, s.length ? s.at(-1)!.t - (s[0]!.t - 0.2) : 1);
  const m: ParticipantMetrics = {
    name: opts.name,
    profile: opts.profile,
    expectsJoin: opts.videoFrom !== undefined,
    joinMs: opts.videoFrom !== undefined && record.firstFrameAt ? record.firstFrameAt - Math.max(opts.openedAt, opts.videoFrom) : null,
    g2gP50Ms: percentile(lat, 50),
    g2gP95Ms: percentile(lat, 95),
    g2gSamples: lat.length,
    audioConcealmentPct: concealmentPct(judged),
    freezes: freezes.length,
    freezeTotalMs: freezes.reduce((x, f) => x + f.gap, 0),
    maxFreezeMsAfter10s: Math.max(0, ...freezes.filter((f) => f.at >= start + 10_000).map((f) => f.gap)),
    recvKbpsAvg: s.reduce((x, r) => x + r.recvKbps * 0.2, 0) / seconds,
    sentKbpsAvg: s.reduce((x, r) => x + r.sentKbps * 0.2, 0) / seconds,
    uplinkEstimateKbpsMedian: percentile(record.samples.filter((x) => x.at >= start && (x.outBwe ?? 0) > 0).map((x) => x.outBwe! / 1000), 50),
    playoutDelayP95Ms: playoutDelayP95Ms(judged),
    rttExcessP95Ms: rttExcessP95Ms(judged, opts.baseRttMs ?? 0),
    minVideoHeight: minVideoHeight(judged),
    concealmentBySender: concealmentBySender(judged),
    layerChangesPer10s: maxLayerChangesPer10s(judged),
    peerId: record.samples.find((x) => x.self)?.self ?? null,
    series: s,
  };
  if (opts.steps) {
    m.adaptMs = timeUntil(inWindow, opts.steps.downAt, atLowest);
    m.recoverMs = timeUntil(inWindow, opts.steps.upAt, atBest);
    m.maxAudioInterruptionMs = maxAudioInterruptionMs(inWindow.filter((x) => x.at >= opts.steps!.downAt - 1000));
  }
  return m;
}

/**
 * The worst value among the participants a metric applies to. If any of them has no
 * value (null: not measured), the result is null, which breaks the budget: a participant
 * that produced no samples must never make a scenario look better.
 */
export function worstOrNull(values: readonly (number | null)[]): number | null {
  if (values.length === 0 || values.some((v) => v === null)) return null;
  return Math.max(...(values as number[]));
}

export function summarize(ps: ParticipantMetrics[]): Record<string, number | null> {
  const stepped = (k: 'adaptMs' | 'recoverMs' | 'maxAudioInterruptionMs') => worstOrNull(ps.filter((p) => p[k] !== undefined).map((p) => p[k] ?? null));
  const joins = ps.filter((p) => p.expectsJoin).map((p) => p.joinMs);
  return {
    joinP95Ms: joins.some((j) => j === null) ? null : percentile(joins as number[], 95),
    g2gP50Ms: worstOrNull(ps.map((p) => p.g2gP50Ms)),
    g2gP95Ms: worstOrNull(ps.map((p) => p.g2gP95Ms)),
    audioConcealmentPct: worstOrNull(ps.map((p) => p.audioConcealmentPct)),
    maxFreezeMsAfter10s: worstOrNull(ps.map((p) => p.maxFreezeMsAfter10s)),
    adaptMs: stepped('adaptMs'),
    recoverMs: stepped('recoverMs'),
    maxAudioInterruptionMs: stepped('maxAudioInterruptionMs'),
    playoutDelayP95Ms: worstOrNull(ps.map((p) => p.playoutDelayP95Ms)),
    rttExcessP95Ms: worstOrNull(ps.map((p) => p.rttExcessP95Ms)),
    // A floor: the smallest picture anyone was shown (null if someone saw no video at all).
    minVideoHeight: ps.some((p) => p.minVideoHeight === null) ? null : Math.min(...ps.map((p) => p.minVideoHeight!)),
    audioConcealmentPerSenderPct: worstPerSender(ps),
    layerChangesPer10s: Math.max(0, ...ps.map((p) => p.layerChangesPer10s)),
  };
}

/** The worst concealment any receiver had of any one sender's audio; null if some sender was never heard. */
export function worstPerSender(ps: ParticipantMetrics[]): number | null {
  let worst = 0;
  for (const receiver of ps) {
    for (const sender of ps) {
      if (sender === receiver || !sender.peerId) continue;
      const v = receiver.concealmentBySender[sender.peerId];
      if (v === undefined) return null;
      worst = Math.max(worst, v);
    }
  }
  return worst;
}

/** The earliest time another page published its camera (undefined: none did). */
export function firstOther(published: readonly (number | null)[], self: number): number | undefined {
  const others = published.filter((t, j): t is number => j !== self && t !== null);
  return others.length ? Math.min(...others) : undefined;
}
