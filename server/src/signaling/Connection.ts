// One signaling socket. Frames are checked in this order, each failure answered with an
// error code and nothing else happening: rate limit (every frame costs a token, even an
// oversized one), size, binary, JSON, schema, then the handler. Requests run one at a
// time per socket, so a client sees its own effects in order.
//
// Bounded: a socket that never joins is closed after the join timeout; one that keeps
// sending frames we refuse is closed (1008); one that does not read what we send is
// closed as too slow (4002) and its client resumes with a fresh snapshot.
import { CloseCode, ErrorCode, MAX_MESSAGE_BYTES, parseRequest, type ErrorBody, type Notification, type Request, type Response } from '../../../protocol/index.js';
import { logger } from '../log.js';
import type { AppRegistry as RoomRegistry } from './context.js';
import type { PeerLink } from '../domain/Peer.js';
import { AppError } from '../errors.js';
import type { HandlerContext, Session } from './context.js';
import type { RecordingServices } from '../recording/services.js';
import { handlers } from './dispatch.js';
import { RateLimiter } from './RateLimiter.js';

const log = logger('signaling');
const decoder = new TextDecoder('utf-8', { fatal: true });
/**
 * Refused frames (rate limit, size, JSON, schema) a socket may send before it is closed:
 * 50 at once, 5/s after. A buggy client that bursts is told to slow down; a client that
 * keeps flooding is cut off.
 */
const STRIKE_BURST = 50;
const STRIKES_PER_SECOND = 5;

export interface Transmitter {
  /** Queues `text`; returns the bytes still waiting to be written to this socket. */
  send(text: string): number;
  close(code: number, reason: string): void;
}

export interface ConnectionOptions {
  registry: RoomRegistry;
  graceMs: number;
  rateLimit: { perSecond: number; burst: number };
  videoCodec: 'vp8' | 'vp9';
  recordings?: RecordingServices | undefined;
  phoneNumber?: string | undefined;
  joinTimeoutMs?: number;
  /** Queued bytes above which the socket counts as not reading (closed, client resumes). */
  maxBackpressureBytes?: number;
}

export class Connection implements PeerLink {
  readonly #tx: Transmitter;
  readonly #limiter: RateLimiter;
  readonly #strikes = new RateLimiter(STRIKES_PER_SECOND, STRIKE_BURST);
  readonly #ctx: HandlerContext;
  readonly #maxBackpressure: number;
  #joinTimer: NodeJS.Timeout | null = null;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(tx: Transmitter, options: ConnectionOptions) {
    this.#tx = tx;
    this.#limiter = new RateLimiter(options.rateLimit.perSecond, options.rateLimit.burst);
    this.#maxBackpressure = options.maxBackpressureBytes ?? 1024 * 1024;
    const session: Session = { room: null, peer: null, waiting: null, link: this };
    this.#ctx = {
      registry: options.registry, session, graceMs: options.graceMs, videoCodec: options.videoCodec, recordings: options.recordings, phoneNumber: options.phoneNumber,
      onJoined: () => this.#stopJoinTimer(),
    };
    if (options.joinTimeoutMs) {
      this.#joinTimer = setTimeout(() => {
        if (!this.#ctx.session.peer && !this.#ctx.session.waiting) this.#end(CloseCode.JoinTimeout, `join_timeout: no join within ${options.joinTimeoutMs} ms`);
      }, options.joinTimeoutMs);
      this.#joinTimer.unref();
    }
  }

  get session(): Session { return this.#ctx.session; }

  onMessage(data: ArrayBuffer, isBinary: boolean): void {
    if (this.#closed) return;
    if (!this.#limiter.take()) {
      return this.#refuse(peekId(data), ErrorCode.RateLimited, 'too many messages: slow down (10/s, bursts of 30)');
    }
    if (data.byteLength > MAX_MESSAGE_BYTES) {
      return this.#refuse(null, ErrorCode.MessageTooLarge, `message is ${data.byteLength} bytes, limit is ${MAX_MESSAGE_BYTES}`);
    }
    if (isBinary) return this.#refuse(null, ErrorCode.BadRequest, 'binary frames are not accepted: send JSON text');
    let raw: unknown;
    try {
      raw = JSON.parse(decoder.decode(data));
    } catch {
      return this.#refuse(null, ErrorCode.BadJson, 'message is not valid UTF-8 JSON');
    }
    const parsed = parseRequest(raw);
    if (!parsed.ok) return this.#refuse(parsed.id, parsed.error.code, parsed.error.message);
    this.#queue = this.#queue.then(() => this.#dispatch(parsed.request));
  }

  async #dispatch(request: Request): Promise<void> {
    try {
      const handler = handlers[request.method] as (ctx: HandlerContext, data: Request['data']) => unknown;
      const data = (await handler(this.#ctx, request.data)) as Extract<Response, { ok: true }>['data'];
      this.#reply({ id: request.id, ok: true, data });
    } catch (error) {
      if (error instanceof AppError) return this.#error(request.id, error.code, error.message);
      log.error('handler failed', { method: request.method, error: error instanceof Error ? error.stack : String(error) });
      this.#error(request.id, ErrorCode.Internal, `${request.method} failed on the server`);
    }
  }

  /** A frame we will not process: answered, and counted; too many in a row end the socket. */
  #refuse(id: number | null, code: ErrorBody['code'], message: string): void {
    this.#error(id, code, message);
    if (!this.#strikes.take()) this.#end(CloseCode.PolicyViolation, `policy_violation: too many refused messages (last: ${code})`);
  }

  #error(id: number | null, code: ErrorBody['code'], message: string): void {
    this.#reply({ id, ok: false, error: { code, message } });
  }

  #reply(response: Response): void {
    this.#write(JSON.stringify(response));
  }

  send(message: Notification): void {
    this.#write(JSON.stringify(message));
  }

  #write(text: string): void {
    if (this.#closed) return;
    // Never drop a control message silently: a socket that cannot keep up is closed, and
    // its client resumes and receives the whole state again.
    if (this.#tx.send(text) > this.#maxBackpressure) {
      this.#end(CloseCode.TooSlow, `too_slow: more than ${this.#maxBackpressure} bytes unread`);
    }
  }

  #end(code: number, reason: string): void {
    if (this.#closed) return;
    log.info('closing socket', { code, reason });
    this.#tx.close(code, reason);
  }

  #stopJoinTimer(): void {
    if (this.#joinTimer) clearTimeout(this.#joinTimer);
    this.#joinTimer = null;
  }

  replaced(): void {
    this.#ctx.session.peer = null;
    this.#ctx.session.room = null;
    if (!this.#closed) this.#tx.close(CloseCode.Replaced, 'session resumed on another connection');
  }

  /**
   * The socket is gone. A deliberate close (1000/1001, or 1005 without a code) is a leave:
   * the participant list is the attendance record and must be true now. Anything else
   * (1006: no close frame; our own 4002) may be a network drop: the peer stays for the
   * grace period so it can resume unnoticed.
   */
  onClose(code: number): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopJoinTimer();
    const waiting = this.#ctx.session.waiting;
    if (waiting) {
      // Gone from the waiting room: moderators stop seeing them.
      this.#ctx.session.waiting = null;
      if (waiting.room.meeting.lobby.remove(waiting.id)) waiting.room.meeting.announceLobby();
    }
    const peer = this.#ctx.session.peer;
    if (!peer) return;
    if (code === CloseCode.Normal || code === CloseCode.GoingAway || code === 1005) peer.close();
    else peer.detach(this, this.#ctx.graceMs);
  }
}

/** Best-effort request id of a frame we will not fully process. */
function peekId(data: ArrayBuffer): number | null {
  const head = new TextDecoder().decode(data.slice(0, 64));
  const m = /"id"\s*:\s*(\d{1,10})/.exec(head);
  return m ? Number(m[1]) : null;
}
