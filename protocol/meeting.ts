// Council-meeting protocol: roles, waiting room, moderation, hands and the speaker queue,
// chat and quick polls. Requests are validated here; every moderator action is also
// authorized on the server (server/src/meeting/policy.ts).
import * as v from 'valibot';
import { Id, Name, request, Role } from './common.js';

export const ChatText = v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(2000, 'at most 2,000 characters'));
const PollOption = v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(200, 'at most 200 characters'));

export const MeetingSettingsSchema = v.strictObject({
  /** New participants wait until a moderator admits them. */
  lobby: v.optional(v.boolean()),
  /** Nobody new gets in (not even into the waiting room); moderators with their link still do. */
  locked: v.optional(v.boolean()),
  chatEnabled: v.optional(v.boolean()),
  /** Participants muted by the chair cannot unmute themselves (they ask by raising a hand). */
  onlyChairUnmutes: v.optional(v.boolean()),
  /** Speaking-time limit per called speaker, in seconds; null: none. */
  speakingTimeS: v.optional(v.nullable(v.pipe(v.number(), v.integer(), v.minValue(10), v.maxValue(3600)))),
});
export type MeetingSettingsPatch = v.InferOutput<typeof MeetingSettingsSchema>;
export interface MeetingSettings { lobby: boolean; locked: boolean; chatEnabled: boolean; onlyChairUnmutes: boolean; speakingTimeS: number | null }

export const meetingRequests = [
  request('setSettings', MeetingSettingsSchema),
  request('admit', v.strictObject({ peerIds: v.union([v.literal('all'), v.pipe(v.array(Id), v.minLength(1), v.maxLength(300))]) })),
  request('reject', v.strictObject({ peerId: Id })),
  request('setRole', v.strictObject({ peerId: Id, role: Role })),
  request('mute', v.strictObject({ peerId: Id })),
  request('muteAll', v.strictObject({})),
  request('stopMedia', v.strictObject({ peerId: Id, source: v.picklist(['camera', 'screen']) })),
  request('setScreenShare', v.strictObject({ peerId: Id, allowed: v.boolean() })),
  request('remove', v.strictObject({ peerId: Id, ban: v.optional(v.boolean()) })),
  request('sendToLobby', v.strictObject({ peerId: Id })),
  request('rename', v.strictObject({ peerId: Id, name: Name })),
  request('endMeeting', v.strictObject({})),
  request('raiseHand', v.strictObject({ raised: v.boolean() })),
  request('lowerHand', v.strictObject({ peerId: Id })),
  request('lowerAllHands', v.strictObject({})),
  request('callSpeaker', v.strictObject({ peerId: v.optional(Id) })),
  request('endSpeaker', v.strictObject({})),
  request('chatSend', v.strictObject({ text: ChatText })),
  request('chatDelete', v.strictObject({ messageId: Id })),
  request('pollCreate', v.strictObject({
    question: v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(300, 'at most 300 characters')),
    options: v.pipe(v.array(PollOption), v.minLength(2, 'at least 2 options'), v.maxLength(10, 'at most 10 options')),
    multiple: v.boolean(),
    anonymous: v.boolean(),
    /** Results visible while the poll runs (else only when it is closed). */
    liveResults: v.boolean(),
    durationS: v.optional(v.nullable(v.pipe(v.number(), v.integer(), v.minValue(10), v.maxValue(86_400)))),
  })),
  request('pollAnswer', v.strictObject({ pollId: Id, choices: v.pipe(v.array(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(9))), v.minLength(1), v.maxLength(10)) })),
  request('pollClose', v.strictObject({ pollId: Id })),
] as const;

export interface WaitingInfo { id: string; name: string; since: number }
export interface ChatMessage { id: string; at: number; peerId: string; name: string; text: string; deleted: boolean }
export interface PollInfo {
  id: string; question: string; options: string[]; multiple: boolean; anonymous: boolean; liveResults: boolean;
  createdAt: number; closesAt: number | null; closed: boolean;
  /** Votes per option; null while results are hidden (until closed). */
  counts: number[] | null;
  /** How many answered. */
  answered: number;
  /** Who chose what (named polls, once results are visible). */
  voters: { name: string; choices: number[] }[] | null;
  /** This participant's own answer, if any. */
  mine: number[] | null;
}
export interface SpeakerInfo { peerId: string; since: number; until: number | null }
export interface MeetingSnapshot {
  settings: MeetingSettings;
  /** Raised hands, oldest first (the speaker queue). */
  hands: string[];
  speaker: SpeakerInfo | null;
  chat: ChatMessage[];
  polls: PollInfo[];
  /** Waiting people (moderators only; empty for others). */
  lobby: WaitingInfo[];
}

export interface MeetingResponses {
  setSettings: { settings: MeetingSettings };
  admit: { admitted: string[] };
  reject: Record<string, never>;
  setRole: Record<string, never>;
  mute: Record<string, never>;
  muteAll: { muted: number };
  stopMedia: Record<string, never>;
  setScreenShare: Record<string, never>;
  remove: Record<string, never>;
  sendToLobby: Record<string, never>;
  rename: Record<string, never>;
  endMeeting: Record<string, never>;
  raiseHand: { position: number | null };
  lowerHand: Record<string, never>;
  lowerAllHands: Record<string, never>;
  callSpeaker: { speaker: SpeakerInfo | null };
  endSpeaker: Record<string, never>;
  chatSend: { message: ChatMessage };
  chatDelete: Record<string, never>;
  pollCreate: { poll: PollInfo };
  pollAnswer: { poll: PollInfo };
  pollClose: { poll: PollInfo };
}

export interface MeetingNotifications {
  /** Settings, hands, speaker changed (sent whole: small, and never out of order). */
  meetingState: { settings: MeetingSettings; hands: string[]; speaker: SpeakerInfo | null };
  /** Moderators: who is waiting. `arrived`: a newcomer (sound and announcement). */
  lobbyChanged: { waiting: WaitingInfo[]; arrived: WaitingInfo | null };
  /** The waiting person: whether a moderator is there to admit them. */
  lobbyStatus: { moderatorPresent: boolean };
  /** The waiting person was admitted: join again with this ticket. */
  admitted: { ticket: string };
  /** The waiting person was turned away, or the room got locked while they waited. */
  rejected: { reason: 'rejected' | 'locked' | 'ended' | 'banned' };
  /** You were removed (or sent back to the waiting room: then `lobby` is true). */
  removed: { reason: 'removed' | 'banned' | 'lobby' };
  /** A participant's role, name, hand or rights changed. */
  peerUpdated: { peer: import('./common.js').PeerInfo };
  /** The chair muted you (`canUnmute`: whether you may unmute yourself). */
  mutedByChair: { canUnmute: boolean };
  /** The chair stopped your camera or screen share. */
  mediaStopped: { source: 'camera' | 'screen' };
  /** You are called to speak. */
  calledToSpeak: { until: number | null; mayUnmute: boolean };
  chatMessage: { message: ChatMessage };
  chatDeleted: { messageId: string };
  poll: { poll: PollInfo };
}
