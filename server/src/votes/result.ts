// Goals: one pure function decides every motion, so that what the clients show, what the
// report says and what the verifier recomputes can only agree. Inputs are the options,
// the ballots (option indices), the rule and the quorum; output is the outcome with its
// counts and the numbers it was decided on.
//
// Rules (as councils use them):
// - simple: more yes than no among the votes cast; abstentions do not count.
// - absolute: more yes than half of all eligible voters (abstentions and absences count as not yes).
// - two-thirds: yes at least two thirds of yes + no (abstentions do not count).
// A tie under simple or two-thirds rejects the motion (it did not win). An election (a
// candidate list) elects the `seats` candidates with the most votes; a tie for the last
// seat makes the result invalid (a run-off is needed). No quorum (present eligible voters
// below the quorum at opening or closing) overrides everything.
export type Rule = 'simple' | 'absolute' | 'two-thirds';
export type Outcome = 'accepted' | 'rejected' | 'no_quorum' | 'invalid' | 'elected';

export interface MotionShape {
  /** 'motion': options are yes, no and (if allowed) abstain; 'election': candidates. */
  type: 'motion' | 'election';
  options: string[];
  rule: Rule;
  /** Minimum present eligible voters; null: no quorum. */
  quorum: number | null;
  seats: number;
  eligible: number;
}

export interface Decision {
  outcome: Outcome;
  counts: number[];
  cast: number;
  /** Yes and no (motions), for the record. */
  yes: number;
  no: number;
  abstain: number;
  /** Elections: indices of the elected candidates. */
  elected: number[];
  reason: string;
}

export function decide(m: MotionShape, ballots: readonly (readonly number[])[], present: { atOpen: number; atClose: number }): Decision {
  const counts = new Array<number>(m.options.length).fill(0);
  for (const b of ballots) for (const c of b) if (c >= 0 && c < counts.length) counts[c]! += 1;
  const cast = ballots.length;
  const base = { counts, cast, yes: 0, no: 0, abstain: 0, elected: [] as number[] };
  if (m.quorum !== null && (present.atOpen < m.quorum || present.atClose < m.quorum)) {
    return { ...base, outcome: 'no_quorum', reason: `quorum ${m.quorum}: ${Math.min(present.atOpen, present.atClose)} eligible voters present` };
  }
  if (cast > m.eligible) return { ...base, outcome: 'invalid', reason: `${cast} ballots for ${m.eligible} eligible voters` };
  if (m.type === 'election') {
    const order = counts.map((n, i) => ({ n, i })).sort((a, b) => b.n - a.n || a.i - b.i);
    const seats = Math.min(m.seats, order.length);
    const last = order[seats - 1];
    const next = order[seats];
    if (!last || last.n === 0) return { ...base, outcome: 'invalid', reason: 'no votes for enough candidates' };
    if (next && next.n === last.n) return { ...base, outcome: 'invalid', reason: `tie for seat ${seats}: a run-off is needed` };
    return { ...base, elected: order.slice(0, seats).map((o) => o.i).sort((a, b) => a - b), outcome: 'elected', reason: `${seats} seat(s) by most votes` };
  }
  const yes = counts[0] ?? 0;
  const no = counts[1] ?? 0;
  const abstain = counts[2] ?? 0;
  const r = { ...base, yes, no, abstain };
  switch (m.rule) {
    case 'simple':
      return yes > no ? { ...r, outcome: 'accepted', reason: `${yes} yes > ${no} no` } : { ...r, outcome: 'rejected', reason: `${yes} yes ≤ ${no} no` };
    case 'absolute':
      return yes * 2 > m.eligible
        ? { ...r, outcome: 'accepted', reason: `${yes} yes > half of ${m.eligible} eligible` }
        : { ...r, outcome: 'rejected', reason: `${yes} yes ≤ half of ${m.eligible} eligible` };
    case 'two-thirds':
      return yes > 0 && yes * 3 >= (yes + no) * 2
        ? { ...r, outcome: 'accepted', reason: `${yes} yes ≥ two thirds of ${yes + no}` }
        : { ...r, outcome: 'rejected', reason: `${yes} yes < two thirds of ${yes + no}` };
  }
}
