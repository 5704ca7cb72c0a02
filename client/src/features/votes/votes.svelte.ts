// Legally binding votes as the UI sees them: motions with their state and results, our
// secret-ballot tokens and receipts, and the chair's actions. Results are announced to
// screen readers when a vote closes.
import type { MotionView, Notification, VoteReport } from '../../../../protocol/index.js';
import type { Requester } from '../../lib/signaling.js';
import { i18n } from '../../lib/i18n.svelte.js';

export type VoteTransport = Requester;

export interface Receipt { token: string | null; entryHash: string | null }

export class VotesState {
  motions = $state<MotionView[]>([]);
  /** Our receipts per motion (token for secret ballots, ledger entry hash for roll-calls). */
  receipts = $state<Record<string, Receipt>>({});
  readonly #tokens = new Map<string, string>();
  readonly #transport: VoteTransport;

  constructor(transport: VoteTransport) { this.#transport = transport; }

  load(motions: MotionView[]): void { this.motions = motions; }

  handle(n: Notification, announce: (text: string) => void): boolean {
    if (n.notification === 'ballotToken') { this.#tokens.set(n.data.motionId, n.data.token); return true; }
    if (n.notification === 'motionVoted') {
      const i = this.motions.findIndex((x) => x.id === n.data.motionId);
      const m = this.motions[i];
      if (m) this.motions[i] = { ...m, voted: n.data.voted, votes: n.data.vote ? [...(m.votes ?? []), n.data.vote] : m.votes };
      return true;
    }
    if (n.notification !== 'motion') return false;
    const m = n.data.motion;
    const i = this.motions.findIndex((x) => x.id === m.id);
    if (i < 0) { this.motions.push(m); announce(i18n.t('voteOpened', { title: m.title })); return true; }
    const before = this.motions[i]!;
    this.motions[i] = m;
    if (before.state === 'open' && m.state === 'closed' && m.result) announce(resultText(m));
    return true;
  }

  async cast(motion: MotionView, choices: number[]): Promise<void> {
    let token: string | undefined;
    if (motion.kind === 'secret') {
      token = this.#tokens.get(motion.id) ?? (await this.#transport.request('ballotToken', { motionId: motion.id })).token;
    }
    const { receipt } = await this.#transport.request('ballotCast', { motionId: motion.id, choices, ...(token ? { token } : {}) });
    this.#tokens.delete(motion.id);
    this.receipts[motion.id] = receipt;
    const i = this.motions.findIndex((x) => x.id === motion.id);
    if (i >= 0) this.motions[i] = { ...this.motions[i]!, votedMe: true };
  }

  async report(motionId: string): Promise<VoteReport> {
    return (await this.#transport.request('motionReport', { motionId })).report;
  }

  request: VoteTransport['request'] = (m, d) => this.#transport.request(m, d);
}

export function optionLabel(m: Pick<MotionView, 'type' | 'options'>, i: number): string {
  if (m.type === 'election') return m.options[i] ?? '?';
  return i18n.t(i === 0 ? 'voteYes' : i === 1 ? 'voteNo' : 'voteAbstain');
}

export function resultText(m: MotionView): string {
  const r = m.result!;
  const outcome = i18n.t(r.outcome === 'accepted' ? 'outcomeAccepted' : r.outcome === 'rejected' ? 'outcomeRejected' : r.outcome === 'no_quorum' ? 'outcomeNoQuorum' : r.outcome === 'elected' ? 'outcomeElected' : 'outcomeInvalid');
  const counts = r.counts.map((c, i) => `${optionLabel(m, i)} ${c}`).join(', ');
  return i18n.t('voteResult', { title: m.title, outcome, counts });
}
