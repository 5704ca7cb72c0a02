// One telephone call: the voice menu, then the caller as a full member of the meeting.
// The caller goes through exactly the paths a browser does (join via the waiting room,
// mute, hand, ballots), with a session of its own and `channel: 'phone'`; only the media
// differ: plain RTP transports to the gateway's media thread instead of WebRTC.
import type { types } from 'mediasoup';
import { AppError } from '../errors.js';
import type { Method, MotionView, Notification, RequestData, ResponseData } from '../../../protocol/index.js';
import { logger } from '../log.js';
import { consume, produce, setupConsumer } from '../media/produce.js';
import { handlers } from '../signaling/dispatch.js';
import type { AppRegistry, AppRoom, HandlerContext } from '../signaling/context.js';
import type { Peer } from '../domain/Peer.js';
import { secretEquals } from '../domain/secrets.js';
import { initialIvr, ivrStep, type IvrAction, type IvrState, type Prompt } from './ivr.js';
import type { MediaThread } from './MediaThread.js';
import type { FromMedia } from './media-protocol.js';
import { PROMPTS } from './prompts.js';
import type { Negotiated } from './sdp.js';
import type { Dialog } from './SipServer.js';
import type { Speech } from './speech.js';

const log = logger('phone');
const OPUS_PT = 100;
const RTP_TIMEOUT_MS = 30_000;

export interface CallDeps {
  registry: AppRegistry;
  media: MediaThread;
  speech: Speech;
  hangup: (d: Dialog) => void;
  /** Failed PIN attempts are counted per caller number and per source address. */
  attempts: { blocked(keys: string[]): boolean; failed(keys: string[]): void };
  graceMs: number;
  phoneNumber: string | undefined;
  onStats?: (callId: string, stats: Extract<FromMedia, { type: 'stats' }>['stats']) => void;
}

/** "Phone …1234": the number masked, as the participant list shows it. */
export function phoneName(caller: string): string {
  const digits = caller.replace(/\D/g, '');
  return digits.length >= 4 ? `Phone …${digits.slice(-4)}` : 'Phone';
}

export class PhoneCall {
  readonly dialog: Dialog;
  readonly #deps: CallDeps;
  readonly #negotiated: Negotiated;
  #ivr: IvrState;
  #ctx: HandlerContext | null = null;
  #transports: types.Transport[] = [];
  #producerId: string | null = null;
  #muted = true;
  #hand = false;
  readonly #sources = new Map<string, { ssrc: number; payloadType: number }>(); // consumerId -> stream
  #hangupAfterPrompt = false;
  #closed = false;
  #unlisten: () => void = () => undefined;
  #roomPort = 0;
  #lastRtpIn = 0;
  #silentSince = Date.now();
  /** Where the phone sends its RTP (our side), for re-INVITE answers. */
  phonePort = 0;
  /** Commands seen (tests and the bench read them). */
  readonly events: string[] = [];

  constructor(dialog: Dialog, negotiated: Negotiated, deps: CallDeps) {
    this.dialog = dialog;
    this.#negotiated = negotiated;
    this.#deps = deps;
    this.#ivr = initialIvr().state;
  }

  get peer(): Peer | null { return this.#ctx?.session.peer ?? null; }
  get state(): IvrState['step'] { return this.#ivr.step; }

  /** Opens the media sockets; returns the port the phone sends RTP to. */
  async open(bindIp: string): Promise<number> {
    const n = this.#negotiated;
    const { phonePort, roomPort } = await this.#deps.media.open({ type: 'open', callId: this.dialog.callId, codec: n.codec, payloadType: n.payloadType, dtmfPayloadType: n.dtmfPayloadType, remote: { ip: n.remoteIp, port: n.remotePort }, bindIp });
    this.#roomPort = roomPort;
    this.phonePort = phonePort;
    this.#unlisten = this.#deps.media.listen(this.dialog.callId, (m) => this.#onMedia(m));
    return phonePort;
  }

  /** The caller's ACK came: the menu starts. */
  start(): void {
    if (this.#deps.attempts.blocked(this.#keys())) {
      this.#hangupAfterPrompt = true;
      return void this.#play('tooMany');
    }
    this.#apply(initialIvr().actions);
  }

  digit(d: string): void {
    if (this.#closed) return;
    this.events.push(`digit:${d}`);
    const r = ivrStep(this.#ivr, { type: 'digit', digit: d });
    this.#ivr = r.state;
    this.#apply(r.actions);
  }

  #keys(): string[] { return [`src:${this.dialog.source}`, ...(this.dialog.caller ? [`num:${this.dialog.caller}`] : [])]; }

  #apply(actions: IvrAction[]): void {
    for (const a of actions) {
      switch (a.type) {
        case 'play': this.#play(a.prompt); break;
        case 'hangup': this.#hangupAfterPrompt = true; break;
        case 'check': void this.#check(a.room, a.pin); break;
        case 'command': void this.#command(a.command); break;
        case 'vote': void this.#vote(a.choice); break;
      }
    }
  }

  #play(prompt: Prompt, interrupt = true): void {
    const lang = this.#ivr.lang;
    void this.#deps.speech.say(lang, PROMPTS[lang][prompt]).then((pcm) => this.#deps.media.post({ type: 'play', callId: this.dialog.callId, pcm, interrupt }));
  }

  #say(text: string): void {
    void this.#deps.speech.say(this.#ivr.lang, text).then((pcm) => this.#deps.media.post({ type: 'play', callId: this.dialog.callId, pcm, interrupt: false }));
  }

  async #check(dialInId: string, pin: string): Promise<void> {
    const room = this.#deps.registry.byDialIn(dialInId);
    const blocked = this.#deps.attempts.blocked(this.#keys());
    const ok = !blocked && room !== undefined && secretEquals(pin, room.record.dialInPin);
    if (!ok) this.#deps.attempts.failed(this.#keys());
    this.events.push(ok ? 'pin:ok' : 'pin:wrong');
    const r = ivrStep(this.#ivr, { type: 'checked', ok });
    this.#ivr = r.state;
    this.#apply(r.actions);
    if (ok && room) await this.#join(room).catch((e: unknown) => this.#fail(e));
  }

  async #request<M extends Method>(method: M, data: RequestData<M>): Promise<ResponseData[M]> {
    const h = handlers[method] as (ctx: HandlerContext, d: RequestData<M>) => Promise<ResponseData[M]> | ResponseData[M];
    return h(this.#ctx!, data);
  }

  async #join(room: AppRoom, ticket?: string): Promise<void> {
    this.#ctx ??= {
      registry: this.#deps.registry, graceMs: this.#deps.graceMs, videoCodec: 'vp8', channel: 'phone', phoneNumber: this.#deps.phoneNumber,
      session: { room: null, peer: null, waiting: null, link: { send: (n) => this.#onNotification(room, n), replaced: () => this.hangup() } },
    };
    const caps = await this.#deps.registry.rtpCapabilities();
    const audioOnly = { ...caps, codecs: (caps.codecs ?? []).filter((c) => c.mimeType.toLowerCase() === 'audio/opus') };
    const reply = await this.#request('join', { roomId: room.id, name: phoneName(this.dialog.caller), rtpCapabilities: audioOnly as never, ...(ticket ? { ticket } : {}) });
    if (reply.status === 'waiting') { this.events.push('waiting'); return this.#play('waiting'); }
    this.events.push('joined');
    await this.#enterMedia(room);
    this.#play('admitted');
    if (room.recording.state && room.recording.state.status !== 'interrupted') this.#play('recording', false);
  }

  async #enterMedia(room: AppRoom): Promise<void> {
    const peer = this.peer!;
    const { router } = await room.media();
    const listenIp = { ip: '127.0.0.1' };
    // Into the room: the caller's voice as Opus, sent by the media thread (comedia: we learn its port).
    const send = await router.createPlainTransport({ listenIp, rtcpMux: true, comedia: true, appData: { direction: 'send' } });
    const recv = await router.createPlainTransport({ listenIp, rtcpMux: true, comedia: false, appData: { direction: 'recv' } });
    this.#transports = [send, recv];
    peer.once('close', () => { for (const t of this.#transports) t.close(); });
    const ssrc = (Math.random() * 0xffffffff) >>> 0;
    const { producerId } = await produce(room, peer, {
      transportId: send.id, kind: 'audio', source: 'mic', paused: true,
      rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: OPUS_PT, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 }, rtcpFeedback: [] }], encodings: [{ ssrc }], headerExtensions: [], rtcp: { cname: `phone-${peer.id}` } } as never,
    }, send);
    this.#producerId = producerId;
    this.#deps.media.post({ type: 'producer', callId: this.dialog.callId, target: { ip: send.tuple.localIp, port: send.tuple.localPort }, ssrc, payloadType: OPUS_PT });
    await recv.connect({ ip: '127.0.0.1', port: this.#roomPort });
    // Out of the room: everyone else's microphone (never our own: mix-minus).
    for (const other of room.peers.values()) {
      if (other.id === peer.id) continue;
      for (const p of other.producers.values()) if (p.kind === 'audio') await this.#consume(room, p.id);
    }
  }

  async #consume(room: AppRoom, producerId: string): Promise<void> {
    const peer = this.peer;
    const recv = this.#transports[1];
    if (!peer || !recv || recv.closed) return;
    try {
      const { consumer, producer } = await consume(room, peer, recv.id, producerId, recv);
      setupConsumer(room, peer, consumer, producer);
      consumer.observer.once('close', () => this.#dropSource(consumer.id));
      await consumer.resume();
      const enc = consumer.rtpParameters.encodings?.[0];
      const codec = consumer.rtpParameters.codecs[0];
      if (enc?.ssrc && codec) {
        this.#sources.set(consumer.id, { ssrc: enc.ssrc, payloadType: codec.payloadType });
        this.#syncSources();
      }
    } catch (error) {
      log.debug('phone could not consume', { error: error instanceof Error ? error.message : String(error) });
    }
  }

  #dropSource(consumerId: string): void {
    if (this.#sources.delete(consumerId)) this.#syncSources();
  }

  #syncSources(): void {
    this.#deps.media.post({ type: 'sources', callId: this.dialog.callId, sources: [...this.#sources.values()] });
  }

  #onNotification(room: AppRoom, n: Notification): void {
    if (this.#closed) return;
    switch (n.notification) {
      case 'admitted': void this.#join(room, n.data.ticket).catch((e: unknown) => this.#fail(e)); return;
      case 'rejected': this.#hangupAfterPrompt = true; this.#play('rejected'); return;
      case 'removed': case 'roomClosed': this.#hangupAfterPrompt = true; this.#play('ended'); return;
      case 'newProducer': if (n.data.producer.kind === 'audio') void this.#consume(room, n.data.producer.id); return;
      case 'mutedByChair':
        this.#muted = true;
        this.events.push('mutedByChair');
        this.#play('muted');
        return;
      case 'motion': {
        const m = n.data.motion;
        if (m.state === 'open' && m.eligibleMe && !m.votedMe && !this.#announced.has(m.id)) {
          this.#announced.add(m.id);
          this.events.push('motionAnnounced');
          this.#say(`${this.#ivr.lang === 'de' ? 'Abstimmung' : 'Vote'}: ${m.title}. ${this.#optionsText(m)}`);
        }
        return;
      }
      default:
    }
  }

  readonly #announced = new Set<string>();

  #optionsText(m: MotionView): string {
    const de = this.#ivr.lang === 'de';
    if (m.type === 'election') return m.options.map((o, i) => `${de ? 'Für' : 'For'} ${o} ${de ? 'drücken Sie' : 'press'} ${i + 1}.`).join(' ');
    const words = de ? ['Ja', 'Nein', 'Enthaltung'] : ['yes', 'no', 'abstain'];
    return m.options.map((_, i) => `${i + 1}: ${words[i] ?? ''}.`).join(' ');
  }

  async #command(c: 'mute' | 'hand' | 'help'): Promise<void> {
    this.events.push(`command:${c}`);
    if (!this.#ctx?.session.peer) return;
    try {
      if (c === 'help') return this.#play('help');
      if (c === 'hand') {
        this.#hand = !this.#hand;
        await this.#request('raiseHand', { raised: this.#hand });
        return this.#play(this.#hand ? 'handUp' : 'handDown');
      }
      if (!this.#producerId) return;
      await this.#request('setProducerPaused', { producerId: this.#producerId, paused: !this.#muted });
      this.#muted = !this.#muted;
      this.events.push(this.#muted ? 'muted' : 'unmuted');
      this.#play(this.#muted ? 'muted' : 'unmuted');
    } catch (error) {
      if (error instanceof AppError && error.code === 'forbidden' && c === 'mute') { this.events.push('unmuteRefused'); return this.#play('unmuteRefused'); }
      log.debug('phone command failed', { command: c, error: String(error) });
    }
  }

  async #vote(choice: number): Promise<void> {
    const room = this.#ctx?.session.room;
    const peer = this.#ctx?.session.peer;
    if (!room || !peer) return;
    const m = room.votes.all().map((x) => x.view(peer.id)).filter((v) => v.state === 'open' && v.eligibleMe && !v.votedMe).at(-1);
    // Nothing to vote on for this caller (none open, already voted, not eligible, no such option).
    if (!m || choice > m.options.length) { this.events.push('vote:none'); return this.#play('voteRefused'); }
    try {
      const token = m.kind === 'secret' ? (await this.#request('ballotToken', { motionId: m.id })).token : undefined;
      await this.#request('ballotCast', { motionId: m.id, choices: [choice - 1], ...(token ? { token } : {}) });
      this.events.push(`vote:${choice}`);
      this.#play('voteRecorded');
    } catch (error) {
      this.events.push('vote:refused');
      log.debug('phone ballot refused', { error: String(error) });
      this.#play('voteRefused');
    }
  }

  #onMedia(m: FromMedia): void {
    if (m.type === 'digit') this.digit(m.digit);
    else if (m.type === 'promptDone' && this.#hangupAfterPrompt) this.hangup();
    else if (m.type === 'stats') {
      this.#deps.onStats?.(this.dialog.callId, m.stats);
      // A phone that vanished without BYE (network gone): after 30 s without RTP, hang up.
      if (m.stats.rtpIn !== this.#lastRtpIn) { this.#lastRtpIn = m.stats.rtpIn; this.#silentSince = Date.now(); }
      else if (Date.now() - this.#silentSince > RTP_TIMEOUT_MS) { log.info('phone call without RTP, hanging up'); this.hangup(); }
    }
    else if (m.type === 'error') log.warn('phone media error', { error: m.message });
  }

  #fail(error: unknown): void {
    log.warn('phone call failed', { error: error instanceof Error ? error.message : String(error) });
    this.#hangupAfterPrompt = true;
    this.#play('ended');
  }

  /** We end the call (BYE), then clean up. */
  hangup(): void {
    if (this.#closed) return;
    this.#deps.hangup(this.dialog);
    this.close();
  }

  /** The call is over (either side): leave the meeting, free the media. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ctx) void Promise.resolve(this.#request('leave', {})).catch(() => undefined);
    for (const t of this.#transports) t.close();
    this.#deps.media.post({ type: 'close', callId: this.dialog.callId });
    this.#unlisten();
  }
}
