// Untrusted input: every bad frame gets an error reply with a code; the connection, the
// server and the other participants carry on.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Server } from '../../server/src/server.js';
import { createRoom, FAKE_DTLS, joinedClient, OPUS_PARAMS, TestClient, testServer, until, type Reply } from './harness.js';

let server: Server;
let roomId: string;
let bystander: Awaited<ReturnType<typeof joinedClient>>;
let victim: Awaited<ReturnType<typeof joinedClient>>;
let victimMic: string;

beforeAll(async () => {
  server = await testServer();
  ({ roomId } = await createRoom(server));
  bystander = await joinedClient(server, roomId, 'Bystander');
  victim = await joinedClient(server, roomId, 'Victim');
  await victim.client.ok('connectTransport', { transportId: victim.send.id, dtlsParameters: FAKE_DTLS });
  victimMic = (await victim.client.ok('produce', { transportId: victim.send.id, kind: 'audio', source: 'mic', rtpParameters: OPUS_PARAMS })).producerId;
});
afterAll(() => server?.close());

let attacker: TestClient;
beforeEach(async () => { attacker = await TestClient.connect(server); });

async function lastReply(client: TestClient, count: number): Promise<Reply> {
  return until(() => client.replies.length >= count && client.replies[count - 1], 5000, `reply #${count}`);
}

/** The attacker still gets answers, and the others were not disturbed. */
async function everyoneFine(): Promise<void> {
  expect(attacker.closed).toBe(false);
  expect((await attacker.ok('ping', {})).now).toBeGreaterThan(0);
  expect((await bystander.client.ok('ping', {})).now).toBeGreaterThan(0);
  expect(bystander.client.has('peerLeft')).toBe(false);
  expect(server.registry.get(roomId)!.peers.size).toBe(2);
}

describe('bad input', () => {
  it.each([
    ['malformed JSON', '{"id":1,"method":', 'bad_json', /not valid UTF-8 JSON/],
    ['a JSON array', '[1,2,3]', 'bad_request', /Invalid type/],
    ['an unknown message type', '{"id":7,"method":"launchRockets","data":{}}', 'unknown_method', /launchRockets/],
    ['a missing field', '{"id":8,"method":"join","data":{"roomId":"abcdefgh12345678"}}', 'bad_request', /^data\.name: is required$/],
    ['a wrong field type', '{"id":9,"method":"createTransport","data":{"direction":42}}', 'bad_request', /^data\.direction: Invalid type/],
    ['an extra field', '{"id":10,"method":"ping","data":{"evil":true}}', 'bad_request', /^data\.evil: unknown field$/],
    ['an id with bad characters', '{"id":11,"method":"routerCapabilities","data":{"roomId":"../../etc/passwd"}}', 'bad_request', /roomId/],
  ])('answers %s with an error code', async (_what, frame, code, message) => {
    attacker.sendRaw(frame);
    const reply = await lastReply(attacker, 1);
    expect(reply.ok).toBe(false);
    expect(reply.error?.code).toBe(code);
    expect(reply.error?.message).toMatch(message);
    await everyoneFine();
  });

  it('answers an oversized frame with message_too_large', async () => {
    attacker.sendRaw(JSON.stringify({ id: 1, method: 'ping', data: { pad: 'x'.repeat(100_000) } }));
    expect((await lastReply(attacker, 1)).error?.code).toBe('message_too_large');
    await everyoneFine();
  });

  it('refuses binary frames', async () => {
    attacker.sendRaw(Buffer.from([1, 2, 3]), true);
    expect((await lastReply(attacker, 1)).error?.code).toBe('bad_request');
    await everyoneFine();
  });

  it('rate-limits a flood but keeps the connection', async () => {
    for (let i = 1; i <= 60; i++) attacker.sendRaw(JSON.stringify({ id: i, method: 'ping', data: {} }));
    await lastReply(attacker, 60);
    const limited = attacker.replies.filter((r) => r.error?.code === 'rate_limited');
    // Burst of 30 passes (plus what refills meanwhile); the rest is refused.
    expect(limited.length).toBeGreaterThanOrEqual(20);
    expect(limited.length).toBeLessThanOrEqual(30);
    expect(limited.every((r) => typeof r.id === 'number')).toBe(true);
    // Tokens refill at 10/s: pings go through again on the same connection.
    const start = Date.now();
    let reply: Reply;
    do { reply = await attacker.call('ping', {}); } while (!reply.ok && Date.now() - start < 3000);
    expect(reply.ok).toBe(true);
    expect(attacker.closed).toBe(false);
    expect((await bystander.client.ok('ping', {})).now).toBeGreaterThan(0);
  });

  it('refuses requests before join and joining unknown rooms', async () => {
    expect((await attacker.call('createTransport', { direction: 'send' })).error?.code).toBe('not_joined');
    expect((await attacker.call('routerCapabilities', { roomId: 'AAAAAAAAAAAAAAAAAAAAAA' })).error?.code).toBe('room_not_found');
    const caps = bystander.rtpCapabilities as never;
    expect((await attacker.call('join', { roomId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'X', rtpCapabilities: caps })).error?.code).toBe('room_not_found');
    expect((await attacker.call('join', { roomId, name: 'X', rtpCapabilities: caps, moderatorKey: 'wrongwrongwrongwrong' })).error?.code).toBe('forbidden');
    await everyoneFine();
  });

  it("cannot act on another peer's objects", async () => {
    const me = await joinedClient(server, roomId, 'Mallory');
    for (const [method, data] of [
      ['closeProducer', { producerId: victimMic }],
      ['setProducerPaused', { producerId: victimMic, paused: true }],
      ['connectTransport', { transportId: victim.send.id, dtlsParameters: FAKE_DTLS }],
      ['restartIce', { transportId: victim.recv.id }],
      ['produce', { transportId: victim.send.id, kind: 'audio', source: 'mic', rtpParameters: OPUS_PARAMS }],
      ['consume', { transportId: victim.recv.id, producerId: victimMic }],
    ] as const) {
      const r = await me.client.call(method, data);
      expect(r.error?.code, method).toBe('not_found');
    }
    const victimPeer = server.registry.get(roomId)!.peer(victim.join.peerId);
    expect(victimPeer.producers.get(victimMic)?.closed).toBe(false);
    expect(victimPeer.producers.get(victimMic)?.paused).toBe(false);
    // Consuming via one's own transport is fine; that is what sharing a room means.
    const consumer = await me.client.ok('consume', { transportId: me.recv.id, producerId: victimMic });
    expect((await victim.client.call('closeConsumer', { consumerId: consumer.consumerId })).error?.code).toBe('not_found');
    await me.client.ok('leave', {});
    me.client.close();
    await bystander.client.notified('peerLeft', (d) => d.peerId === me.join.peerId);
    bystander.client.notifications.length = 0;
    await everyoneFine();
  });

  it('rejects RTP parameters mediasoup refuses, with the field named', async () => {
    const me = await joinedClient(server, roomId, 'Eve');
    const bad = { ...OPUS_PARAMS, codecs: [{ ...OPUS_PARAMS.codecs[0], mimeType: 'audio/nonsense' }] };
    const r = await me.client.call('produce', { transportId: me.send.id, kind: 'audio', source: 'mic', rtpParameters: bad });
    expect(r.error?.code).toBe('bad_request');
    expect(r.error?.message).toMatch(/^rtpParameters: /);
    const wrongKind = await me.client.call('produce', { transportId: me.send.id, kind: 'video', source: 'mic', rtpParameters: OPUS_PARAMS });
    expect(wrongKind.error?.code).toBe('bad_request');
    await me.client.ok('leave', {});
    me.client.close();
    await bystander.client.notified('peerLeft', (d) => d.peerId === me.join.peerId);
    bystander.client.notifications.length = 0;
    await everyoneFine();
  });
});
