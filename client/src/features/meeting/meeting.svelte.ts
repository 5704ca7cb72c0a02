// The council meeting as the UI sees it: settings, the waiting room (ours, or the list a
// moderator decides on), the speaker queue, chat and polls. It turns notifications into
// reactive state and user actions into requests; the Call owns the connection.
import type {
  ChatMessage, MeetingSettings, MeetingSnapshot, Method, Notification, PollInfo, RequestData, ResponseData, SpeakerInfo, WaitingInfo,
} from '../../../../protocol/index.js';
import type { Requester } from '../../lib/signaling.js';
import { i18n } from '../../lib/i18n.svelte.js';

export type MeetingTransport = Requester;

/** Announcements for screen readers and the visible toast, plus an optional sound cue. */
export interface MeetingAnnouncer {
  announce(text: string, urgent?: boolean): void;
  chime(): void;
}

export const NO_SETTINGS: MeetingSettings = { lobby: false, locked: false, chatEnabled: true, onlyChairUnmutes: false, speakingTimeS: null };

export class MeetingState {
  settings = $state.raw<MeetingSettings>(NO_SETTINGS);
  hands = $state.raw<string[]>([]);
  speaker = $state.raw<SpeakerInfo | null>(null);
  chat = $state<ChatMessage[]>([]);
  polls = $state<PollInfo[]>([]);
  /** Moderators: who is waiting to be admitted. */
  waiting = $state.raw<WaitingInfo[]>([]);
  /** While we ourselves wait: whether a moderator is there to admit us. */
  moderatorPresent = $state(false);
  /** Unread chat messages while the chat panel is closed. */
  unread = $state(0);
  chatOpen = false;
  #transport: MeetingTransport;

  constructor(transport: MeetingTransport) {
    this.#transport = transport;
  }

  load(s: MeetingSnapshot): void {
    this.settings = s.settings;
    this.hands = s.hands;
    this.speaker = s.speaker;
    this.chat = s.chat;
    this.polls = s.polls;
    this.waiting = s.lobby;
  }

  /** Position in the speaker queue (1-based) or null. */
  position(peerId: string | null): number | null {
    if (!peerId) return null;
    const i = this.hands.indexOf(peerId);
    return i < 0 ? null : i + 1;
  }

  /** Handles meeting notifications; returns false for ones that are not ours. */
  handle(n: Notification, say: MeetingAnnouncer): boolean {
    switch (n.notification) {
      case 'meetingState':
        this.settings = n.data.settings;
        this.hands = n.data.hands;
        this.speaker = n.data.speaker;
        return true;
      case 'lobbyChanged':
        this.waiting = n.data.waiting;
        if (n.data.arrived) { say.announce(i18n.t('lobbyArrived', { name: n.data.arrived.name }), true); say.chime(); }
        return true;
      case 'lobbyStatus':
        this.moderatorPresent = n.data.moderatorPresent;
        return true;
      case 'chatMessage':
        this.chat.push(n.data.message);
        if (!this.chatOpen) this.unread++;
        say.announce(i18n.t('chatFrom', { name: n.data.message.name, text: n.data.message.text }));
        return true;
      case 'chatDeleted': {
        const m = this.chat.find((x) => x.id === n.data.messageId);
        if (m) { m.deleted = true; m.text = ''; }
        return true;
      }
      case 'poll': {
        const i = this.polls.findIndex((p) => p.id === n.data.poll.id);
        if (i < 0) { this.polls.push(n.data.poll); say.announce(i18n.t('pollOpened', { question: n.data.poll.question })); } else {
          if (!this.polls[i]!.closed && n.data.poll.closed) say.announce(i18n.t('pollClosedNotice', { question: n.data.poll.question }));
          this.polls[i] = n.data.poll;
        }
        return true;
      }
      case 'calledToSpeak':
        say.announce(i18n.t('calledToSpeak'), true);
        say.chime();
        return true;
      default:
        return false;
    }
  }

  request<M extends Method>(method: M, data: RequestData<M>): Promise<ResponseData[M]> {
    return this.#transport.request(method, data);
  }

  async sendChat(text: string): Promise<void> {
    const { message } = await this.#transport.request('chatSend', { text });
    this.chat.push(message);
  }

  async answer(pollId: string, choices: number[]): Promise<void> {
    const { poll } = await this.#transport.request('pollAnswer', { pollId, choices });
    const i = this.polls.findIndex((p) => p.id === poll.id);
    if (i >= 0) this.polls[i] = poll;
  }

  openChat(open: boolean): void {
    this.chatOpen = open;
    if (open) this.unread = 0;
  }
}
