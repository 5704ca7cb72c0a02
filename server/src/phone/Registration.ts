// Registering with a SIP trunk or PBX (optional): REGISTER with our Contact, answering a
// digest challenge (401/407) with the configured credentials, refreshed before it expires
// and retried with backoff when the registrar is unreachable. Credentials never reach logs.
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import type * as sip from 'sip';
import { logger } from '../log.js';

const log = logger('sip');
const digest = createRequire(import.meta.url)('sip/digest.js') as {
  signRequest(ctx: object | null, rq: sip.SipMessage, rs: sip.SipMessage, creds: { user: string; password: string }): object | null;
};

export interface TrunkConfig { registrar: string; user: string; password: string; domain: string; expiresS: number }

export class Registration {
  registered = false;
  lastStatus = 0;
  readonly #send: (rq: sip.SipMessage, cb: (rs: sip.SipMessage) => void) => void;
  readonly #cfg: TrunkConfig;
  readonly #contact: string;
  readonly #callId = `${randomBytes(8).toString('hex')}@thinline`;
  readonly #tag = randomBytes(6).toString('hex');
  #seq = 1;
  #timer: NodeJS.Timeout | null = null;
  #failures = 0;
  #stopped = false;

  constructor(send: (rq: sip.SipMessage, cb: (rs: sip.SipMessage) => void) => void, cfg: TrunkConfig, contact: string) {
    this.#send = send;
    this.#cfg = cfg;
    this.#contact = contact;
  }

  start(): void { this.#register(null); }

  #request(): sip.SipMessage {
    const aor = `sip:${this.#cfg.user}@${this.#cfg.domain}`;
    return {
      method: 'REGISTER', uri: this.#cfg.registrar,
      headers: {
        to: { uri: aor, params: {} }, from: { uri: aor, params: { tag: this.#tag } }, 'call-id': this.#callId,
        cseq: { method: 'REGISTER', seq: this.#seq++ }, contact: [{ uri: this.#contact, params: { expires: String(this.#cfg.expiresS) } }],
        via: [], 'max-forwards': 70, expires: this.#cfg.expiresS,
      } as unknown as sip.SipMessage['headers'],
    };
  }

  #register(challenge: sip.SipMessage | null): void {
    if (this.#stopped) return;
    const rq = this.#request();
    if (challenge) digest.signRequest(null, rq, challenge, { user: this.#cfg.user, password: this.#cfg.password });
    try {
      this.#send(rq, (rs) => {
        if (this.#stopped || (rs.status ?? 0) < 200) return;
        this.lastStatus = rs.status ?? 0;
        if ((rs.status === 401 || rs.status === 407) && !challenge) return this.#register(rs);
        if (rs.status === 200) {
          this.registered = true;
          this.#failures = 0;
          const expires = Number(rs.headers.expires ?? this.#cfg.expiresS) || this.#cfg.expiresS;
          log.info('registered with the SIP trunk', { registrar: this.#cfg.registrar, expiresS: expires });
          return this.#schedule(Math.max(10, expires * 0.8) * 1000);
        }
        this.registered = false;
        log.warn('SIP trunk refused the registration', { status: rs.status });
        this.#retry();
      });
    } catch (error) {
      log.warn('SIP trunk registration failed', { error: String(error) });
      this.#retry();
    }
  }

  #retry(): void { this.#schedule(Math.min(300_000, 5000 * 2 ** this.#failures++)); }

  #schedule(ms: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#register(null), ms);
    this.#timer.unref();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
  }
}
