// Bench scenarios: who joins, behind which link, for how long.
export interface ParticipantSpec { profile: string }
export interface Scenario {
  name: string;
  description: string;
  participants: ParticipantSpec[];
  /** Measured time after everybody joined. */
  durationS: number;
  /** Profile timelines start when measuring starts; `stepAtS` marks the step-down and step-up times. */
  steps?: { downAtS: number; upAtS: number; participant: number };
  /** Audio and link metrics are judged from this many seconds in (steady state). */
  judgeAfterS?: number;
}

export const SCENARIOS: Scenario[] = [
  { name: 'lan-2', description: '2 participants on a LAN', participants: [{ profile: 'lan' }, { profile: 'lan' }], durationS: 30 },
  {
    name: 'municipal-weak-4', description: '4 participants, each on a weak municipal link',
    participants: Array.from({ length: 4 }, () => ({ profile: 'municipal-weak' })), durationS: 60,
  },
  {
    name: 'step-down-3', description: '3 participants; the third one\'s downlink steps 1 Mbit/s -> 150 kbit/s -> 1 Mbit/s',
    participants: [{ profile: 'dsl' }, { profile: 'dsl' }, { profile: 'step-down' }], durationS: 62,
    steps: { downAtS: 20, upAtS: 40, participant: 2 },
  },
  {
    name: 'edge-3', description: '3 participants; P1 on edge (256/128 kbit/s, 150 ms +-40, 2 % loss), two on dsl',
    participants: [{ profile: 'edge' }, { profile: 'dsl' }, { profile: 'dsl' }], durationS: 60, judgeAfterS: 15,
  },
  {
    name: 'lossy-burst-3', description: '3 participants; P1 on lossy-burst (2 Mbit/s, 40 ms, 5 % loss in bursts of ~3), two on dsl',
    participants: [{ profile: 'lossy-burst' }, { profile: 'dsl' }, { profile: 'dsl' }], durationS: 60, judgeAfterS: 15,
  },
];

export const SMOKE: Scenario = {
  name: 'smoke', description: '2 participants on municipal-weak, 20 s (harness check in npm test)',
  participants: [{ profile: 'municipal-weak' }, { profile: 'municipal-weak' }], durationS: 20,
};

export function findScenario(name: string): Scenario {
  if (name === 'kernels') return { name, description: 'WASM kernel bench', participants: [], durationS: 0 };
  const s = [...SCENARIOS, SMOKE].find((x) => x.name === name);
  if (!s) throw new TypeError(`unknown scenario "${name}"; known: ${[...SCENARIOS, SMOKE].map((x) => x.name).join(', ')}`);
  return s;
}
