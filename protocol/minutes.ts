// Shared minutes (Sitzungsprotokoll): a Yjs document per meeting, synced over the signaling
// connection as base64 updates. Moderators and the writers they designate edit; everyone
// else reads. Exports add the attendance list and every vote with its outcome.
import * as v from 'valibot';
import { Id, request } from './common.js';

/** One Yjs update, base64; at most 48 KB so it fits a signaling frame. */
const Update = v.pipe(v.string(), v.minLength(4), v.maxLength(48_000), v.regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64'));

export const minutesRequests = [
  request('minutesUpdate', v.strictObject({ update: Update })),
  request('setMinutesWriter', v.strictObject({ peerId: Id, writer: v.boolean() })),
  request('minutesExport', v.strictObject({ format: v.picklist(['markdown', 'html', 'attendance']) })),
  /** The chair's agenda (Tagesordnung), shown with the minutes and in every export. */
  request('setAgenda', v.strictObject({ items: v.pipe(v.array(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(300))), v.maxLength(50)) })),
] as const;

export interface MinutesSnapshot { state: string; writers: string[]; agenda: string[] }

export interface MinutesResponses {
  minutesUpdate: Record<string, never>;
  setMinutesWriter: Record<string, never>;
  minutesExport: { text: string; filename: string };
  setAgenda: Record<string, never>;
}

export interface MinutesNotifications {
  minutesUpdate: { update: string };
  minutesWriters: { writers: string[] };
  agenda: { items: string[] };
}
