// Entering and leaving a room. Who gets in, in this order: a resume token of a present
// participant resumes; a waiting-room ticket lets an admitted person in; banned devices
// are refused; a locked room admits only moderators (with their key); with the waiting
// room on, everyone else waits until a moderator decides.
import type { types } from 'mediasoup';
import { ErrorCode, type DialIn, type JoinedData } from '../../../protocol/index.js';
import type { Peer } from '../domain/Peer.js';
import { matchesHash } from '../domain/secrets.js';
import { AppError } from '../errors.js';
import type { AppRoom, HandlerContext, Handlers } from '../signaling/context.js';
import { joined, roomOf } from '../signaling/guards.js';

/** How to join this meeting by phone (moderators pass it on with the invitation). */
export function dialIn(ctx: HandlerContext, room: AppRoom): DialIn {
  return { number: ctx.phoneNumber ?? null, id: room.record.dialInId, pin: room.record.dialInPin };
}

function joinedData(ctx: HandlerContext, room: AppRoom, peer: Peer, resumed: boolean): JoinedData {
  const mediaReset = resumed && peer.mediaLost;
  peer.mediaLost = false;
  return {
    status: 'joined', peerId: peer.id, role: peer.role, resumeToken: peer.resumeToken ?? '', resumed, graceMs: ctx.graceMs, videoCodec: ctx.videoCodec, mediaReset,
    peers: [...room.peers.values()].filter((p) => p.id !== peer.id).map((p) => p.info()), self: peer.info(),
    meeting: room.meeting.snapshot(peer), motions: room.votes.all().map((m) => m.view(peer.id)),
    minutes: { state: room.minutes.state(), writers: room.minutes.writers, agenda: room.minutes.agenda }, recording: room.recording.state, roomName: room.record.name,
    dialIn: peer.role === 'moderator' ? dialIn(ctx, room) : null,
  };
}

export const sessionHandlers: Handlers<'routerCapabilities' | 'join' | 'leave' | 'ping'> = {
  async routerCapabilities(ctx, { roomId }) {
    roomOf(ctx, roomId);
    return { rtpCapabilities: await ctx.registry.rtpCapabilities() };
  },

  async join(ctx, data) {
    const session = ctx.session;
    if (session.peer && !session.peer.closed) throw new AppError(ErrorCode.AlreadyJoined, 'this connection already joined a room');
    const room = roomOf(ctx, data.roomId);
    const meeting = room.meeting;
    if (data.moderatorKey !== undefined && !matchesHash(data.moderatorKey, room.record.moderatorKeyHash)) {
      throw new AppError(ErrorCode.Forbidden, 'moderatorKey: wrong key for this room');
    }
    const rtpCapabilities = data.rtpCapabilities as types.RtpCapabilities;
    const enter = async (name: string, role: Peer['role'], clientId: string | undefined, resumeToken?: string) => {
      await room.media();
      const { peer, resumed } = room.join({ name, role, rtpCapabilities, resumeToken, clientId, link: session.link, channel: ctx.channel ?? 'browser' });
      session.room = room;
      session.peer = peer;
      session.waiting = null;
      ctx.onJoined?.();
      if (!resumed) {
        meeting.log(peer, 'joined', null, { role });
        if (role === 'moderator') meeting.announceLobby();
      }
      return joinedData(ctx, room, peer, resumed);
    };

    // A dropped participant (or one present before a restart) comes back to its seat.
    if (data.resumeToken && room.resumable(data.resumeToken)) return enter(data.name, 'participant', data.clientId, data.resumeToken);
    if (data.ticket) {
      // Only the socket that waited may use its ticket.
      const entry = meeting.lobby.byTicket(data.ticket);
      if (!entry || entry.link !== session.link) throw new AppError(ErrorCode.Forbidden, 'ticket: not valid (or already used)');
      meeting.lobby.redeem(data.ticket);
      return enter(entry.name, 'participant', entry.clientId);
    }
    const moderator = data.moderatorKey !== undefined;
    if (!moderator && meeting.isBanned(data.clientId)) throw new AppError(ErrorCode.Banned, 'you were removed from this meeting');
    if (!moderator && meeting.settings.locked) throw new AppError(ErrorCode.RoomLocked, 'this meeting is locked: nobody new can join');
    if (!moderator && meeting.settings.lobby) {
      if (session.waiting) throw new AppError(ErrorCode.InvalidState, 'already waiting to be admitted');
      const entry = meeting.lobby.add({ id: crypto.randomUUID(), name: data.name, since: Date.now(), clientId: data.clientId, link: session.link });
      if (!entry) throw new AppError(ErrorCode.RoomFull, 'the waiting room is full');
      session.waiting = { room, id: entry.id };
      ctx.onJoined?.();
      meeting.announceLobby({ id: entry.id, name: entry.name, since: entry.since });
      return { status: 'waiting', moderatorPresent: meeting.moderatorPresent(), roomName: room.record.name };
    }
    return enter(data.name, moderator ? 'moderator' : 'participant', data.clientId);
  },

  leave(ctx) {
    const waiting = ctx.session.waiting;
    if (waiting) {
      ctx.session.waiting = null;
      if (waiting.room.meeting.lobby.remove(waiting.id)) waiting.room.meeting.announceLobby();
      return {};
    }
    const { room, peer } = joined(ctx);
    ctx.session.peer = null;
    ctx.session.room = null;
    room.meeting.log(peer, 'left');
    peer.close();
    return {};
  },

  ping() {
    return { now: Date.now() };
  },
};
