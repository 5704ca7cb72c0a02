// Lookups every handler needs, each failing with the right error code.
import { ErrorCode } from '../../../protocol/index.js';
import type { Peer } from '../domain/Peer.js';
import { AppError } from '../errors.js';
import type { AppRoom, HandlerContext } from './context.js';

export function joined(ctx: HandlerContext): { room: AppRoom; peer: Peer } {
  const { room, peer } = ctx.session;
  if (!room || !peer || peer.closed) throw new AppError(ErrorCode.NotJoined, 'join a room first');
  return { room, peer };
}

export function roomOf(ctx: HandlerContext, roomId: string): AppRoom {
  const r = ctx.registry.get(roomId);
  if (!r) throw new AppError(ErrorCode.RoomNotFound, `roomId: no room ${roomId}`);
  return r;
}
