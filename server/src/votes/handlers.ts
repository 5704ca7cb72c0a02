// Vote requests. Ballots take exactly one path, whatever the channel: eligible, joined,
// motion open, one ballot per voter, options valid, then stored (one transaction) before
// the acknowledgement. Secret ballots need a token the server issued; the server keeps no
// link between the voter and the token or the choice.
import { randomUUID } from 'node:crypto';
import { ErrorCode, type Method } from '../../../protocol/index.js';
import { AppError } from '../errors.js';
import { allow } from '../meeting/authorize.js';
import type { Handlers } from '../signaling/context.js';
import { joined } from '../signaling/guards.js';
import { Motion } from './Motion.js';

type VoteMethod = Extract<Method, 'motionOpen' | 'ballotCast' | 'ballotToken' | 'motionClose' | 'motionCancel' | 'voteProblem' | 'motionReport'>;

function motionOf(room: ReturnType<typeof joined>['room'], id: string): Motion {
  const m = room.votes.get(id);
  if (!m) throw new AppError(ErrorCode.NotFound, `motionId: no motion ${id}`);
  return m;
}

function checkChoices(m: Motion, choices: number[]): void {
  if (new Set(choices).size !== choices.length) throw new AppError(ErrorCode.BadRequest, 'choices: each option at most once');
  if (choices.some((c) => c >= m.params.options.length)) throw new AppError(ErrorCode.BadRequest, `choices: options are 0..${m.params.options.length - 1}`);
  const max = m.params.type === 'election' ? m.params.seats : 1;
  if (choices.length > max) throw new AppError(ErrorCode.BadRequest, `choices: at most ${max}`);
}

export const voteHandlers: Handlers<VoteMethod> = {
  motionOpen(ctx, d) {
    const { room, peer } = joined(ctx);
    allow(room, peer, 'openMotion');
    const eligible = [...new Set(d.eligible)].map((id) => {
      const p = room.peers.get(id);
      if (!p || p.closed) throw new AppError(ErrorCode.NotFound, `eligible: no participant ${id} in this meeting`);
      return { id: p.id, name: p.name };
    });
    const type = d.candidates ? 'election' : 'motion';
    const options = d.candidates ?? (d.allowAbstain ? ['yes', 'no', 'abstain'] : ['yes', 'no']);
    const seats = type === 'election' ? (d.seats ?? 1) : 1;
    if (seats >= options.length) throw new AppError(ErrorCode.BadRequest, 'seats: fewer seats than candidates, please');
    const now = Date.now();
    const params = {
      id: randomUUID(), title: d.title, text: d.text ?? '', type, options, kind: d.kind, rule: d.rule, quorum: d.quorum, seats, eligible,
      openedAt: now, closesAt: d.durationS ? now + d.durationS * 1000 : null,
    } as const;
    const presentAtOpen = room.votes.presentEligible(eligible);
    if (d.quorum !== null && presentAtOpen < d.quorum) throw new AppError(ErrorCode.InvalidState, `quorum: ${presentAtOpen} eligible voters present, ${d.quorum} needed`);
    const m = Motion.open(room.id, { ...params, options: [...options], eligible }, presentAtOpen, peer.name, room.votes.store);
    room.votes.add(m);
    room.meeting.log(peer, 'motionOpened', null, { motionId: m.id, title: m.params.title, kind: m.params.kind });
    room.votes.announce(m);
    if (m.params.kind === 'secret') {
      for (const e of eligible) room.peers.get(e.id)?.notify({ notification: 'ballotToken', data: { motionId: m.id, token: m.issueToken() } });
    }
    return { motion: m.view(peer.id) };
  },

  ballotToken(ctx, { motionId }) {
    const { room, peer } = joined(ctx);
    const m = motionOf(room, motionId);
    if (m.params.kind !== 'secret') throw new AppError(ErrorCode.InvalidState, 'motionId: not a secret ballot');
    if (m.state !== 'open') throw new AppError(ErrorCode.InvalidState, 'motionId: the vote is closed');
    if (!m.isEligible(peer.id)) throw new AppError(ErrorCode.Forbidden, 'you are not eligible to vote on this motion');
    if (m.hasVoted(peer.id)) throw new AppError(ErrorCode.InvalidState, 'you have already voted');
    return { token: m.issueToken() };
  },

  ballotCast(ctx, { motionId, choices, token }) {
    const { room, peer } = joined(ctx);
    const m = motionOf(room, motionId);
    if (m.state !== 'open') throw new AppError(ErrorCode.InvalidState, 'motionId: the vote is closed');
    if (!m.isEligible(peer.id)) throw new AppError(ErrorCode.Forbidden, 'you are not eligible to vote on this motion');
    if (m.hasVoted(peer.id)) throw new AppError(ErrorCode.InvalidState, 'you have already voted; a ballot cannot be changed');
    checkChoices(m, choices);
    if (m.params.kind === 'secret') {
      if (!token) throw new AppError(ErrorCode.BadRequest, 'token: a secret ballot needs your ballot token');
      if (!m.tokenUsable(token)) throw new AppError(ErrorCode.Forbidden, 'token: not a valid unused ballot token');
      m.castSecret(peer, token, choices, peer.channel);
      room.votes.announceBallot(m, null);
      return { receipt: { token, entryHash: null } };
    }
    if (token) throw new AppError(ErrorCode.BadRequest, 'token: only secret ballots take a token');
    const e = m.castNamed(peer, choices, peer.channel);
    room.votes.announceBallot(m, { voter: peer.id, name: peer.name, choices });
    return { receipt: { token: null, entryHash: e.hash } };
  },

  motionClose(ctx, { motionId }) {
    const { room, peer } = joined(ctx);
    allow(room, peer, 'closeMotion');
    const m = motionOf(room, motionId);
    if (m.state !== 'open') throw new AppError(ErrorCode.InvalidState, 'motionId: the vote is not open');
    const result = m.close(peer.name, room.votes.presentEligible(m.params.eligible));
    room.meeting.log(peer, 'motionClosed', null, { motionId: m.id, outcome: result.outcome });
    room.votes.announce(m);
    room.recordVote(m);
    return { motion: m.view(peer.id) };
  },

  motionCancel(ctx, { motionId, reason }) {
    const { room, peer } = joined(ctx);
    allow(room, peer, 'closeMotion');
    const m = motionOf(room, motionId);
    if (m.state !== 'open') throw new AppError(ErrorCode.InvalidState, 'motionId: the vote is not open');
    m.cancel(peer.name, reason);
    room.meeting.log(peer, 'motionCancelled', null, { motionId: m.id });
    room.votes.announce(m);
    return { motion: m.view(peer.id) };
  },

  voteProblem(ctx, { motionId, kind, text }) {
    const { room, peer } = joined(ctx);
    const m = motionOf(room, motionId);
    if (m.state !== 'open') throw new AppError(ErrorCode.InvalidState, 'motionId: the vote is closed');
    m.problem(peer, kind, text ?? '');
    return {};
  },

  motionReport(ctx, { motionId }) {
    const { room } = joined(ctx);
    const m = motionOf(room, motionId);
    if (m.state === 'open') throw new AppError(ErrorCode.InvalidState, 'motionId: the report exists once the vote is closed');
    return { report: room.votes.report(m) };
  },
};
