// Session protocol: entering a room (possibly via the waiting room), leaving, keep-alive.
import * as v from 'valibot';
import { Id, Name, request, type PeerInfo, type Role } from './common.js';
import type { MeetingSnapshot } from './meeting.js';
import type { MotionView } from './votes.js';
import type { MinutesSnapshot } from './minutes.js';
import type { RecordingState } from './recording.js';
import type { DialIn } from './phone.js';
import { RtpCapabilitiesSchema } from './media.js';

export const sessionRequests = [
  request('routerCapabilities', v.strictObject({ roomId: Id })),
  request('join', v.strictObject({
    roomId: Id,
    name: Name,
    rtpCapabilities: RtpCapabilitiesSchema,
    moderatorKey: v.optional(Id),
    resumeToken: v.optional(Id),
    /** A random id this browser keeps (a ban for this meeting applies to it). */
    clientId: v.optional(Id),
    /** From `admitted`: the waiting room let us in. */
    ticket: v.optional(Id),
  })),
  request('leave', v.strictObject({})),
  request('ping', v.strictObject({})),
] as const;

export interface JoinedData {
  status: 'joined';
  peerId: string;
  role: Role;
  resumeToken: string;
  resumed: boolean;
  /** Everyone else in the room. */
  peers: PeerInfo[];
  /** Ourselves as others see us (hand, rights, muted by the chair). */
  self: PeerInfo;
  graceMs: number;
  /** Camera codec the server asks for ('vp9': SVC where the browser can). */
  videoCodec: 'vp8' | 'vp9';
  /** Resumed, but the room's media worker was replaced meanwhile: rebuild all media. */
  mediaReset: boolean;
  meeting: MeetingSnapshot;
  /** Legally binding votes of this meeting (open and closed). */
  motions: MotionView[];
  /** The shared minutes (Yjs state, base64) and who may write them. */
  minutes: MinutesSnapshot;
  /** A recording running (or interrupted) in this meeting: answer its consent question. */
  recording: RecordingState | null;
  /** Moderators: how to join by phone (null for everyone else). */
  dialIn: DialIn | null;
  roomName: string;
}
/** The waiting room applies: wait for `admitted` (then join again with its ticket) or `rejected`. */
export interface WaitingData { status: 'waiting'; moderatorPresent: boolean; roomName: string }

export interface SessionResponses {
  routerCapabilities: { rtpCapabilities: unknown };
  join: JoinedData | WaitingData;
  leave: Record<string, never>;
  ping: { now: number };
}

export interface SessionNotifications {
  peerJoined: { peer: PeerInfo };
  peerLeft: { peerId: string };
  /** The meeting was closed for everyone (its media could not be recovered, or it ended). */
  roomClosed: { reason: 'media_failed' | 'ended' };
}
