// The part of `sip` 0.0.6 (kirm/sip.js, untyped) the gateway uses.
declare module 'sip' {
  export interface SipUri { schema?: string; user?: string; password?: string; host: string; port?: number; params: Record<string, string | null>; headers?: Record<string, string> }
  export interface NameAddr { name?: string; uri: string; params: Record<string, string | null | undefined> }
  export interface Via { version?: string; protocol?: string; host?: string; port?: number; params: Record<string, string | null | undefined> }
  export interface SipMessage {
    method?: string;
    uri?: string;
    status?: number;
    reason?: string;
    version?: string;
    headers: {
      via: Via[];
      from: NameAddr;
      to: NameAddr;
      'call-id': string;
      cseq: { seq: number; method: string };
      contact?: NameAddr[] | string;
      'content-type'?: string;
      'content-length'?: number;
      [name: string]: unknown;
    };
    content?: string;
  }
  export interface Remote { protocol: string; address: string; port: number; local: { address: string; port: number } }
  export interface SipStack {
    send(m: SipMessage, callback?: (response: SipMessage) => void): void;
    destroy?(): void;
    stop?(): void;
  }
  export interface SipOptions {
    address?: string; port?: number; publicAddress?: string; udp?: boolean; tcp?: boolean;
    maxBytesHeaders?: number; maxContentLength?: number;
    logger?: { error?: (e: unknown) => void; send?: (m: SipMessage, t: unknown) => void; recv?: (m: SipMessage, r: unknown) => void };
  }
  export function create(options: SipOptions, onRequest: (request: SipMessage, remote: Remote) => void): SipStack;
  export function makeResponse(request: SipMessage, status: number, reason: string, extension?: Partial<SipMessage>): SipMessage;
  export function parseUri(s: string): SipUri;
  export function stringifyUri(u: SipUri): string;
  export function stringify(m: SipMessage): string;
}
