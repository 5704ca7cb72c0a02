// A browser WebSocket behind the signaling client's SocketLike. Its own module (types only
// from signaling.ts) so that the entry chunk's early socket uses it without the client.
import type { SocketFactory, SocketHandlers } from './signaling.js';

export function wireSocket(ws: WebSocket, on: SocketHandlers): WebSocket {
  ws.onopen = () => on.open();
  ws.onclose = (e) => on.close(e.code, e.reason);
  ws.onmessage = (e) => { if (typeof e.data === 'string') on.message(e.data); };
  return ws;
}

export const browserSocket: SocketFactory = (url, on) => wireSocket(new WebSocket(url), on);
