// Signaling client: request/response over one WebSocket, server notifications, and
// reconnection with capped exponential backoff and jitter. It knows nothing about rooms:
// the Call decides what to do after a reconnect (resume its session).
import { CloseCode } from '../../../protocol/close-codes.js';
import type { ErrorBody, Method, Notification, RequestData, ResponseData } from '../../../protocol/index.js';
import { Emitter } from './emitter.js';

/** What we need from a WebSocket, so Node tests can plug in the `ws` package. */
export interface SocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export interface SocketHandlers {
  open(): void;
  close(code: number, reason?: string): void;
  message(text: string): void;
}
export type SocketFactory = (url: string, on: SocketHandlers) => SocketLike;

export { browserSocket } from './browser-socket.js';

/** What feature states need of the connection: typed requests, nothing else. */
export interface Requester {
  request<M extends Method>(method: M, data: RequestData<M>): Promise<ResponseData[M]>;
}

export class RequestError extends Error {
  readonly code: ErrorBody['code'] | 'timeout' | 'disconnected';
  constructor(code: RequestError['code'], message: string) {
    super(message);
    this.name = 'RequestError';
    this.code = code;
  }
}

/** 'idle': the server closed an unused socket (join timeout); `connect()` opens it again. */
export type SignalingState = 'connecting' | 'open' | 'reconnecting' | 'idle' | 'closed';

export interface SignalingEvents extends Record<string, unknown[]> {
  state: [SignalingState];
  /** A socket (re)opened; `reconnect` is true after a drop. */
  open: [reconnect: boolean];
  /** The server closed the socket with a code that ends the session (replaced, room closed). */
  ended: [code: number, reason: string];
  notification: [Notification];
}

interface Pending { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }

export interface SignalingOptions {
  url: string;
  createSocket: SocketFactory;
  requestTimeoutMs?: number;
  /** Backoff: min(maxDelayMs, baseDelayMs * 2^attempt) with +-30 % jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export class SignalingClient extends Emitter<SignalingEvents> {
  readonly #opts: Required<SignalingOptions>;
  #socket: SocketLike | null = null;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  #state: SignalingState = 'connecting';
  #attempt = 0;
  #everOpened = false;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(opts: SignalingOptions) {
    super();
    this.#opts = { requestTimeoutMs: 15_000, baseDelayMs: 250, maxDelayMs: 5_000, ...opts };
    this.#connect();
  }

  get state(): SignalingState { return this.#state; }

  #setState(s: SignalingState): void {
    if (this.#state === s) return;
    this.#state = s;
    this.emit('state', s);
  }

  #connect(): void {
    const socket: SocketLike = this.#opts.createSocket(this.#opts.url, {
      open: () => {
        if (this.#socket !== socket) return;
        const reconnect = this.#everOpened;
        this.#everOpened = true;
        this.#attempt = 0;
        this.#setState('open');
        this.emit('open', reconnect);
      },
      message: (text) => { if (this.#socket === socket) this.#onMessage(text); },
      close: (code, reason = '') => {
        if (this.#socket !== socket) return;
        this.#socket = null;
        this.#failPending('disconnected', 'connection lost');
        if (this.#state === 'closed') return;
        // Replaced: our session was resumed on another socket; do not fight over it.
        if (code === CloseCode.Replaced || code === CloseCode.RoomClosed) {
          this.#setState('closed');
          return this.emit('ended', code, reason);
        }
        // An idle socket (pre-join page) was closed: reconnect only when it is needed.
        if (code === CloseCode.JoinTimeout) return this.#setState('idle');
        this.#setState('reconnecting');
        const delay = Math.min(this.#opts.maxDelayMs, this.#opts.baseDelayMs * 2 ** this.#attempt++) * (0.7 + Math.random() * 0.6);
        this.#retryTimer = setTimeout(() => this.#connect(), delay);
      },
    });
    this.#socket = socket;
  }

  #onMessage(text: string): void {
    let msg: unknown;
    try { msg = JSON.parse(text); } catch { return; }
    if (typeof msg !== 'object' || msg === null) return;
    if ('notification' in msg) return this.emit('notification', msg as Notification);
    if (!('id' in msg) || typeof msg.id !== 'number') return;
    const pending = this.#pending.get(msg.id);
    if (!pending) return;
    this.#pending.delete(msg.id);
    clearTimeout(pending.timer);
    const r = msg as unknown as { ok: boolean; data?: unknown; error?: ErrorBody };
    if (r.ok) pending.resolve(r.data);
    else pending.reject(new RequestError(r.error?.code ?? 'internal', r.error?.message ?? 'request failed'));
  }

  request<M extends Method>(method: M, data: RequestData<M>): Promise<ResponseData[M]> {
    const socket = this.#socket;
    if (!socket || this.#state !== 'open') return Promise.reject(new RequestError('disconnected', `${method}: not connected`));
    const id = this.#nextId++;
    return new Promise<ResponseData[M]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new RequestError('timeout', `${method}: no answer within ${this.#opts.requestTimeoutMs} ms`));
      }, this.#opts.requestTimeoutMs);
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      socket.send(JSON.stringify({ id, method, data }));
    });
  }

  /** Opens the socket again after the server closed it as idle. */
  connect(): void {
    if (this.#state !== 'idle') return;
    this.#setState('connecting');
    this.#connect();
  }

  /** Drops the socket as a network failure would (tests, and "reconnect now"). */
  dropConnection(): void {
    this.#socket?.close(4000, 'dropped by client');
  }

  #failPending(code: 'disconnected', message: string): void {
    for (const p of this.#pending.values()) { clearTimeout(p.timer); p.reject(new RequestError(code, message)); }
    this.#pending.clear();
  }

  close(): void {
    this.#setState('closed');
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    const socket = this.#socket;
    this.#socket = null;
    this.#failPending('disconnected', 'closed');
    // 1000: a deliberate leave; the server ends our participation at once (no grace).
    socket?.close(CloseCode.Normal, 'bye');
  }
}
