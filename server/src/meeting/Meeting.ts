// The council meeting of one room: its settings, waiting room, speaker queue, chat, polls,
// bans and the event log of moderator actions. Every change is written to its store before
// it is announced (and before the request that caused it is acknowledged).
import type { ChatMessage, MeetingSettings, MeetingSnapshot, Notification, SpeakerInfo } from '../../../protocol/index.js';
import type { Peer } from '../domain/Peer.js';
import { HandQueue } from './HandQueue.js';
import { Lobby } from './Lobby.js';
import { pollView } from './polls.js';
import type { MeetingEvent, MeetingStores, StoredPoll } from './stores.js';

export const DEFAULT_SETTINGS: MeetingSettings = { lobby: true, locked: false, chatEnabled: true, onlyChairUnmutes: false, speakingTimeS: null };
const CHAT_HISTORY = 200;

/** What the meeting needs of its room. */
export interface RoomView {
  readonly id: string;
  readonly peers: ReadonlyMap<string, Peer>;
  broadcast(message: Notification, exceptPeerId?: string): void;
}

export class Meeting {
  readonly lobby = new Lobby();
  readonly hands = new HandQueue();
  #settings: MeetingSettings;
  #speaker: SpeakerInfo | null = null;
  readonly #chat: ChatMessage[];
  readonly #polls = new Map<string, StoredPoll>();
  readonly #bans: Set<string>;
  readonly #room: RoomView;
  readonly #stores: MeetingStores;

  constructor(room: RoomView, stores: MeetingStores, initial: Partial<MeetingSettings> = {}) {
    this.#room = room;
    this.#stores = stores;
    this.#settings = stores.settings.load(room.id) ?? { ...DEFAULT_SETTINGS, ...initial };
    this.#chat = stores.chat.recent(room.id, CHAT_HISTORY);
    for (const p of stores.polls.list(room.id)) this.#polls.set(p.id, p);
    this.#bans = new Set(stores.bans.list(room.id));
  }

  get settings(): MeetingSettings { return this.#settings; }
  get speaker(): SpeakerInfo | null { return this.#speaker; }
  get stores(): MeetingStores { return this.#stores; }

  /** Writes the room's initial settings (at creation). */
  persistSettings(): void { this.#stores.settings.save(this.#room.id, this.#settings); }

  updateSettings(patch: Partial<MeetingSettings>): MeetingSettings {
    const next = { ...this.#settings };
    for (const [k, v] of Object.entries(patch)) if (v !== undefined) (next as Record<string, unknown>)[k] = v;
    this.#stores.settings.save(this.#room.id, next);
    this.#settings = next;
    return next;
  }

  log(actor: Peer | null, action: string, target: { id: string; name: string } | null = null, details: Record<string, unknown> | null = null): void {
    const event: MeetingEvent = { at: Date.now(), actorId: actor?.id ?? null, actorName: actor?.name ?? null, action, targetId: target?.id ?? null, targetName: target?.name ?? null, details };
    this.#stores.events.append(this.#room.id, event);
  }

  moderatorPresent(): boolean {
    for (const p of this.#room.peers.values()) if (p.role === 'moderator' && p.connected) return true;
    return false;
  }

  isBanned(clientId: string | undefined): boolean { return clientId !== undefined && this.#bans.has(clientId); }
  ban(clientId: string): void {
    this.#stores.bans.ban(this.#room.id, clientId);
    this.#bans.add(clientId);
  }

  // ---- speaker --------------------------------------------------------------------

  setSpeaker(peerId: string | null, now = Date.now()): SpeakerInfo | null {
    const limit = this.#settings.speakingTimeS;
    this.#speaker = peerId ? { peerId, since: now, until: limit ? now + limit * 1000 : null } : null;
    return this.#speaker;
  }

  // ---- chat -----------------------------------------------------------------------

  addChat(message: ChatMessage): void {
    this.#stores.chat.add(this.#room.id, message);
    this.#chat.push(message);
    if (this.#chat.length > CHAT_HISTORY) this.#chat.shift();
  }

  chatMessage(id: string): ChatMessage | undefined { return this.#chat.find((m) => m.id === id); }

  deleteChat(id: string, by: string): void {
    this.#stores.chat.markDeleted(this.#room.id, id, by, Date.now());
    const m = this.#chat.find((x) => x.id === id);
    if (m) { m.deleted = true; m.text = ''; }
  }

  // ---- polls ----------------------------------------------------------------------

  poll(id: string): StoredPoll | undefined { return this.#polls.get(id); }

  addPoll(poll: StoredPoll): void {
    this.#stores.polls.create(this.#room.id, poll);
    this.#polls.set(poll.id, poll);
  }

  answerPoll(poll: StoredPoll, peer: Peer, choices: number[]): void {
    const name = poll.anonymous ? null : peer.name;
    this.#stores.polls.answer(poll.id, peer.id, name, choices);
    poll.answers.push({ peerId: peer.id, name, choices });
  }

  closePoll(poll: StoredPoll): void {
    this.#stores.polls.close(poll.id);
    poll.closed = true;
  }

  /** Every participant sees the poll as their role and answer allow (own answer, hidden results). */
  announcePoll(poll: StoredPoll): void {
    const now = Date.now();
    for (const p of this.#room.peers.values()) p.notify({ notification: 'poll', data: { poll: pollView(poll, p.id, now) } });
  }

  // ---- state ----------------------------------------------------------------------

  announceState(): void {
    this.#room.broadcast({ notification: 'meetingState', data: { settings: this.#settings, hands: this.hands.list(), speaker: this.#speaker } });
  }

  announceLobby(arrived: { id: string; name: string; since: number } | null = null): void {
    const waiting = this.lobby.waiting();
    for (const p of this.#room.peers.values()) if (p.role === 'moderator') p.notify({ notification: 'lobbyChanged', data: { waiting, arrived } });
  }

  /** Tells everyone waiting whether a moderator is there to let them in. */
  announceModeratorPresence(): void {
    const moderatorPresent = this.moderatorPresent();
    for (const e of this.lobby.waiting()) this.lobby.get(e.id)?.link.send({ notification: 'lobbyStatus', data: { moderatorPresent } });
  }

  snapshot(viewer: Peer): MeetingSnapshot {
    const now = Date.now();
    return {
      settings: this.#settings,
      hands: this.hands.list(),
      speaker: this.#speaker,
      chat: [...this.#chat],
      polls: [...this.#polls.values()].map((p) => pollView(p, viewer.id, now)),
      lobby: viewer.role === 'moderator' ? this.lobby.waiting() : [],
    };
  }

  /** A participant left: their hand goes down; if they were speaking, nobody is. */
  peerLeft(peerId: string): void {
    const hand = this.hands.lower(peerId);
    const speaking = this.#speaker?.peerId === peerId;
    if (speaking) this.#speaker = null;
    if (hand || speaking) this.announceState();
  }
}
