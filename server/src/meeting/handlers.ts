// Council-meeting requests. Each one: authorized by the policy (forbidden otherwise),
// targets looked up in this room (not_found), state checked (invalid_state); then the
// change is stored (and logged, for moderator actions) before it is announced and
// acknowledged. Nothing happens for anyone else when a request is refused.
import { ErrorCode, type MeetingSettings, type Method } from '../../../protocol/index.js';
import type { Peer } from '../domain/Peer.js';
import { secretId } from '../domain/ids.js';
import { AppError } from '../errors.js';
import type { AppRoom, Handlers } from '../signaling/context.js';
import { joined } from '../signaling/guards.js';
import { allow } from './authorize.js';
import { canChangeRole } from './policy.js';
import { answerProblem, pollView } from './polls.js';

type MeetingMethod = Extract<Method, 'setSettings' | 'admit' | 'reject' | 'setRole' | 'mute' | 'muteAll' | 'stopMedia' | 'setScreenShare' | 'remove'
  | 'sendToLobby' | 'rename' | 'endMeeting' | 'raiseHand' | 'lowerHand' | 'lowerAllHands' | 'callSpeaker' | 'endSpeaker' | 'chatSend' | 'chatDelete'
  | 'pollCreate' | 'pollAnswer' | 'pollClose'>;

const CHAT_INTERVAL_MS = 500;
const lastChat = new WeakMap<Peer, number>();

function target(room: AppRoom, peerId: string): Peer {
  const p = room.peers.get(peerId);
  if (!p || p.closed) throw new AppError(ErrorCode.NotFound, `peerId: no participant ${peerId} in this meeting`);
  return p;
}

function pollOf(room: AppRoom, pollId: string) {
  const poll = room.meeting.poll(pollId);
  if (!poll) throw new AppError(ErrorCode.NotFound, `pollId: no poll ${pollId}`);
  return poll;
}

function announcePeer(room: AppRoom, peer: Peer): void {
  room.saveAttendance(peer);
  room.broadcast({ notification: 'peerUpdated', data: { peer: peer.info() } });
}

/** Pauses a participant's microphone on the chair's behalf. */
async function chairMute(room: AppRoom, peer: Peer): Promise<void> {
  const mic = peer.producerOf('mic');
  peer.mutedByChair = true;
  if (mic && !mic.paused) {
    await mic.pause();
    room.broadcast({ notification: 'producerPaused', data: { peerId: peer.id, producerId: mic.id, paused: true } }, peer.id);
  }
  const canUnmute = !room.meeting.settings.onlyChairUnmutes;
  peer.notify({ notification: 'mutedByChair', data: { canUnmute } });
  announcePeer(room, peer);
}

async function stopSource(room: AppRoom, peer: Peer, source: 'camera' | 'screen'): Promise<void> {
  const producer = peer.producerOf(source);
  if (!producer) return;
  producer.close();
  room.quality.removeProducer(peer.id, producer.id);
  room.broadcast({ notification: 'producerClosed', data: { peerId: peer.id, producerId: producer.id } }, peer.id);
  peer.notify({ notification: 'mediaStopped', data: { source } });
}

export const meetingHandlers: Handlers<MeetingMethod> = {
  setSettings(ctx, patch) {
    const { room, peer } = joined(ctx);
    allow(room, peer, 'setSettings');
    const before = room.meeting.settings;
    const settings = room.meeting.updateSettings(patch as Partial<MeetingSettings>);
    room.meeting.log(peer, 'settings', null, { ...patch });
    // Locking turns away everyone still waiting: a locked room admits nobody new.
    if (settings.locked && !before.locked) {
      for (const e of room.meeting.lobby.drain()) e.link.send({ notification: 'rejected', data: { reason: 'locked' } });
      room.meeting.announceLobby();
    }
    room.meeting.announceState();
    return { settings };
  },

  admit(ctx, { peerIds }) {
    const { room, peer } = joined(ctx);
    allow(room, peer, 'admit');
    const lobby = room.meeting.lobby;
    if (room.meeting.settings.locked) throw new AppError(ErrorCode.InvalidState, 'the meeting is locked: unlock it to admit anyone');
    const ids = peerIds === 'all' ? lobby.waiting().map((w) => w.id) : peerIds;
    for (const id of ids) if (!lobby.get(id)) throw new AppError(ErrorCode.NotFound, `peerIds: nobody ${id} is waiting`);
    for (const id of ids) if (lobby.get(id)!.ticket !== null) throw new AppError(ErrorCode.InvalidState, `peerIds: ${id} was already admitted`);
    const admitted: string[] = [];
    for (const id of ids) {
      const entry = lobby.get(id)!;
      const ticket = lobby.admit(id)!;
      room.meeting.log(peer, 'admitted', { id, name: entry.name });
      entry.link.send({ notification: 'admitted', data: { ticket } });
      admitted.push(id);
    }
    room.meeting.announceLobby();
    return { admitted };
  },

  reject(ctx, { peerId }) {
    const { room, peer } = joined(ctx);
    allow(room, peer, 'reject');
    const entry = room.meeting.lobby.get(peerId);
    if (!entry) throw new AppError(ErrorCode.NotFound, `peerId: nobody ${peerId} is waiting`);
    if (entry.ticket !== null) throw new AppError(ErrorCode.InvalidState, 'peerId: already admitted');
    room.meeting.lobby.remove(peerId);
    room.meeting.log(peer, 'rejected', { id: entry.id, name: entry.name });
    entry.link.send({ notification: 'rejected', data: { reason: 'rejected' } });
    room.meeting.announceLobby();
    return {};
  },

  setRole(ctx, { peerId, role }) {
    const { room, peer } = joined(ctx);
    const t = target(room, peerId);
    allow(room, peer, 'setRole', t);
    const moderators = [...room.peers.values()].filter((p) => p.role === 'moderator').length;
    const d = canChangeRole(moderators, t.role, role);
    if (!d.ok) throw new AppError(ErrorCode.InvalidState, d.reason);
    if (t.role === role) return {};
    const from = t.role;
    t.role = role;
    room.meeting.log(peer, 'role', { id: t.id, name: t.name }, { from, to: role });
    announcePeer(room, t);
    if (role === 'moderator') t.notify({ notification: 'lobbyChanged', data: { waiting: room.meeting.lobby.waiting(), arrived: null } });
    room.meeting.announceModeratorPresence();
    return {};
  },

  async mute(ctx, { peerId }) {
    const { room, peer } = joined(ctx);
    const t = target(room, peerId);
    allow(room, peer, 'mute', t);
    room.meeting.log(peer, 'muted', { id: t.id, name: t.name });
    await chairMute(room, t);
    return {};
  },

  async muteAll(ctx) {
    const { room, peer } = joined(ctx);
    allow(room, peer, 'muteAll');
    const others = [...room.peers.values()].filter((p) => p.role !== 'moderator' && !p.closed);
    room.meeting.log(peer, 'mutedAll', null, { count: others.length });
    for (const p of others) await chairMute(room, p);
    return { muted: others.length };
  },

  async stopMedia(ctx, { peerId, source }) {
    const { room, peer } = joined(ctx);
    const t = target(room, peerId);
    allow(room, peer, 'stopMedia', t);
    if (!t.producerOf(source)) throw new AppError(ErrorCode.InvalidState, `source: ${t.name} does not send ${source}`);
    room.meeting.log(peer, 'stoppedMedia', { id: t.id, name: t.name }, { source });
    await stopSource(room, t, source);
    return {};
  },

  async setScreenShare(ctx, { peerId, allowed }) {
    const { room, peer } = joined(ctx);
    const t = target(room, peerId);
    allow(room, peer, 'setScreenShare', t);
    t.screenShare = allowed;
    room.meeting.log(peer, allowed ? 'grantedScreenShare' : 'revokedScreenShare', { id: t.id, name: t.name });
    if (!allowed) await stopSource(room, t, 'screen');
    announcePeer(room, t);
    return {};
  },

  remove(ctx, { peerId, ban }) {
    const { room, peer } = joined(ctx);
    const t = target(room, peerId);
    allow(room, peer, 'remove', t);
    if (ban && t.clientId) room.meeting.ban(t.clientId);
    room.meeting.log(peer, ban ? 'banned' : 'removed', { id: t.id, name: t.name });
    t.notify({ notification: 'removed', data: { reason: ban ? 'banned' : 'removed' } });
    t.close();
    return {};
  },

  sendToLobby(ctx, { peerId }) {
    const { room, peer } = joined(ctx);
    const t = target(room, peerId);
    allow(room, peer, 'sendToLobby', t);
    room.meeting.log(peer, 'sentToLobby', { id: t.id, name: t.name });
    t.notify({ notification: 'removed', data: { reason: 'lobby' } });
    t.close();
    return {};
  },

  rename(ctx, { peerId, name }) {
    const { room, peer } = joined(ctx);
    const t = target(room, peerId);
    allow(room, peer, 'rename', t);
    const from = t.name;
    t.name = name;
    room.meeting.log(peer, 'renamed', { id: t.id, name }, { from });
    announcePeer(room, t);
    return {};
  },

  endMeeting(ctx) {
    const { room, peer } = joined(ctx);
    allow(room, peer, 'endMeeting');
    room.meeting.log(peer, 'ended');
    ctx.session.room = null;
    ctx.session.peer = null;
    room.closeForEveryone('ended');
    return {};
  },

  raiseHand(ctx, { raised }) {
    const { room, peer } = joined(ctx);
    allow(room, peer, 'raiseHand');
    const hands = room.meeting.hands;
    if (raised) { hands.raise(peer.id, Date.now()); peer.handRaisedAt ??= Date.now(); } else { hands.lower(peer.id); peer.handRaisedAt = null; }
    room.broadcast({ notification: 'peerUpdated', data: { peer: peer.info() } });
    room.meeting.announceState();
    return { position: hands.position(peer.id) };
  },

  lowerHand(ctx, { peerId }) {
    const { room, peer } = joined(ctx);
    const t = target(room, peerId);
    if (t.id !== peer.id) allow(room, peer, 'lowerHandOf', t);
    if (!room.meeting.hands.lower(t.id)) throw new AppError(ErrorCode.InvalidState, `peerId: ${t.name}'s hand is not raised`);
    t.handRaisedAt = null;
    if (t.id !== peer.id) room.meeting.log(peer, 'loweredHand', { id: t.id, name: t.name });
    room.broadcast({ notification: 'peerUpdated', data: { peer: t.info() } });
    room.meeting.announceState();
    return {};
  },

  lowerAllHands(ctx) {
    const { room, peer } = joined(ctx);
    allow(room, peer, 'lowerAllHands');
    const lowered = room.meeting.hands.clear();
    room.meeting.log(peer, 'loweredAllHands', null, { count: lowered.length });
    for (const id of lowered) {
      const p = room.peers.get(id);
      if (p) { p.handRaisedAt = null; room.broadcast({ notification: 'peerUpdated', data: { peer: p.info() } }); }
    }
    room.meeting.announceState();
    return {};
  },

  callSpeaker(ctx, { peerId }) {
    const { room, peer } = joined(ctx);
    allow(room, peer, 'callSpeaker');
    const meeting = room.meeting;
    const id = peerId ?? meeting.hands.first();
    if (!id) throw new AppError(ErrorCode.InvalidState, 'no raised hand to call');
    const t = target(room, id);
    meeting.hands.lower(t.id);
    t.handRaisedAt = null;
    const speaker = meeting.setSpeaker(t.id);
    meeting.log(peer, 'calledSpeaker', { id: t.id, name: t.name });
    // Called: they may unmute now, even when only the chair unmutes.
    t.notify({ notification: 'calledToSpeak', data: { until: speaker?.until ?? null, mayUnmute: true } });
    room.broadcast({ notification: 'peerUpdated', data: { peer: t.info() } });
    meeting.announceState();
    return { speaker };
  },

  endSpeaker(ctx) {
    const { room, peer } = joined(ctx);
    const speaker = room.meeting.speaker;
    if (!speaker) throw new AppError(ErrorCode.InvalidState, 'nobody is speaking');
    if (speaker.peerId !== peer.id) allow(room, peer, 'callSpeaker');
    room.meeting.setSpeaker(null);
    room.meeting.announceState();
    return {};
  },

  chatSend(ctx, { text }) {
    const { room, peer } = joined(ctx);
    allow(room, peer, 'chat');
    const now = Date.now();
    if (now - (lastChat.get(peer) ?? 0) < CHAT_INTERVAL_MS) throw new AppError(ErrorCode.RateLimited, 'chat: at most two messages per second');
    lastChat.set(peer, now);
    const message = { id: secretId(), at: now, peerId: peer.id, name: peer.name, text, deleted: false };
    room.meeting.addChat(message);
    room.broadcast({ notification: 'chatMessage', data: { message } }, peer.id);
    return { message };
  },

  chatDelete(ctx, { messageId }) {
    const { room, peer } = joined(ctx);
    allow(room, peer, 'deleteChat');
    const m = room.meeting.chatMessage(messageId);
    if (!m) throw new AppError(ErrorCode.NotFound, `messageId: no message ${messageId}`);
    if (m.deleted) throw new AppError(ErrorCode.InvalidState, 'messageId: already deleted');
    room.meeting.deleteChat(messageId, peer.id);
    room.meeting.log(peer, 'deletedChat', { id: m.peerId, name: m.name }, { messageId });
    room.broadcast({ notification: 'chatDeleted', data: { messageId } });
    return {};
  },

  pollCreate(ctx, data) {
    const { room, peer } = joined(ctx);
    allow(room, peer, 'createPoll');
    const now = Date.now();
    const poll = {
      id: secretId(), question: data.question, options: data.options, multiple: data.multiple, anonymous: data.anonymous, liveResults: data.liveResults,
      createdAt: now, closesAt: data.durationS ? now + data.durationS * 1000 : null, closed: false, answers: [],
    };
    room.meeting.addPoll(poll);
    room.meeting.log(peer, 'pollCreated', null, { pollId: poll.id, question: poll.question });
    if (poll.closesAt) setTimeout(() => { if (!poll.closed) { room.meeting.closePoll(poll); room.meeting.announcePoll(poll); } }, poll.closesAt - now).unref();
    room.meeting.announcePoll(poll);
    return { poll: pollView(poll, peer.id, now) };
  },

  pollAnswer(ctx, { pollId, choices }) {
    const { room, peer } = joined(ctx);
    allow(room, peer, 'answerPoll');
    const poll = pollOf(room, pollId);
    const now = Date.now();
    const problem = answerProblem(poll, choices, now);
    if (problem) throw new AppError(problem.startsWith('choices') ? ErrorCode.BadRequest : ErrorCode.InvalidState, problem);
    if (poll.answers.some((a) => a.peerId === peer.id)) throw new AppError(ErrorCode.InvalidState, 'pollId: you already answered');
    room.meeting.answerPoll(poll, peer, choices);
    room.meeting.announcePoll(poll);
    return { poll: pollView(poll, peer.id, now) };
  },

  pollClose(ctx, { pollId }) {
    const { room, peer } = joined(ctx);
    allow(room, peer, 'closePoll');
    const poll = pollOf(room, pollId);
    if (poll.closed) throw new AppError(ErrorCode.InvalidState, 'pollId: already closed');
    room.meeting.closePoll(poll);
    room.meeting.log(peer, 'pollClosed', null, { pollId });
    room.meeting.announcePoll(poll);
    return { poll: pollView(poll, peer.id, Date.now()) };
  },
};
