// Lawful recording: a moderator records in their own browser; everyone is asked for
// consent first (default: no) and only those who said yes are mixed in. The server keeps
// the state, the consent decisions and an event log (with the meeting, in SQLite), and an
// archive the recording moderator may upload to (HTTP, chunked; see http/recordings.ts).
import * as v from 'valibot';
import { Id, request } from './common.js';

export const RecordingKind = v.picklist(['video', 'audio']);
export type RecordingKind = v.InferOutput<typeof RecordingKind>;

export const recordingRequests = [
  /** Start a recording (moderators). `resume`: continue an interrupted one as a new part. */
  request('recordingStart', v.strictObject({ kind: RecordingKind, resume: v.optional(Id) })),
  request('recordingPause', v.strictObject({ paused: v.boolean() })),
  request('recordingStop', v.strictObject({})),
  /** Each participant's own answer; can be withdrawn at any time. */
  request('recordingConsent', v.strictObject({ consent: v.boolean() })),
  /** Moderators: a short-lived token for the archive (upload, list, download, delete). */
  request('recordingArchive', v.strictObject({})),
] as const;

export type RecordingStatus = 'recording' | 'paused' | 'interrupted';

export interface RecordingState {
  id: string;
  kind: RecordingKind;
  status: RecordingStatus;
  /** Who records (their browser captures): peer id and name. */
  byPeerId: string;
  byName: string;
  startedAt: number;
  /** Part number: 1, then +1 for each resume after an interruption. */
  part: number;
  /** Consent answers so far; a participant missing here has not answered (= not recorded). */
  consents: Record<string, boolean>;
}

export interface ArchivedRecording {
  id: string;
  recordingId: string;
  kind: RecordingKind;
  filename: string;
  size: number;
  createdAt: number;
  /** Deleted automatically after this time (retention period). */
  deleteAt: number;
}

export interface RecordingResponses {
  recordingStart: { recording: RecordingState };
  recordingPause: Record<string, never>;
  recordingStop: Record<string, never>;
  recordingConsent: Record<string, never>;
  recordingArchive: { token: string; expiresAt: number; items: ArchivedRecording[]; maxBytes: number };
}

export interface RecordingNotifications {
  /** The recording's state changed (null: no recording). */
  recording: { recording: RecordingState | null };
}

/**
 * The one consent rule, shared by the server (metadata) and the recording browser (what it
 * mixes): a participant is in the recording only while it runs and they said yes.
 * No answer counts as no.
 */
export function isRecorded(state: RecordingState | null, peerId: string): boolean {
  return state !== null && state.status === 'recording' && state.consents[peerId] === true;
}
