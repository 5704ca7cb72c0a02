// The phone gateway: SIP signaling (SipServer), the media thread, spoken prompts, and one
// PhoneCall per caller. It lives in the server process for the embedded default, and
// talks to rooms only through the registry and the ordinary request handlers, so it can
// move into a process of its own (joined by pipe transports) later.
import { join } from 'node:path';
import type { AppRegistry } from '../signaling/context.js';
import { logger } from '../log.js';
import { KeyedRateLimiter } from '../signaling/RateLimiter.js';
import { MediaThread } from './MediaThread.js';
import type { CallStats } from './media-protocol.js';
import { PhoneCall } from './PhoneCall.js';
import { freeSipPort, tcpPortFree } from './ports.js';
import { PROMPTS } from './prompts.js';
import { answer, negotiate } from './sdp.js';
import { SipServer, type Dialog } from './SipServer.js';
import { Speech } from './speech.js';
import { Registration, type TrunkConfig } from './Registration.js';

const log = logger('phone');
/** Where `npm run build` leaves the spoken prompts (scripts/prompts.ts). */
export const PREBUILT_PROMPTS = join(import.meta.dirname, '../../../dist/prompts');

export interface PhoneConfig {
  /** SIP port (UDP and TCP); 0 picks a free one (tests). */
  port: number;
  host: string;
  /** The name in our Via and Contact (what the PBX reaches us at). */
  publicAddress: string;
  /** The IP in our SDP (where the phone sends its RTP). */
  mediaAddress: string;
  /** The number shown with invitations (display only). */
  number: string | undefined;
  /** Only these source addresses may send SIP (the PBX or trunk); null: anyone. */
  allowedSources: string[] | null;
  maxCalls: number;
  tcp: boolean;
  /** Ring before answering (ms); 0 answers at once. */
  ringMs: number;
  /** Register with a trunk or PBX (optional). */
  trunk: TrunkConfig | null;
}

/** Failed PIN entries: 5 per 10 minutes per caller number and per source address. */
class Attempts {
  readonly #failures = new KeyedRateLimiter(5 / 600, 5);
  blocked(keys: string[]): boolean { return keys.some((k) => !this.#failures.available(k)); }
  failed(keys: string[]): void { for (const k of keys) this.#failures.take(k); }
}

export class PhoneGateway {
  readonly config: PhoneConfig;
  readonly calls = new Map<string, PhoneCall>();
  readonly stats = new Map<string, CallStats>();
  readonly #sip: SipServer;
  readonly #media: MediaThread;
  readonly #speech: Speech;
  registration: Registration | null = null;

  private constructor(config: PhoneConfig, registry: AppRegistry, opts: { dataDir: string; graceMs: number }) {
    this.config = config;
    this.#media = new MediaThread();
    this.#speech = new Speech(join(opts.dataDir, 'prompts'), PREBUILT_PROMPTS);
    const attempts = new Attempts();
    this.#sip = new SipServer({ address: config.host, port: config.port, publicAddress: config.publicAddress, contactHost: config.mediaAddress, ringMs: config.ringMs, tcp: config.tcp, allowedSources: config.allowedSources, maxCalls: config.maxCalls }, {
      invite: async (d, offer) => {
        const n = negotiate(offer);
        if (!n.ok) { log.info('call refused', { reason: n.reason }); return { ok: false, status: 488, reason: 'Not Acceptable Here' }; }
        const call = new PhoneCall(d, n.media, {
          registry, media: this.#media, speech: this.#speech, attempts, graceMs: opts.graceMs, phoneNumber: config.number,
          hangup: (dialog) => { this.#sip.bye(dialog); this.calls.delete(dialog.callId); },
          onStats: (id, s) => this.stats.set(id, s),
        });
        this.calls.set(d.callId, call);
        try {
          const port = await call.open(config.host);
          return { ok: true, sdp: answer(n.media, config.mediaAddress, port, Math.floor(Date.now() / 1000)) };
        } catch (error) {
          this.calls.delete(d.callId);
          call.close();
          throw error;
        }
      },
      precheck: (offer) => (negotiate(offer).ok ? null : { ok: false, status: 488, reason: 'Not Acceptable Here' }),
      reinvite: (d, offer) => {
        const n = negotiate(offer);
        const call = this.calls.get(d.callId);
        if (!n.ok || !call) return { ok: false, status: 488, reason: 'Not Acceptable Here' };
        return { ok: true, sdp: answer(n.media, config.mediaAddress, call.phonePort, Math.floor(Date.now() / 1000)) };
      },
      confirmed: (d) => this.calls.get(d.callId)?.start(),
      ended: (d: Dialog) => { this.calls.get(d.callId)?.close(); this.calls.delete(d.callId); },
      info: (d, digit) => this.calls.get(d.callId)?.digit(digit),
    });
    log.info('phone gateway listening', { host: config.host, port: config.port, tcp: config.tcp });
    if (config.trunk) {
      this.registration = new Registration((rq, cb) => this.#sip.request(rq, cb), config.trunk, this.#sip.contact);
      this.registration.start();
    }
  }

  static async start(config: PhoneConfig, registry: AppRegistry, opts: { dataDir: string; graceMs: number }): Promise<PhoneGateway> {
    const port = config.port === 0 ? await freeSipPort(config.host, config.tcp) : config.port;
    // A taken TCP port would fail inside the SIP stack, where no handler can catch it.
    if (config.port !== 0 && config.tcp && !(await tcpPortFree(config.host, port))) throw new Error(`phone: SIP port ${config.host}:${port} is already in use for TCP (THINLINE_SIP_PORT)`);
    const gw = new PhoneGateway({ ...config, port }, registry, opts);
    // Every fixed prompt is spoken once now (cached on disk), so the first caller waits for nothing.
    await Promise.all((['de', 'en'] as const).flatMap((lang) => Object.values(PROMPTS[lang]).map((text) => gw.#speech.say(lang, text))));
    return gw;
  }

  /** For /api/metrics and the bench: calls and their media counters (no numbers, no names). */
  metrics(): { calls: number; registered: boolean | null; media: CallStats[] } {
    return { calls: this.calls.size, registered: this.registration?.registered ?? null, media: [...this.calls.keys()].map((id) => this.stats.get(id)).filter((s): s is CallStats => s !== undefined) };
  }

  /** Calls that reached a given point (tests). */
  call(predicate: (c: PhoneCall) => boolean): PhoneCall | undefined {
    for (const c of this.calls.values()) if (predicate(c)) return c;
    return undefined;
  }

  close(): void {
    for (const c of this.calls.values()) c.close();
    this.calls.clear();
    this.registration?.stop();
    this.#sip.close();
    this.#media.close();
  }
}
