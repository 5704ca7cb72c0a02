// Is a step-down run valid, and what did the stepped user see? A scenario only measures
// adaptation when, before the step, the unshaped participants send and receive the layers
// their tiles want (on a loaded rig the senders may already have stepped down for CPU,
// and then the step changes nothing). Pure functions over page samples.
import { atBest, type Sample } from './metrics.js';

export interface RungChange { t: number; rung: number; reason: string }

/** The sender's ladder rung over time (changes only), seconds after `start`. */
export function rungChanges(samples: Sample[], start: number): RungChange[] {
  const out: RungChange[] = [];
  for (const s of samples) {
    if (typeof s.rung !== 'number') continue;
    const last = out.at(-1);
    if (!last || last.rung !== s.rung || last.reason !== s.rungReason) out.push({ t: Math.round((s.at - start) / 100) / 10, rung: s.rung, reason: s.rungReason ?? '' });
  }
  return out;
}

/**
 * Before `downAt`: every unshaped participant's consumers get the layer their tiles want
 * (in the last sample of the 3 s before), and every sender is at its top rung or capped
 * only by what is watched. Returns the reasons it does not hold (empty: it holds).
 */
export function preconditionFailures(participants: { name: string; stepped: boolean; samples: Sample[] }[], downAt: number): string[] {
  const why: string[] = [];
  for (const p of participants) {
    const before = p.samples.filter((s) => s.at >= downAt - 3000 && s.at <= downAt);
    const last = before.at(-1);
    if (!last) { why.push(`${p.name}: no samples before the step`); continue; }
    if (!p.stepped && !atBest(last)) {
      const short = last.layers.filter((l) => !(l.target && l.max && l.target.spatial === l.max.spatial));
      why.push(`${p.name} receives less than its tiles want (${short.map((l) => `${l.target ? `layer ${l.target.spatial}` : `paused (${l.reason})`} of ${l.max?.spatial ?? '?'}`).join(', ')})`);
    }
    if (typeof last.rung === 'number' && last.rung > 0 && last.rungReason !== 'cap') why.push(`${p.name}'s camera is at rung ${last.rung} (${last.rungReason ?? '?'})`);
  }
  return why;
}

/** Share of whole seconds in [from, to] in which at least one remote video decoded frames. */
export function videoShownPct(samples: Sample[], from: number, to: number): number | null {
  let seconds = 0;
  let shown = 0;
  for (let t = from; t + 1000 <= to; t += 1000) {
    const a = samples.filter((s) => s.at <= t).at(-1);
    const b = samples.filter((s) => s.at <= t + 1000).at(-1);
    if (!a || !b || a === b) continue;
    seconds++;
    if (b.video.some((v) => v.frames > (a.video.find((x) => x.id === v.id)?.frames ?? 0))) shown++;
  }
  return seconds ? (shown / seconds) * 100 : null;
}
