// A room's recording: one at a time, captured in the recording moderator's browser. This
// class holds its state and answers (consent per participant, default no), writes every
// change to the store before it is announced, and marks the recording interrupted when
// the recording browser goes away, so a moderator can resume it (a new part) or finish it.
import { ErrorCode, type RecordingKind, type RecordingState } from '../../../protocol/index.js';
import { AppError } from '../errors.js';
import { secretId } from '../domain/ids.js';
import type { RecordingEvent, RecordingEventType, RecordingStore } from './store.js';

export interface RecordingActor { id: string; name: string }

export class Recording {
  readonly #roomId: string;
  readonly #store: RecordingStore;
  readonly #announce: (state: RecordingState | null) => void;
  #state: RecordingState | null;

  constructor(roomId: string, store: RecordingStore, announce: (state: RecordingState | null) => void) {
    this.#roomId = roomId;
    this.#store = store;
    this.#announce = announce;
    // After a restart the recording browser is gone for now: it resumes (or finishes) it.
    const saved = store.state(roomId);
    this.#state = saved && saved.status !== 'interrupted' ? { ...saved, status: 'interrupted' } : saved;
    if (saved && saved.status !== 'interrupted') this.#commit([this.#event('interrupted', null)]);
  }

  get state(): RecordingState | null { return this.#state; }

  start(by: RecordingActor, kind: RecordingKind, resume: string | undefined, recorderConnected: (peerId: string) => boolean): RecordingState {
    const s = this.#state;
    if (resume !== undefined) {
      if (!s || s.id !== resume) throw new AppError(ErrorCode.NotFound, `resume: no recording ${resume} to resume in this meeting`);
      if (s.status !== 'interrupted' && recorderConnected(s.byPeerId) && s.byPeerId !== by.id) {
        throw new AppError(ErrorCode.InvalidState, `resume: ${s.byName} is still recording`);
      }
      // Who answered keeps their answer; the new recording browser records with its own consent.
      this.#state = { ...s, status: 'recording', byPeerId: by.id, byName: by.name, part: s.part + 1, consents: { ...s.consents, [by.id]: true } };
      this.#commit([this.#event('partStarted', by), this.#event('consentGiven', by)]);
      return this.#state;
    }
    if (s) throw new AppError(ErrorCode.InvalidState, s.status === 'interrupted'
      ? 'recordingStart: an interrupted recording must be resumed or stopped first'
      : `recordingStart: ${s.byName} is already recording`);
    // Starting is the recording moderator's own consent; everyone else is asked.
    this.#state = { id: secretId(), kind, status: 'recording', byPeerId: by.id, byName: by.name, startedAt: Date.now(), part: 1, consents: { [by.id]: true } };
    this.#commit([this.#event('started', by), this.#event('consentGiven', by)]);
    return this.#state;
  }

  pause(by: RecordingActor, paused: boolean): void {
    const s = this.#running('recordingPause');
    if (s.status === 'interrupted') throw new AppError(ErrorCode.InvalidState, 'recordingPause: the recording is interrupted; resume or stop it');
    if ((s.status === 'paused') === paused) return;
    this.#state = { ...s, status: paused ? 'paused' : 'recording' };
    this.#commit([this.#event(paused ? 'paused' : 'resumed', by)]);
  }

  stop(by: RecordingActor): string {
    const s = this.#running('recordingStop');
    this.#state = null;
    this.#commit([{ ...this.#event('stopped', by), recordingId: s.id }]);
    return s.id;
  }

  consent(peer: RecordingActor, consent: boolean): void {
    const s = this.#running('recordingConsent');
    const before = s.consents[peer.id];
    if (before === consent) return;
    this.#state = { ...s, consents: { ...s.consents, [peer.id]: consent } };
    this.#commit([this.#event(consent ? 'consentGiven' : before === true ? 'consentWithdrawn' : 'consentDeclined', peer)]);
  }

  /** A participant left: their answer goes with them (a new join is asked again). */
  peerLeft(peerId: string): void {
    const s = this.#state;
    if (!s) return;
    const events: RecordingEvent[] = [];
    let next = s;
    if (s.consents[peerId] !== undefined) {
      const { [peerId]: _gone, ...rest } = s.consents;
      next = { ...next, consents: rest };
      if (s.consents[peerId]) events.push(this.#event('left', { id: peerId, name: '' }));
    }
    if (s.byPeerId === peerId && s.status !== 'interrupted') {
      next = { ...next, status: 'interrupted' };
      events.push(this.#event('interrupted', null));
    }
    if (next === s) return;
    this.#state = next;
    this.#commit(events);
  }

  events(recordingId?: string): RecordingEvent[] { return this.#store.events(this.#roomId, recordingId); }

  #running(method: string): RecordingState {
    if (!this.#state) throw new AppError(ErrorCode.InvalidState, `${method}: nothing is being recorded`);
    return this.#state;
  }

  #event(type: RecordingEventType, who: RecordingActor | null): RecordingEvent {
    return { recordingId: this.#state?.id ?? '', at: Date.now(), type, peerId: who?.id ?? null, name: who?.name || null };
  }

  /** Durable first (state and log in the store), then everyone hears of it. */
  #commit(events: RecordingEvent[]): void {
    const id = this.#state?.id;
    this.#store.commit(this.#roomId, events.map((e) => ({ ...e, recordingId: e.recordingId || id || '' })), this.#state);
    this.#announce(this.#state);
  }
}
