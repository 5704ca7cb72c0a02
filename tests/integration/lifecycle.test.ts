// How participants end: a deliberate close leaves at once (the participant list is the
// attendance record), a network drop keeps the seat for the grace period, a socket that
// does not read is cut off and resumes with a full snapshot, and churn leaves no residue.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { addLogSink, getLogLevel, setLogLevel } from '../../server/src/log.js';
import type { Server } from '../../server/src/server.js';
import { createRoom, FAKE_DTLS, joinedClient, OPUS_PARAMS, TestClient, testServer, until, vp8Params } from './harness.js';

let server: Server | null = null;
afterEach(() => { server?.close(); server = null; });

describe('ghosts', () => {
  it.each([[1000, 'a normal close'], [1001, 'going away (tab closed)']])('close code %i (%s) ends the participant at once', async (code) => {
    server = await testServer({ reconnectGraceMs: 60_000 });
    const { roomId } = await createRoom(server);
    const a = await joinedClient(server, roomId, 'Alice');
    const b = await joinedClient(server, roomId, 'Bob');
    await a.client.notified('peerJoined');
    const started = Date.now();
    b.client.ws.close(code, 'bye');
    await a.client.notified('peerLeft', (d) => d.peerId === b.join.peerId);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(server.registry.get(roomId)!.peers.has(b.join.peerId)).toBe(false);
    // A late joiner sees no ghost.
    const c = await joinedClient(server, roomId, 'Carol');
    expect(c.join.peers.map((p) => p.name)).toEqual(['Alice']);
  });

  it('an abnormal loss (no close frame) keeps the participant for the grace period, then ends it', async () => {
    server = await testServer({ reconnectGraceMs: 400 });
    const { roomId } = await createRoom(server);
    const a = await joinedClient(server, roomId, 'Alice');
    const b = await joinedClient(server, roomId, 'Bob');
    b.client.ws.terminate();
    const room = server.registry.get(roomId)!;
    await until(() => room.peers.get(b.join.peerId)?.connected === false);
    expect(a.client.has('peerLeft')).toBe(false);
    await a.client.notified('peerLeft', (d) => d.peerId === b.join.peerId);
    expect(room.peers.has(b.join.peerId)).toBe(false);
  });
});

// A raw WebSocket client with a 4 KB receive buffer that joins, prints its join reply, and
// then never reads again: the kernel cannot hide a non-reading client behind megabytes of
// socket buffers, so the server's own backpressure check is what is exercised.
const SLOW_READER = String.raw`
import base64, json, os, socket, struct, sys
port, room = int(sys.argv[1]), sys.argv[2]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(('127.0.0.1', port))
key = base64.b64encode(os.urandom(16)).decode()
s.sendall(('GET /ws HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n' % (port, key)).encode())
buf = b''
while b'\r\n\r\n' not in buf: buf += s.recv(1)
def send(obj):
    data = json.dumps(obj).encode(); mask = os.urandom(4)
    head = bytes([0x81]) + (bytes([0x80 | len(data)]) if len(data) < 126 else bytes([0x80 | 126]) + struct.pack('>H', len(data)))
    s.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))
def recv_frame():
    h = s.recv(2, socket.MSG_WAITALL); n = h[1] & 0x7f
    if n == 126: n = struct.unpack('>H', s.recv(2, socket.MSG_WAITALL))[0]
    elif n == 127: n = struct.unpack('>Q', s.recv(8, socket.MSG_WAITALL))[0]
    return s.recv(n, socket.MSG_WAITALL)
send({'id': 1, 'method': 'join', 'data': {'roomId': room, 'name': 'Slow', 'rtpCapabilities': {}}})
print(recv_frame().decode(), flush=True)
sys.stdin.readline()
# Ask for ~4 KB answers 1,500 times and read none of them.
for i in range(1500):
    try: send({'id': 2 + i, 'method': 'routerCapabilities', 'data': {'roomId': room}})
    except OSError: break
sys.stdin.read()
`;

describe('slow receivers', () => {
  it('a socket that stops reading is closed (4002), nothing is dropped silently, and the client resumes with a full snapshot', async () => {
    server = await testServer({ reconnectGraceMs: 30_000, rateLimit: { perSecond: 100_000, burst: 100_000 }, limits: { socketBackpressureBytes: 64 * 1024 } });
    const { roomId } = await createRoom(server);
    const room = server.registry.get(roomId)!;
    const lines: string[] = [];
    const level = getLogLevel();
    setLogLevel('info');
    const stop = addLogSink((l) => lines.push(l));
    const py = spawn('python3', ['-c', SLOW_READER, String(server.app.port), roomId], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const line = await new Promise<string>((resolve) => createInterface({ input: py.stdout! }).once('line', resolve));
      const joined = JSON.parse(line) as { ok: boolean; data: { peerId: string; resumeToken: string } };
      expect(joined.ok).toBe(true);
      const slow = room.peers.get(joined.data.peerId)!;
      // Others join while it stalls; then it floods requests and reads none of the answers
      // (the kernel absorbs ~3 MB on loopback before uWS has to queue anything).
      const senders = await Promise.all(Array.from({ length: 5 }, (_, i) => joinedClient(server!, roomId, `Sender ${i}`)));
      py.stdin!.write('go\n');
      await until(() => !slow.connected, 10_000, 'the slow socket to be closed');
      expect(lines.some((l) => l.includes('closing socket') && l.includes('"code":4002') && l.includes('too_slow'))).toBe(true);
      // Cut off, but not gone: its seat is kept for the grace period.
      expect(room.peers.has(slow.id)).toBe(true);
      expect(senders[0]!.client.has('peerLeft')).toBe(false);
      // The client comes back and gets the whole state, including what it never read.
      const again = await TestClient.connect(server);
      const resumed = await again.join({ roomId, name: 'Slow', rtpCapabilities: {} as never, resumeToken: joined.data.resumeToken });
      expect(resumed.resumed).toBe(true);
      expect(resumed.peerId).toBe(slow.id);
      expect(resumed.peers.map((p) => p.name).sort()).toEqual(senders.map((_, i) => `Sender ${i}`).sort());
      for (const s of senders) expect((await s.client.ok('ping', {})).now).toBeGreaterThan(0);
    } finally {
      py.kill('SIGKILL');
      stop();
      setLogLevel(level);
    }
  });
});

describe('churn', () => {
  it('1,000 join/produce/leave cycles leave the allocator maps at their starting size', async () => {
    server = await testServer({ rateLimit: { perSecond: 10_000, burst: 10_000 } });
    const { roomId } = await createRoom(server);
    const host = await joinedClient(server, roomId, 'Host');
    const room = server.registry.get(roomId)!;
    await host.client.ok('updateTiles', { tiles: [] }); // the host is a subscriber from the start
    const start = room.allocator.sizes();
    const client = await TestClient.connect(server);
    const { rtpCapabilities } = await client.ok('routerCapabilities', { roomId });
    for (let i = 0; i < 1000; i++) {
      const j = await client.join({ roomId, name: `Guest ${i}`, rtpCapabilities: rtpCapabilities as never });
      if (i % 10 === 0) {
        // Every tenth guest also sends audio and video that the host consumes.
        const send = await client.ok('createTransport', { direction: 'send' });
        await client.ok('connectTransport', { transportId: send.id, dtlsParameters: FAKE_DTLS });
        await client.ok('produce', { transportId: send.id, kind: 'audio', source: 'mic', rtpParameters: OPUS_PARAMS });
        const cam = await client.ok('produce', { transportId: send.id, kind: 'video', source: 'camera', rtpParameters: vp8Params(10_000 + i * 3) });
        await host.client.ok('consume', { transportId: host.recv.id, producerId: cam.producerId });
        room.allocator.setSpeaker(j.peerId);
      }
      await client.ok('leave', {});
    }
    expect(room.peers.size).toBe(1);
    expect(room.allocator.sizes()).toEqual(start);
    expect(room.peer(host.join.peerId).consumers.size).toBe(0);
  }, 120_000);
});
