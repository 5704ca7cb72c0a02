// Network profiles as data. A profile describes one participant's access link: rates,
// one-way delay and jitter (applied in each direction), random or bursty loss, and the
// bottleneck queue. A profile may instead be a timeline of steps, to test adaptation.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as v from 'valibot';

const Rate = v.pipe(v.number(), v.minValue(8_000), v.maxValue(10_000_000_000));
const Ms = v.pipe(v.number(), v.minValue(0), v.maxValue(10_000));
const Fraction = v.pipe(v.number(), v.minValue(0), v.maxValue(1));

export const LinkSchema = v.strictObject({
  /** bit/s towards the participant (server -> participant); omitted = unlimited. */
  downBps: v.optional(Rate),
  /** bit/s from the participant. */
  upBps: v.optional(Rate),
  /** One-way delay added in each direction. */
  delayMs: v.optional(Ms, 0),
  /** Uniform +-jitter around the delay (packets are never reordered). */
  jitterMs: v.optional(Ms, 0),
  /** Independent random loss per packet, each direction. */
  loss: v.optional(Fraction, 0),
  /** Gilbert-Elliott bursty loss: average loss and mean burst length (packets). */
  burstLoss: v.optional(v.strictObject({ loss: Fraction, meanBurst: v.pipe(v.number(), v.minValue(1), v.maxValue(1000)) })),
  /** Bottleneck queue in ms of the link rate (drop-tail). */
  queueMs: v.optional(Ms, 200),
});
export type Link = v.InferOutput<typeof LinkSchema>;

export const ProfileSchema = v.strictObject({
  name: v.pipe(v.string(), v.regex(/^[a-z0-9-]+$/)),
  description: v.string(),
  link: v.optional(LinkSchema),
  timeline: v.optional(v.pipe(v.array(v.strictObject({ durationS: v.pipe(v.number(), v.minValue(0.1)), link: LinkSchema })), v.minLength(1))),
});
export type Profile = v.InferOutput<typeof ProfileSchema>;

const profilesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'profiles');

export function parseProfile(raw: unknown): Profile {
  const r = v.safeParse(ProfileSchema, raw);
  if (!r.success) {
    const issue = r.issues[0];
    throw new TypeError(`profile ${v.getDotPath(issue) ?? ''}: ${issue.message}`);
  }
  if (!r.output.link === !r.output.timeline) throw new TypeError(`profile ${r.output.name}: give exactly one of "link" or "timeline"`);
  return r.output;
}

export function loadProfile(name: string): Profile {
  if (!/^[a-z0-9-]+$/.test(name)) throw new TypeError(`profile name "${name}" is not valid`);
  let raw: string;
  try {
    raw = readFileSync(join(profilesDir, `${name}.json`), 'utf8');
  } catch {
    throw new TypeError(`unknown profile "${name}"; known: ${listProfiles().join(', ')}`);
  }
  return parseProfile(JSON.parse(raw));
}

export function listProfiles(): string[] {
  return readdirSync(profilesDir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
}

/** The link in force `elapsedS` seconds after the profile was applied (timelines hold their last step). */
export function linkAt(profile: Profile, elapsedS: number): Link {
  if (profile.link) return profile.link;
  let t = 0;
  for (const step of profile.timeline!) {
    t += step.durationS;
    if (elapsedS < t) return step.link;
  }
  return profile.timeline!.at(-1)!.link;
}

export function timelineDurationS(profile: Profile): number {
  return profile.timeline?.reduce((s, x) => s + x.durationS, 0) ?? 0;
}
