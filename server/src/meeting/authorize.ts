// The bridge from handlers to the pure policy: builds the actor from a peer and the
// meeting's state, and throws `forbidden` with the policy's reason.
import { ErrorCode } from '../../../protocol/index.js';
import type { Peer } from '../domain/Peer.js';
import { AppError } from '../errors.js';
import { can, type Action, type Actor } from './policy.js';
import type { Meeting } from './Meeting.js';

export function actorOf(room: { meeting: Meeting }, peer: Peer): Actor {
  return {
    id: peer.id, role: peer.role, mutedByChair: peer.mutedByChair, screenShare: peer.screenShare,
    speaking: room.meeting.speaker?.peerId === peer.id,
  };
}

export function allow(room: { meeting: Meeting }, peer: Peer, action: Action, target: Peer | null = null): void {
  const d = can(actorOf(room, peer), action, target ? { id: target.id, role: target.role, channel: target.channel } : null, room.meeting.settings);
  if (!d.ok) throw new AppError(ErrorCode.Forbidden, d.reason);
}
