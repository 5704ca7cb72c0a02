// Storage interfaces of the meeting, one per aggregate. SQLite implements them for the
// embedded default (storage/); a PostgreSQL implementation can follow for multi-node
// deployments without touching feature code. Every write is durable when it returns: a
// handler acknowledges only after its row is committed.
import type { ChatMessage, MeetingSettings, Role } from '../../../protocol/index.js';

export interface MeetingSettingsStore {
  load(roomId: string): MeetingSettings | undefined;
  save(roomId: string, settings: MeetingSettings): void;
}

/** Who was (and is) in the meeting: the attendance record, and what lets a client resume after a restart. */
export interface AttendanceRecord {
  peerId: string; name: string; role: Role; resumeTokenHash: string; clientId: string | null;
  screenShare: boolean | null; mutedByChair: boolean; joinedAt: number; leftAt: number | null;
  channel: 'browser' | 'phone';
}
export interface AttendanceStore {
  upsert(roomId: string, record: AttendanceRecord): void;
  left(roomId: string, peerId: string, at: number): void;
  /** Participants without a leave time (present when the server stopped). */
  present(roomId: string): AttendanceRecord[];
  all(roomId: string): AttendanceRecord[];
}

export interface MeetingEvent {
  at: number; actorId: string | null; actorName: string | null; action: string;
  targetId: string | null; targetName: string | null; details: Record<string, unknown> | null;
}
export interface EventLogStore {
  append(roomId: string, event: MeetingEvent): void;
  list(roomId: string): MeetingEvent[];
}

export interface ChatStore {
  add(roomId: string, message: ChatMessage): void;
  markDeleted(roomId: string, messageId: string, by: string, at: number): void;
  /** The newest `limit` messages, oldest first. */
  recent(roomId: string, limit: number): ChatMessage[];
}

export interface StoredPoll {
  id: string; question: string; options: string[]; multiple: boolean; anonymous: boolean; liveResults: boolean;
  createdAt: number; closesAt: number | null; closed: boolean;
  answers: { peerId: string; name: string | null; choices: number[] }[];
}
export interface PollStore {
  create(roomId: string, poll: StoredPoll): void;
  answer(pollId: string, peerId: string, name: string | null, choices: number[]): void;
  close(pollId: string): void;
  list(roomId: string): StoredPoll[];
}

export interface BanStore {
  ban(roomId: string, clientId: string): void;
  list(roomId: string): string[];
}

export interface MeetingStores {
  settings: MeetingSettingsStore;
  attendance: AttendanceStore;
  events: EventLogStore;
  chat: ChatStore;
  polls: PollStore;
  bans: BanStore;
}
