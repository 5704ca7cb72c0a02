// Who else is in the call, as the UI shows it: the participants (in join order), the active
// speaker, and everyone's connection quality. Fed by the join snapshot, the roster
// notifications, and the reconciliation after a resume. Announces joins and leaves.
import type { Notification, PeerInfo } from '../../../protocol/index.js';
import { Participant } from '../features/media/participant.svelte.js';
import { i18n } from './i18n.svelte.js';

export interface RosterHooks {
  selfId(): string | null;
  /** Our own role, name and rights changed. */
  self(info: PeerInfo): void;
  /** Someone left: drop their consumers. */
  gone(peerId: string): void;
  announce(text: string): void;
}

export class Roster {
  participants = $state<Participant[]>([]);
  activeSpeakerId = $state<string | null>(null);
  selfQuality = $state(10);
  readonly #hooks: RosterHooks;

  constructor(hooks: RosterHooks) { this.#hooks = hooks; }

  find(peerId: string): Participant | undefined { return this.participants.find((p) => p.id === peerId); }

  reset(peers: PeerInfo[] = []): void { this.participants = peers.map((p) => new Participant(p)); }

  /** After a resume: the server's list is the truth; returns everyone, old and new. */
  reconcile(peers: PeerInfo[]): Participant[] {
    const byId = new Map(peers.map((p) => [p.id, p]));
    for (const p of this.participants) if (!byId.has(p.id)) this.remove(p.id);
    for (const info of peers) {
      const p = this.find(info.id);
      if (!p) this.participants.push(new Participant(info)); else p.update(info);
    }
    return this.participants;
  }

  remove(peerId: string): void {
    const p = this.find(peerId);
    this.#hooks.gone(peerId);
    this.participants = this.participants.filter((x) => x.id !== peerId);
    if (this.activeSpeakerId === peerId) this.activeSpeakerId = null;
    if (p) this.#hooks.announce(i18n.t('leftRoom', { name: p.name }));
  }

  /** Roster notifications; returns false for other ones. */
  handle(n: Notification): boolean {
    switch (n.notification) {
      case 'peerUpdated':
        if (n.data.peer.id === this.#hooks.selfId()) this.#hooks.self(n.data.peer);
        else this.find(n.data.peer.id)?.update(n.data.peer);
        return true;
      case 'peerJoined':
        if (this.find(n.data.peer.id)) return true;
        this.participants.push(new Participant(n.data.peer));
        this.#hooks.announce(i18n.t('joined', { name: n.data.peer.name }));
        return true;
      case 'peerLeft':
        this.remove(n.data.peerId);
        return true;
      case 'activeSpeaker':
        this.activeSpeakerId = n.data.peerId;
        return true;
      case 'peerQuality':
        if (n.data.peerId === this.#hooks.selfId()) this.selfQuality = n.data.score;
        else { const p = this.find(n.data.peerId); if (p) p.quality = n.data.score; }
        return true;
      default:
        return false;
    }
  }
}
