// The meeting's stores in SQLite (see meeting/stores.ts). better-sqlite3 runs statements
// synchronously and the database commits with synchronous=FULL, so when a method returns
// the row is on disk.
import type { ChatMessage, MeetingSettings, Role } from '../../../protocol/index.js';
import type {
  AttendanceRecord, AttendanceStore, BanStore, ChatStore, EventLogStore, MeetingEvent, MeetingSettingsStore, MeetingStores, PollStore, StoredPoll,
} from '../meeting/stores.js';
import type { Database } from './database.js';

const bool = (v: number | null): boolean | null => (v === null ? null : v !== 0);

export class SqliteSettingsStore implements MeetingSettingsStore {
  constructor(readonly db: Database) {}
  load(roomId: string): MeetingSettings | undefined {
    const r = this.db.prepare('SELECT * FROM meeting_settings WHERE room_id = ?').get(roomId) as Record<string, number | null> | undefined;
    return r && { lobby: !!r.lobby, locked: !!r.locked, chatEnabled: !!r.chat_enabled, onlyChairUnmutes: !!r.only_chair_unmutes, speakingTimeS: r.speaking_time_s ?? null };
  }
  save(roomId: string, s: MeetingSettings): void {
    this.db.prepare(`INSERT INTO meeting_settings (room_id, lobby, locked, chat_enabled, only_chair_unmutes, speaking_time_s) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (room_id) DO UPDATE SET lobby = excluded.lobby, locked = excluded.locked, chat_enabled = excluded.chat_enabled,
      only_chair_unmutes = excluded.only_chair_unmutes, speaking_time_s = excluded.speaking_time_s`)
      .run(roomId, +s.lobby, +s.locked, +s.chatEnabled, +s.onlyChairUnmutes, s.speakingTimeS);
  }
}

interface AttendanceRow { peer_id: string; name: string; role: string; resume_token_hash: string; client_id: string | null; screen_share: number | null; muted_by_chair: number; joined_at: string; left_at: string | null; channel: string }
const toRecord = (r: AttendanceRow): AttendanceRecord => ({
  peerId: r.peer_id, name: r.name, role: r.role as Role, resumeTokenHash: r.resume_token_hash, clientId: r.client_id,
  screenShare: bool(r.screen_share), mutedByChair: r.muted_by_chair !== 0, joinedAt: Date.parse(r.joined_at), leftAt: r.left_at ? Date.parse(r.left_at) : null,
  channel: r.channel === 'phone' ? 'phone' : 'browser',
});

export class SqliteAttendanceStore implements AttendanceStore {
  constructor(readonly db: Database) {}
  upsert(roomId: string, r: AttendanceRecord): void {
    this.db.prepare(`INSERT INTO attendance (room_id, peer_id, name, role, resume_token_hash, client_id, screen_share, muted_by_chair, joined_at, left_at, channel)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (room_id, peer_id) DO UPDATE SET name = excluded.name, role = excluded.role,
      screen_share = excluded.screen_share, muted_by_chair = excluded.muted_by_chair, left_at = excluded.left_at`)
      .run(roomId, r.peerId, r.name, r.role, r.resumeTokenHash, r.clientId, r.screenShare === null ? null : +r.screenShare, +r.mutedByChair,
        new Date(r.joinedAt).toISOString(), r.leftAt === null ? null : new Date(r.leftAt).toISOString(), r.channel);
  }
  left(roomId: string, peerId: string, at: number): void {
    this.db.prepare('UPDATE attendance SET left_at = ? WHERE room_id = ? AND peer_id = ?').run(new Date(at).toISOString(), roomId, peerId);
  }
  present(roomId: string): AttendanceRecord[] {
    return (this.db.prepare('SELECT * FROM attendance WHERE room_id = ? AND left_at IS NULL').all(roomId) as AttendanceRow[]).map(toRecord);
  }
  all(roomId: string): AttendanceRecord[] {
    return (this.db.prepare('SELECT * FROM attendance WHERE room_id = ? ORDER BY joined_at').all(roomId) as AttendanceRow[]).map(toRecord);
  }
}

export class SqliteEventLog implements EventLogStore {
  constructor(readonly db: Database) {}
  append(roomId: string, e: MeetingEvent): void {
    this.db.prepare('INSERT INTO meeting_events (room_id, at, actor_id, actor_name, action, target_id, target_name, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(roomId, new Date(e.at).toISOString(), e.actorId, e.actorName, e.action, e.targetId, e.targetName, e.details ? JSON.stringify(e.details) : null);
  }
  list(roomId: string): MeetingEvent[] {
    return (this.db.prepare('SELECT * FROM meeting_events WHERE room_id = ? ORDER BY id').all(roomId) as Record<string, string | null>[]).map((r) => ({
      at: Date.parse(r.at!), actorId: r.actor_id ?? null, actorName: r.actor_name ?? null, action: r.action!, targetId: r.target_id ?? null,
      targetName: r.target_name ?? null, details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
    }));
  }
}

export class SqliteChatStore implements ChatStore {
  constructor(readonly db: Database) {}
  add(roomId: string, m: ChatMessage): void {
    this.db.prepare('INSERT INTO chat_messages (id, room_id, at, peer_id, name, text) VALUES (?, ?, ?, ?, ?, ?)').run(m.id, roomId, m.at, m.peerId, m.name, m.text);
  }
  markDeleted(roomId: string, messageId: string, by: string, at: number): void {
    // The text goes: a deleted message must not linger in the database either.
    this.db.prepare("UPDATE chat_messages SET deleted_at = ?, deleted_by = ?, text = '' WHERE room_id = ? AND id = ?").run(at, by, roomId, messageId);
  }
  recent(roomId: string, limit: number): ChatMessage[] {
    const rows = this.db.prepare('SELECT * FROM chat_messages WHERE room_id = ? ORDER BY at DESC, rowid DESC LIMIT ?').all(roomId, limit) as Record<string, string | number | null>[];
    return rows.reverse().map((r) => ({ id: String(r.id), at: Number(r.at), peerId: String(r.peer_id), name: String(r.name), text: String(r.text), deleted: r.deleted_at !== null }));
  }
}

export class SqlitePollStore implements PollStore {
  constructor(readonly db: Database) {}
  create(roomId: string, p: StoredPoll): void {
    this.db.prepare('INSERT INTO polls (id, room_id, question, options, multiple, anonymous, live_results, created_at, closes_at, closed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)')
      .run(p.id, roomId, p.question, JSON.stringify(p.options), +p.multiple, +p.anonymous, +p.liveResults, p.createdAt, p.closesAt);
  }
  answer(pollId: string, peerId: string, name: string | null, choices: number[]): void {
    this.db.prepare('INSERT INTO poll_answers (poll_id, peer_id, name, choices) VALUES (?, ?, ?, ?)').run(pollId, peerId, name, JSON.stringify(choices));
  }
  close(pollId: string): void {
    this.db.prepare('UPDATE polls SET closed = 1 WHERE id = ?').run(pollId);
  }
  list(roomId: string): StoredPoll[] {
    const polls = this.db.prepare('SELECT * FROM polls WHERE room_id = ? ORDER BY created_at').all(roomId) as Record<string, string | number | null>[];
    const answers = this.db.prepare('SELECT * FROM poll_answers WHERE poll_id = ?');
    return polls.map((r) => ({
      id: String(r.id), question: String(r.question), options: JSON.parse(String(r.options)) as string[], multiple: r.multiple === 1, anonymous: r.anonymous === 1,
      liveResults: r.live_results === 1, createdAt: Number(r.created_at), closesAt: r.closes_at === null ? null : Number(r.closes_at), closed: r.closed === 1,
      answers: (answers.all(r.id) as Record<string, string | null>[]).map((a) => ({ peerId: a.peer_id!, name: a.name ?? null, choices: JSON.parse(a.choices!) as number[] })),
    }));
  }
}

export class SqliteBanStore implements BanStore {
  constructor(readonly db: Database) {}
  ban(roomId: string, clientId: string): void {
    this.db.prepare('INSERT OR IGNORE INTO bans (room_id, client_id) VALUES (?, ?)').run(roomId, clientId);
  }
  list(roomId: string): string[] {
    return (this.db.prepare('SELECT client_id FROM bans WHERE room_id = ?').all(roomId) as { client_id: string }[]).map((r) => r.client_id);
  }
}

export function sqliteMeetingStores(db: Database): MeetingStores {
  return {
    settings: new SqliteSettingsStore(db), attendance: new SqliteAttendanceStore(db), events: new SqliteEventLog(db),
    chat: new SqliteChatStore(db), polls: new SqlitePollStore(db), bans: new SqliteBanStore(db),
  };
}
