// The meeting page's early signaling socket: adopted once by the signaling client (open or
// still connecting, nothing it received lost), then every reconnect opens a new socket.
import { expect, it } from 'vitest';
import { earlySocket } from '../../client/src/lib/early-socket.js';
import { SignalingClient, type SocketHandlers } from '../../client/src/lib/signaling.js';

class FakeSocket {
  readonly CONNECTING = 0; readonly OPEN = 1; readonly CLOSING = 2; readonly CLOSED = 3;
  readyState = 0;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onclose: ((e: { code: number; reason: string }) => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  constructor(readonly url: string) {}
  send(d: string): void { this.sent.push(d); }
  close(): void { this.readyState = 3; }
  open(): void { this.readyState = 1; this.onopen?.(); }
  receive(text: string): void { this.onmessage?.({ data: text }); }
  drop(code = 1006): void { this.readyState = 3; this.onclose?.({ code, reason: '' }); }
}

function rig() {
  const made: FakeSocket[] = [];
  const early = earlySocket('ws://x/ws', (u) => { const s = new FakeSocket(u); made.push(s); return s as unknown as WebSocket; });
  return { made, early };
}
const handlers = () => {
  const log: string[] = [];
  const on: SocketHandlers = { open: () => log.push('open'), close: (c) => log.push(`close ${c}`), message: (m) => log.push(`msg ${m}`) };
  return { log, on };
};

it('opens at once; the first client adopts the open socket and gets what arrived meanwhile', async () => {
  const { made, early } = rig();
  expect(made).toHaveLength(1);
  made[0]!.open();
  made[0]!.receive('hello');
  const { log, on } = handlers();
  const socket = early.factory('ws://x/ws', on);
  expect(socket).toBe(made[0]);
  expect(log).toEqual([]); // not before the client stored the socket
  await Promise.resolve();
  expect(log).toEqual(['open', 'msg hello']);
  made[0]!.drop();
  expect(log.at(-1)).toBe('close 1006');
  // A reconnect opens a new socket.
  early.factory('ws://x/ws', handlers().on);
  expect(made).toHaveLength(2);
});

it('a socket still connecting is adopted and opens later; a closed one is replaced', async () => {
  const a = rig();
  const h = handlers();
  expect(a.early.factory('ws://x/ws', h.on)).toBe(a.made[0]);
  a.made[0]!.open();
  expect(h.log).toEqual(['open']);

  const b = rig();
  b.made[0]!.drop();
  b.early.factory('ws://x/ws', handlers().on);
  expect(b.made).toHaveLength(2);
});

it('works with the real signaling client: a request goes out on the early socket', async () => {
  const { made, early } = rig();
  made[0]!.open();
  const client = new SignalingClient({ url: 'ws://x/ws', createSocket: early.factory });
  await new Promise<void>((r) => client.on('open', () => r()));
  expect(client.state).toBe('open');
  const reply = client.request('routerCapabilities', { roomId: 'r' });
  const sent = JSON.parse(made[0]!.sent[0]!) as { id: number };
  made[0]!.receive(JSON.stringify({ id: sent.id, ok: true, data: { rtpCapabilities: {} } }));
  await expect(reply).resolves.toEqual({ rtpCapabilities: {} });
  expect(made).toHaveLength(1);
});

it('release closes a socket nobody adopted', () => {
  const { made, early } = rig();
  early.release();
  expect(made[0]!.readyState).toBe(3);
});
