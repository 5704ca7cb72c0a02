// Quick polls (not legally binding; votes/ is for that). Pure parts: answer validation and
// the tally; the Meeting keeps state and stores answers.
import type { PollInfo } from '../../../protocol/index.js';
import type { StoredPoll } from './stores.js';

/** Checks one answer against a poll: null if fine, else why not. */
export function answerProblem(poll: Pick<StoredPoll, 'options' | 'multiple' | 'closed' | 'closesAt'>, choices: readonly number[], now: number): string | null {
  if (poll.closed || (poll.closesAt !== null && now >= poll.closesAt)) return 'the poll is closed';
  if (new Set(choices).size !== choices.length) return 'choices: each option at most once';
  if (choices.some((c) => c >= poll.options.length)) return `choices: options are 0..${poll.options.length - 1}`;
  if (!poll.multiple && choices.length !== 1) return 'choices: this poll takes exactly one choice';
  return null;
}

export function tally(optionCount: number, answers: readonly { choices: readonly number[] }[]): number[] {
  const counts = new Array<number>(optionCount).fill(0);
  for (const a of answers) for (const c of a.choices) if (c < optionCount) counts[c]! += 1;
  return counts;
}

/** What one participant may see of a poll. */
export function pollView(poll: StoredPoll, viewerId: string, now: number): PollInfo {
  const closed = poll.closed || (poll.closesAt !== null && now >= poll.closesAt);
  const visible = closed || poll.liveResults;
  return {
    id: poll.id, question: poll.question, options: poll.options, multiple: poll.multiple, anonymous: poll.anonymous, liveResults: poll.liveResults,
    createdAt: poll.createdAt, closesAt: poll.closesAt, closed,
    counts: visible ? tally(poll.options.length, poll.answers) : null,
    answered: poll.answers.length,
    voters: visible && !poll.anonymous ? poll.answers.map((a) => ({ name: a.name ?? '?', choices: a.choices })) : null,
    mine: poll.answers.find((a) => a.peerId === viewerId)?.choices ?? null,
  };
}
