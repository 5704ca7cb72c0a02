// SIP for the gateway: the `sip` library parses messages and runs transactions; this
// layer adds what it lacks for a user agent server (To-tags, retransmitting 200 OK until
// the ACK, BYE towards the caller) and answers everything else plainly: OPTIONS, CANCEL,
// INFO (keypad), UPDATE, re-INVITE; 405 for methods we do not serve; 403 for sources
// outside the allowed list; 503 for INVITE floods from one address. Every callback runs
// inside try/catch: a malformed message is answered or dropped, never a crash.
import { randomBytes } from 'node:crypto';
import * as sip from 'sip';
import { logger } from '../log.js';
import { KeyedRateLimiter } from '../signaling/RateLimiter.js';

const log = logger('sip');

export interface Dialog {
  callId: string;
  localTag: string;
  /** The caller's From (with its tag): our To in requests we send. */
  remote: sip.NameAddr;
  /** Our To (with our tag): our From in requests we send. */
  local: sip.NameAddr;
  remoteTarget: string;
  localSeq: number;
  /** The caller's number (From user part), for the masked display name. */
  caller: string;
  source: string;
}

export type Answer = { ok: true; sdp: string } | { ok: false; status: number; reason: string };

export interface SipHandlers {
  /** A new call: answer with our SDP (200), or refuse with a status. */
  invite(d: Dialog, offer: string): Promise<Answer>;
  /** A refusal before ringing (an offer we cannot speak), or null to go on. */
  precheck(offer: string): Extract<Answer, { ok: false }> | null;
  reinvite(d: Dialog, offer: string): Answer;
  confirmed(d: Dialog): void;
  ended(d: Dialog, by: 'caller' | 'timeout'): void;
  info(d: Dialog, digit: string): void;
}

export interface SipServerOptions { /** Ring this long (180) before answering; 0: answer at once. */ ringMs: number; address: string; port: number; publicAddress: string; /** An IP for our Contact: peers send in-dialog requests (ACK, BYE) there. */ contactHost: string; tcp: boolean; allowedSources: string[] | null; maxCalls: number }

interface Pending { dialog: Dialog; invite: sip.SipMessage; answered: boolean; cancelled: boolean; ok: sip.SipMessage | null; timer: NodeJS.Timeout | null; tries: number }

export class SipServer {
  readonly #stack: sip.SipStack;
  readonly #opts: SipServerOptions;
  readonly #handlers: SipHandlers;
  readonly #dialogs = new Map<string, Pending>();
  /** INVITEs per source address: 2 per second, bursts of 10. */
  readonly #invites = new KeyedRateLimiter(2, 10);
  rejected = 0;

  constructor(opts: SipServerOptions, handlers: SipHandlers) {
    this.#opts = opts;
    this.#handlers = handlers;
    this.#stack = sip.create({
      address: opts.address, port: opts.port, publicAddress: opts.publicAddress, udp: true, tcp: opts.tcp,
      maxBytesHeaders: 16 * 1024, maxContentLength: 16 * 1024,
      logger: { error: (e) => log.debug('sip stack', { error: String(e) }) },
    }, (rq, remote) => {
      try { this.#onRequest(rq, remote); } catch (error) {
        log.warn('SIP request failed', { method: String(rq?.method).slice(0, 16), error: error instanceof Error ? error.message : String(error) });
        try { if (rq?.method && rq.method !== 'ACK') this.#respond(rq, 500, 'Server Internal Error'); } catch { /* unanswerable */ }
      }
    });
  }

  get calls(): number { return this.#dialogs.size; }

  #respond(rq: sip.SipMessage, status: number, reason: string, extra: Partial<sip.SipMessage['headers']> = {}, content?: string, toTag?: string): sip.SipMessage {
    const res = sip.makeResponse(rq, status, reason);
    if (toTag && !res.headers.to.params.tag) res.headers.to.params.tag = toTag;
    Object.assign(res.headers, { server: 'Thinline', ...extra });
    if (content !== undefined) { res.headers['content-type'] = 'application/sdp'; res.content = content; }
    this.#stack.send(res);
    return res;
  }

  #onRequest(rq: sip.SipMessage, remote: sip.Remote): void {
    const h = rq.headers;
    if (!rq.method || !h?.['call-id'] || !h.from || !h.to || !h.cseq || !Array.isArray(h.via) || h.via.length === 0) return; // unanswerable
    if (this.#opts.allowedSources && !this.#opts.allowedSources.includes(remote.address)) {
      this.rejected++;
      if (rq.method !== 'ACK') this.#respond(rq, 403, 'Forbidden');
      return;
    }
    const pending = this.#dialogs.get(h['call-id']);
    switch (rq.method) {
      case 'OPTIONS':
        return void this.#respond(rq, 200, 'OK', { allow: 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE', accept: 'application/sdp, application/dtmf-relay' });
      case 'INVITE':
        if (h.to.params.tag) {
          if (!pending || pending.dialog.localTag !== h.to.params.tag) return void this.#respond(rq, 481, 'Call/Transaction Does Not Exist');
          const r = this.#handlers.reinvite(pending.dialog, rq.content ?? '');
          if (!r.ok) return void this.#respond(rq, r.status, r.reason);
          return void this.#respond(rq, 200, 'OK', { contact: [{ uri: this.#contact(), params: {} }] }, r.sdp);
        }
        if (pending) return; // a retransmission the transaction layer did not absorb
        return this.#invite(rq, remote);
      case 'ACK': {
        if (!pending || pending.dialog.localTag !== h.to.params.tag) return;
        if (pending.timer) clearTimeout(pending.timer);
        pending.timer = null;
        if (!pending.answered) { pending.answered = true; this.#handlers.confirmed(pending.dialog); }
        return;
      }
      case 'BYE':
        if (!pending || pending.dialog.localTag !== h.to.params.tag) return void this.#respond(rq, 481, 'Call/Transaction Does Not Exist');
        this.#respond(rq, 200, 'OK');
        return this.#end(pending, 'caller');
      case 'CANCEL':
        if (!pending || pending.ok) return void this.#respond(rq, pending ? 200 : 481, pending ? 'OK' : 'Call/Transaction Does Not Exist');
        this.#respond(rq, 200, 'OK');
        pending.cancelled = true;
        this.#respond(pending.invite, 487, 'Request Terminated', {}, undefined, pending.dialog.localTag);
        return this.#end(pending, 'caller');
      case 'INFO': {
        if (!pending) return void this.#respond(rq, 481, 'Call/Transaction Does Not Exist');
        const m = /Signal\s*=\s*([0-9*#A-D])/i.exec(rq.content ?? '');
        this.#respond(rq, 200, 'OK');
        if (m) this.#handlers.info(pending.dialog, m[1]!.toUpperCase());
        return;
      }
      case 'UPDATE':
        return void this.#respond(rq, pending ? 200 : 481, pending ? 'OK' : 'Call/Transaction Does Not Exist');
      default:
        return void this.#respond(rq, 405, 'Method Not Allowed', { allow: 'INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, UPDATE' });
    }
  }

  #contact(): string { return `sip:thinline@${this.#opts.contactHost}:${this.#opts.port}`; }

  #invite(rq: sip.SipMessage, remote: sip.Remote): void {
    if (!this.#invites.take(remote.address)) { this.rejected++; return void this.#respond(rq, 503, 'Service Unavailable', { 'retry-after': 5 }); }
    if (this.#dialogs.size >= this.#opts.maxCalls) return void this.#respond(rq, 486, 'Busy Here');
    const contact = Array.isArray(rq.headers.contact) ? rq.headers.contact[0]?.uri : undefined;
    let caller = '';
    try { caller = sip.parseUri(rq.headers.from.uri)?.user ?? ''; } catch { /* anonymous */ }
    const localTag = randomBytes(6).toString('hex');
    const dialog: Dialog = {
      callId: rq.headers['call-id'], localTag, remote: rq.headers.from,
      local: { ...rq.headers.to, params: { ...rq.headers.to.params, tag: localTag } },
      remoteTarget: contact ?? rq.headers.from.uri, localSeq: Math.floor(Math.random() * 10_000), caller: caller.replace(/[^0-9+]/g, '').slice(0, 20), source: remote.address,
    };
    const refused = this.#handlers.precheck(rq.content ?? '');
    if (refused) return void this.#respond(rq, refused.status, refused.reason, {}, undefined, localTag);
    const pending: Pending = { dialog, invite: rq, answered: false, cancelled: false, ok: null, timer: null, tries: 0 };
    this.#dialogs.set(dialog.callId, pending);
    this.#respond(rq, 100, 'Trying');
    const ring = this.#opts.ringMs > 0
      ? new Promise<void>((resolve) => { this.#respond(rq, 180, 'Ringing', {}, undefined, localTag); setTimeout(resolve, this.#opts.ringMs); })
      : Promise.resolve();
    ring.then(() => (pending.cancelled ? { ok: false as const, status: 487, reason: 'Request Terminated' } : this.#handlers.invite(dialog, rq.content ?? ''))).then((r) => {
      if (pending.cancelled || !this.#dialogs.has(dialog.callId)) return;
      if (!r.ok) {
        this.#dialogs.delete(dialog.callId);
        return void this.#respond(rq, r.status, r.reason, {}, undefined, localTag);
      }
      pending.ok = this.#respond(rq, 200, 'OK', { contact: [{ uri: this.#contact(), params: {} }] }, r.sdp, localTag);
      // RFC 3261 13.3.1.4: resend the 200 until the ACK comes (T1 doubling to T2), 32 s at most.
      const again = (t: number) => {
        pending.timer = setTimeout(() => {
          if (++pending.tries > 10) { pending.timer = null; this.bye(dialog); return this.#end(pending, 'timeout'); }
          try { this.#stack.send(pending.ok!); } catch { /* transaction gone */ }
          again(Math.min(t * 2, 4000));
        }, t);
      };
      again(500);
    }, (error: unknown) => {
      this.#dialogs.delete(dialog.callId);
      log.warn('could not answer a call', { error: String(error) });
      this.#respond(rq, 500, 'Server Internal Error', {}, undefined, localTag);
    });
  }

  #end(p: Pending, by: 'caller' | 'timeout'): void {
    if (!this.#dialogs.delete(p.dialog.callId)) return;
    if (p.timer) clearTimeout(p.timer);
    this.#handlers.ended(p.dialog, by);
  }

  /** Sends a request outside any call (REGISTER to a trunk). */
  request(rq: sip.SipMessage, onResponse: (rs: sip.SipMessage) => void): void { this.#stack.send(rq, onResponse); }

  get contact(): string { return this.#contact(); }

  /** We hang up (wrong PIN three times, removed, meeting ended). */
  bye(d: Dialog): void {
    const p = this.#dialogs.get(d.callId);
    if (p) { if (p.timer) clearTimeout(p.timer); this.#dialogs.delete(d.callId); }
    try {
      this.#stack.send({
        method: 'BYE', uri: d.remoteTarget,
        headers: { to: d.remote, from: d.local, 'call-id': d.callId, cseq: { method: 'BYE', seq: ++d.localSeq }, via: [], 'max-forwards': 70 } as unknown as sip.SipMessage['headers'],
      });
    } catch (error) {
      log.debug('BYE could not be sent', { error: String(error) });
    }
  }

  /**
   * Shutdown: the sockets close at once. No BYE is sent: its retransmission timers would
   * outlive the socket; callers notice the silence (and their session timers) instead.
   */
  close(): void {
    for (const p of this.#dialogs.values()) if (p.timer) clearTimeout(p.timer);
    this.#dialogs.clear();
    try { this.#stack.destroy?.(); } catch { /* already closed */ }
  }
}
