// What a narrow link does to one receiver, from its page samples: how long audio waits in
// the jitter buffer, the connection's round-trip time, the smallest picture it is shown,
// each sender's audio concealment, and how often the SFU changed a consumer's layer.
// Pure functions over recorded samples (unit-tested in tests/unit/bench-metrics.test.ts).
import { percentile, type Sample, type StreamRow } from './metrics.js';

const delta = (a: Sample, b: Sample, kind: 'audio' | 'video') =>
  b[kind].map((row) => ({ row, before: a[kind].find((x) => x.id === row.id) }));

/** p95 of the audio playout delay (jitterBufferDelay / emitted samples) per 200 ms step. */
export function playoutDelayP95Ms(samples: Sample[]): number | null {
  const values: number[] = [];
  for (let i = 1; i < samples.length; i++) {
    for (const { row, before } of delta(samples[i - 1]!, samples[i]!, 'audio')) {
      const emitted = (row.jbEmitted ?? 0) - (before?.jbEmitted ?? 0);
      if (before && emitted > 0) values.push((((row.jbDelay ?? 0) - (before.jbDelay ?? 0)) / emitted) * 1000);
    }
  }
  return percentile(values, 95);
}

/** p95 of the candidate pair's RTT above the link's own (the queue we built up). */
export function rttExcessP95Ms(samples: Sample[], baseRttMs: number): number | null {
  const rtts = samples.map((s) => s.rttMs).filter((v): v is number => typeof v === 'number');
  const p = percentile(rtts, 95);
  return p === null ? null : Math.max(0, p - baseRttMs);
}

/** The smallest frame height among videos that were playing (frames decoded) in a step. */
export function minVideoHeight(samples: Sample[]): number | null {
  let min: number | null = null;
  for (let i = 1; i < samples.length; i++) {
    for (const { row, before } of delta(samples[i - 1]!, samples[i]!, 'video')) {
      if (before && row.frames > before.frames && row.height > 0) min = Math.min(min ?? Infinity, row.height);
    }
  }
  return min;
}

/** Concealed share of each remote sender's audio (DTX silence excluded), by peer id. */
export function concealmentBySender(samples: Sample[]): Record<string, number> {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last || first === last) return {};
  const out: Record<string, number> = {};
  for (const row of last.audio as StreamRow[]) {
    const before = first.audio.find((x) => x.id === row.id);
    const total = row.samples - (before?.samples ?? 0);
    if (!row.peer || total <= 0) continue;
    out[row.peer] = ((row.concealed - (before?.concealed ?? 0)) / total) * 100;
  }
  return out;
}

/**
 * Most layer changes of one consumer within any 10 s: a change of the forwarded spatial
 * layer, a pause or a resume (each costs a keyframe). Temporal-layer changes are free
 * and not counted.
 */
export function maxLayerChangesPer10s(samples: Sample[]): number {
  const changes = new Map<string, number[]>();
  const last = new Map<string, string>();
  for (const s of samples) {
    for (const l of s.layers) {
      if (!l.id) continue;
      const v = l.target ? `s${l.target.spatial}` : 'paused';
      const prev = last.get(l.id);
      if (prev !== undefined && prev !== v) changes.set(l.id, [...(changes.get(l.id) ?? []), s.at]);
      last.set(l.id, v);
    }
  }
  let worst = 0;
  for (const at of changes.values()) {
    for (let i = 0; i < at.length; i++) worst = Math.max(worst, at.filter((t) => t >= at[i]! && t < at[i]! + 10_000).length);
  }
  return worst;
}
