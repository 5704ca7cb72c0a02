// One signaling socket. Frames are checked in this order, each failure answered with an
// error code and nothing else happening: binary/size, rate limit, JSON, schema, then the
// handler. Requests run one at a time per socket, so a client sees its own effects in order.
import { ErrorCode, MAX_MESSAGE_BYTES, parseRequest, type ErrorBody, type Notification, type Request, type Response } from '../../../protocol/messages.js';
import { logger } from '../log.js';
import type { RoomRegistry } from '../domain/RoomRegistry.js';
import type { PeerLink } from '../domain/Peer.js';
import { SignalingError } from './errors.js';
import { handlers, type HandlerContext, type Session } from './handlers.js';
import { RateLimiter } from './RateLimiter.js';

const log = logger('signaling');
const decoder = new TextDecoder('utf-8', { fatal: true });

export interface Transmitter {
  send(text: string): void;
  close(code: number, reason: string): void;
}

export interface ConnectionOptions {
  registry: RoomRegistry;
  graceMs: number;
  rateLimit: { perSecond: number; burst: number };
  videoCodec: 'vp8' | 'vp9';
}

export class Connection implements PeerLink {
  readonly #tx: Transmitter;
  readonly #limiter: RateLimiter;
  readonly #ctx: HandlerContext;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(tx: Transmitter, options: ConnectionOptions) {
    this.#tx = tx;
    this.#limiter = new RateLimiter(options.rateLimit.perSecond, options.rateLimit.burst);
    const session: Session = { room: null, peer: null, link: this };
    this.#ctx = { registry: options.registry, session, graceMs: options.graceMs, videoCodec: options.videoCodec };
  }

  get session(): Session { return this.#ctx.session; }

  onMessage(data: ArrayBuffer, isBinary: boolean): void {
    if (this.#closed) return;
    if (data.byteLength > MAX_MESSAGE_BYTES) {
      return this.#error(null, ErrorCode.MessageTooLarge, `message is ${data.byteLength} bytes, limit is ${MAX_MESSAGE_BYTES}`);
    }
    if (!this.#limiter.take()) {
      return this.#error(peekId(data), ErrorCode.RateLimited, 'too many messages: slow down (10/s, bursts of 30)');
    }
    if (isBinary) return this.#error(null, ErrorCode.BadRequest, 'binary frames are not accepted: send JSON text');
    let raw: unknown;
    try {
      raw = JSON.parse(decoder.decode(data));
    } catch {
      return this.#error(null, ErrorCode.BadJson, 'message is not valid UTF-8 JSON');
    }
    const parsed = parseRequest(raw);
    if (!parsed.ok) return this.#reply({ id: parsed.id, ok: false, error: parsed.error });
    this.#queue = this.#queue.then(() => this.#dispatch(parsed.request));
  }

  async #dispatch(request: Request): Promise<void> {
    try {
      const handler = handlers[request.method] as (ctx: HandlerContext, data: Request['data']) => unknown;
      const data = (await handler(this.#ctx, request.data)) as Extract<Response, { ok: true }>['data'];
      this.#reply({ id: request.id, ok: true, data });
    } catch (error) {
      if (error instanceof SignalingError) return this.#error(request.id, error.code, error.message);
      log.error('handler failed', { method: request.method, error: error instanceof Error ? error.stack : String(error) });
      this.#error(request.id, ErrorCode.Internal, `${request.method} failed on the server`);
    }
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
    if (!this.#closed) this.#tx.send(text);
  }

  replaced(): void {
    this.#ctx.session.peer = null;
    this.#ctx.session.room = null;
    if (!this.#closed) this.#tx.close(4001, 'session resumed on another connection');
  }

  /** The socket is gone: the peer stays for the grace period so it can resume. */
  onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ctx.session.peer?.detach(this, this.#ctx.graceMs);
  }
}

/** Best-effort request id of a frame we will not fully process. */
function peekId(data: ArrayBuffer): number | null {
  const head = new TextDecoder().decode(data.slice(0, 64));
  const m = /"id"\s*:\s*(\d{1,10})/.exec(head);
  return m ? Number(m[1]) : null;
}
