// The signaling WebSocket opens as soon as the meeting page mounts, while the call's code
// (mediasoup-client, ~45 KB) is still on its way: on the 256 kbit/s edge link (300 ms round
// trips) the socket's two handshake round trips then overlap that download instead of
// following it (the socket opened 2.6 s after an instant "Join", ~0.6 s of it handshakes).
// Lives in the entry chunk: nothing of the signaling client but types.
import { wireSocket } from './browser-socket.js';
import type { SocketFactory, SocketHandlers, SocketLike } from './signaling.js';

/** Opens a socket to `url` now; the returned factory adopts it once, then opens new ones. */
export function earlySocket(url: string, open: (url: string) => WebSocket = (u) => new WebSocket(u)): { factory: SocketFactory; release(): void } {
  let early: WebSocket | null = open(url);
  // Nothing is expected before our first request, but nothing may be lost either.
  const buffered: string[] = [];
  early.onmessage = (e) => { if (typeof e.data === 'string') buffered.push(e.data); };
  const fresh = (u: string, on: SocketHandlers): SocketLike => wireSocket(open(u), on);
  const factory: SocketFactory = (u, on) => {
    const ws = early;
    early = null;
    if (!ws || u !== url || ws.readyState === ws.CLOSING || ws.readyState === ws.CLOSED) {
      ws?.close();
      return fresh(u, on);
    }
    wireSocket(ws, on);
    // Already open: the client learns it after it has stored the socket, as with a new one.
    if (ws.readyState === ws.OPEN) queueMicrotask(() => { on.open(); for (const m of buffered.splice(0)) on.message(m); });
    return ws;
  };
  return { factory, release: () => { early?.close(); early = null; } };
}
