// Minutes requests: writers (moderators and whom they designate) send Yjs updates; the
// chair designates writers; anyone in the meeting can export.
import { ErrorCode, type Method } from '../../../protocol/index.js';
import { AppError } from '../errors.js';
import { allow } from '../meeting/authorize.js';
import type { AppRoom, Handlers } from '../signaling/context.js';
import { joined } from '../signaling/guards.js';
import { attendanceReport, html, markdown } from './export.js';

type MinutesMethod = Extract<Method, 'minutesUpdate' | 'setMinutesWriter' | 'minutesExport' | 'setAgenda'>;

export function relayMinutes(room: AppRoom, update: Uint8Array, exceptPeerId?: string): void {
  room.broadcast({ notification: 'minutesUpdate', data: { update: Buffer.from(update).toString('base64') } }, exceptPeerId);
}

export const minutesHandlers: Handlers<MinutesMethod> = {
  minutesUpdate(ctx, { update }) {
    const { room, peer } = joined(ctx);
    if (peer.role !== 'moderator' && !room.minutes.isWriter(peer.id)) throw new AppError(ErrorCode.Forbidden, 'minutes: only the chair and designated writers edit the minutes');
    const bytes = Buffer.from(update, 'base64');
    const problem = room.minutes.apply(bytes);
    if (problem) throw new AppError(ErrorCode.BadRequest, problem);
    relayMinutes(room, bytes, peer.id);
    return {};
  },

  setMinutesWriter(ctx, { peerId, writer }) {
    const { room, peer } = joined(ctx);
    allow(room, peer, 'setMinutesWriter');
    const t = room.peers.get(peerId);
    if (!t || t.closed) throw new AppError(ErrorCode.NotFound, `peerId: no participant ${peerId} in this meeting`);
    room.minutes.setWriter(peerId, writer);
    room.meeting.log(peer, writer ? 'minutesWriterAdded' : 'minutesWriterRemoved', { id: t.id, name: t.name });
    room.broadcast({ notification: 'minutesWriters', data: { writers: room.minutes.writers } });
    return {};
  },

  minutesExport(ctx, { format }) {
    const { room, peer } = joined(ctx);
    const attendance = room.meeting.stores.attendance.all(room.id);
    const motions = room.votes.all().map((m) => m.view(peer.id));
    const name = room.record.name;
    const date = new Date().toISOString().slice(0, 10);
    if (format === 'attendance') return { text: attendanceReport(name, attendance), filename: `anwesenheit-${date}.md` };
    if (format === 'html') return { text: html(name, room.minutes.text, attendance, motions, room.minutes.agenda, room.recording.events()), filename: `protokoll-${date}.html` };
    return { text: markdown(name, room.minutes.text, attendance, motions, room.minutes.agenda, room.recording.events()), filename: `protokoll-${date}.md` };
  },

  setAgenda(ctx, { items }) {
    const { room, peer } = joined(ctx);
    allow(room, peer, 'setMinutesWriter');
    room.minutes.setAgenda(items);
    room.meeting.log(peer, 'agenda', null, { items: items.length });
    room.broadcast({ notification: 'agenda', data: { items } });
    return {};
  },
};
