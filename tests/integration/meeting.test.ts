// Council meetings over the real protocol: the waiting room, lock, roles, moderation,
// hands, chat and polls. Every refused request gets its error code (forbidden, not_found,
// invalid_state, bad_request), changes nothing, and disturbs nobody else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from '../../server/src/server.js';
import { createRoom, FAKE_DTLS, joinedClient, OPUS_PARAMS, TestClient, testServer, until } from './harness.js';

let server: Server;
beforeAll(async () => { server = await testServer(); });
afterAll(() => server?.close());

type Joined = Awaited<ReturnType<typeof joinedClient>>;
async function chairAndMember(lobby = false) {
  const room = await createRoom(server, { lobby });
  const chair = await joinedClient(server, room.roomId, 'Chair', { moderatorKey: room.moderatorKey });
  return { room, chair };
}
async function knock(roomId: string, name: string, clientId?: string) {
  const c = await TestClient.connect(server);
  const { rtpCapabilities } = await c.ok('routerCapabilities', { roomId });
  const r = await c.ok('join', { roomId, name, rtpCapabilities: rtpCapabilities as never, ...(clientId ? { clientId } : {}) });
  return { c, r, rtpCapabilities };
}
async function withMic(j: Joined): Promise<string> {
  await j.client.ok('connectTransport', { transportId: j.send.id, dtlsParameters: FAKE_DTLS });
  return (await j.client.ok('produce', { transportId: j.send.id, kind: 'audio', source: 'mic', rtpParameters: OPUS_PARAMS })).producerId;
}
function events(roomId: string): string[] {
  return server.registry.get(roomId)!.meeting.stores.events.list(roomId).map((e) => `${e.actorName ?? '-'} ${e.action} ${e.targetName ?? ''}`.trim());
}

describe('waiting room', () => {
  it('a participant waits; the moderator sees them, is notified, and admits them', async () => {
    const { room, chair } = await chairAndMember(true);
    const { c, r, rtpCapabilities } = await knock(room.roomId, 'Anna');
    expect(r).toEqual({ status: 'waiting', moderatorPresent: true, roomName: 'Test' });
    const changed = await chair.client.notified('lobbyChanged', (d) => d.arrived?.name === 'Anna');
    expect(changed.waiting.map((w) => w.name)).toEqual(['Anna']);
    // Not in the meeting yet: invisible to media, not in anybody's list.
    expect((await c.call('createTransport', { direction: 'send' })).error?.code).toBe('not_joined');
    expect(server.registry.get(room.roomId)!.peers.size).toBe(1);
    const admitted = await chair.client.ok('admit', { peerIds: [changed.waiting[0]!.id] });
    expect(admitted.admitted).toHaveLength(1);
    const { ticket } = await c.notified('admitted');
    // Someone else cannot use Anna's ticket.
    const thief = await TestClient.connect(server);
    expect((await thief.call('join', { roomId: room.roomId, name: 'Thief', rtpCapabilities: rtpCapabilities as never, ticket })).error?.code).toBe('forbidden');
    const inside = await c.join({ roomId: room.roomId, name: 'ignored', rtpCapabilities: rtpCapabilities as never, ticket });
    expect(inside.self.name).toBe('Anna');
    await chair.client.notified('peerJoined', (d) => d.peer.name === 'Anna');
    expect(events(room.roomId)).toContain('Chair admitted Anna');
  });

  it('a rejected participant is told why; admit-all takes everyone', async () => {
    const { room, chair } = await chairAndMember(true);
    const a = await knock(room.roomId, 'A');
    const b = await knock(room.roomId, 'B');
    const cc = await knock(room.roomId, 'C');
    const waiting = (await chair.client.notified('lobbyChanged', (d) => d.waiting.length === 3)).waiting;
    await chair.client.ok('reject', { peerId: waiting.find((w) => w.name === 'B')!.id });
    expect(await b.c.notified('rejected')).toEqual({ reason: 'rejected' });
    // Rejecting someone not waiting: not_found; admitting them twice: invalid_state.
    expect((await chair.client.call('reject', { peerId: waiting.find((w) => w.name === 'B')!.id })).error?.code).toBe('not_found');
    expect((await chair.client.ok('admit', { peerIds: 'all' })).admitted).toHaveLength(2);
    expect((await chair.client.call('admit', { peerIds: [waiting.find((w) => w.name === 'A')!.id] })).error?.code).toBe('invalid_state');
    await a.c.notified('admitted');
    await cc.c.notified('admitted');
  });

  it('without a moderator present, people wait with a clear status, and hear when one arrives', async () => {
    const room = await createRoom(server, { lobby: true });
    const { c, r } = await knock(room.roomId, 'Early');
    expect(r).toMatchObject({ status: 'waiting', moderatorPresent: false });
    const chair = await joinedClient(server, room.roomId, 'Chair', { moderatorKey: room.moderatorKey });
    expect(await c.notified('lobbyStatus')).toEqual({ moderatorPresent: true });
    // The moderator who arrives sees who is waiting in their join snapshot.
    expect(chair.join.meeting.lobby.map((w) => w.name)).toEqual(['Early']);
  });

  it('a waiting socket that closes leaves the waiting list', async () => {
    const { room, chair } = await chairAndMember(true);
    const { c } = await knock(room.roomId, 'Leaver');
    await chair.client.notified('lobbyChanged', (d) => d.waiting.length === 1);
    c.close();
    await chair.client.notified('lobbyChanged', (d) => d.waiting.length === 0);
  });

  it('a locked room admits nobody new, turns the waiting away, and refuses admits; moderators still get in', async () => {
    const { room, chair } = await chairAndMember(true);
    const w = await knock(room.roomId, 'Waiting');
    await chair.client.notified('lobbyChanged', (d) => d.waiting.length === 1);
    await chair.client.ok('setSettings', { locked: true });
    expect(await w.c.notified('rejected')).toEqual({ reason: 'locked' });
    const late = await TestClient.connect(server);
    const { rtpCapabilities } = await late.ok('routerCapabilities', { roomId: room.roomId });
    const refused = await late.call('join', { roomId: room.roomId, name: 'Late', rtpCapabilities: rtpCapabilities as never });
    expect(refused.error?.code).toBe('room_locked');
    expect((await chair.client.call('admit', { peerIds: 'all' })).error?.code).toBe('invalid_state');
    const coChair = await joinedClient(server, room.roomId, 'Co-chair', { moderatorKey: room.moderatorKey });
    expect(coChair.join.role).toBe('moderator');
    await chair.client.ok('setSettings', { locked: false });
    expect((await late.ok('join', { roomId: room.roomId, name: 'Late', rtpCapabilities: rtpCapabilities as never })).status).toBe('waiting');
  });
});

describe('roles and moderation', () => {
  it('promote and demote; at least one moderator remains', async () => {
    const { room, chair } = await chairAndMember();
    const m = await joinedClient(server, room.roomId, 'Member');
    await chair.client.ok('setRole', { peerId: m.join.peerId, role: 'moderator' });
    expect((await m.client.notified('peerUpdated', (d) => d.peer.id === m.join.peerId)).peer.role).toBe('moderator');
    await m.client.ok('setRole', { peerId: chair.join.peerId, role: 'guest' });
    expect((await m.client.call('setRole', { peerId: m.join.peerId, role: 'participant' })).error?.code).toBe('invalid_state');
    // A guest cannot share the screen.
    const guest = chair;
    const screen = await guest.client.call('produce', { transportId: guest.send.id, kind: 'video', source: 'screen', rtpParameters: OPUS_PARAMS });
    expect(screen.error?.code).toBe('forbidden');
    expect(events(room.roomId)).toEqual(expect.arrayContaining(['Chair role Member', 'Member role Chair']));
  });

  it('mute one, mute all; with "only the chair unmutes" a muted participant cannot unmute until called', async () => {
    const { room, chair } = await chairAndMember();
    const a = await joinedClient(server, room.roomId, 'A');
    const b = await joinedClient(server, room.roomId, 'B');
    const micA = await withMic(a);
    const micB = await withMic(b);
    await chair.client.ok('mute', { peerId: a.join.peerId });
    expect(await a.client.notified('mutedByChair')).toEqual({ canUnmute: true });
    await b.client.notified('producerPaused', (d) => d.producerId === micA && d.paused);
    await a.client.ok('setProducerPaused', { producerId: micA, paused: false }); // allowed: chair did not forbid it
    await chair.client.ok('setSettings', { onlyChairUnmutes: true });
    expect((await chair.client.ok('muteAll', {})).muted).toBe(2);
    expect(await b.client.notified('mutedByChair', (d) => !d.canUnmute)).toEqual({ canUnmute: false });
    const refused = await b.client.call('setProducerPaused', { producerId: micB, paused: false });
    expect(refused.error?.code).toBe('forbidden');
    expect(refused.error?.message).toMatch(/raise your hand/);
    expect(server.registry.get(room.roomId)!.peer(b.join.peerId).producers.get(micB)!.paused).toBe(true);
    // Asking by raising a hand; the chair calls B, who may then unmute.
    expect((await b.client.ok('raiseHand', { raised: true })).position).toBe(1);
    await chair.client.ok('callSpeaker', {});
    expect(await b.client.notified('calledToSpeak')).toMatchObject({ mayUnmute: true });
    await b.client.ok('setProducerPaused', { producerId: micB, paused: false });
    expect(server.registry.get(room.roomId)!.peer(b.join.peerId).producers.get(micB)!.paused).toBe(false);
    // The moderator is never muted by mute-all.
    expect(events(room.roomId)).toEqual(expect.arrayContaining(['Chair muted A', 'Chair mutedAll', 'Chair calledSpeaker B']));
  });

  it('stop a camera, revoke and grant screen sharing, rename a guest', async () => {
    const { room, chair } = await chairAndMember();
    const g = await joinedClient(server, room.roomId, 'Guest 1');
    await chair.client.ok('setRole', { peerId: g.join.peerId, role: 'guest' });
    expect((await chair.client.call('stopMedia', { peerId: g.join.peerId, source: 'camera' })).error?.code).toBe('invalid_state');
    await chair.client.ok('setScreenShare', { peerId: g.join.peerId, allowed: true });
    expect((await g.client.notified('peerUpdated', (d) => d.peer.canShareScreen)).peer.canShareScreen).toBe(true);
    await chair.client.ok('rename', { peerId: g.join.peerId, name: 'Frau Meyer (Presse)' });
    expect((await g.client.notified('peerUpdated', (d) => d.peer.name !== 'Guest 1')).peer.name).toBe('Frau Meyer (Presse)');
    await chair.client.ok('setRole', { peerId: g.join.peerId, role: 'participant' });
    expect((await chair.client.call('rename', { peerId: g.join.peerId, name: 'X' })).error?.code).toBe('forbidden');
  });

  it('remove with a ban: the device cannot come back; send back to the waiting room', async () => {
    const { room, chair } = await chairAndMember();
    const troll = await joinedClient(server, room.roomId, 'Troll', { clientId: 'device-of-the-troll' });
    await chair.client.ok('remove', { peerId: troll.join.peerId, ban: true });
    expect(await troll.client.notified('removed')).toEqual({ reason: 'banned' });
    await chair.client.notified('peerLeft', (d) => d.peerId === troll.join.peerId);
    const again = await TestClient.connect(server);
    const { rtpCapabilities } = await again.ok('routerCapabilities', { roomId: room.roomId });
    expect((await again.call('join', { roomId: room.roomId, name: 'Troll', rtpCapabilities: rtpCapabilities as never, clientId: 'device-of-the-troll' })).error?.code).toBe('banned');
    const m = await joinedClient(server, room.roomId, 'Member');
    await chair.client.ok('sendToLobby', { peerId: m.join.peerId });
    expect(await m.client.notified('removed')).toEqual({ reason: 'lobby' });
    expect(events(room.roomId)).toEqual(expect.arrayContaining(['Chair banned Troll', 'Chair sentToLobby Member']));
  });

  it('end the meeting for everyone', async () => {
    const { room, chair } = await chairAndMember();
    const m = await joinedClient(server, room.roomId, 'Member');
    await chair.client.ok('setSettings', { lobby: true });
    const w = await knock(room.roomId, 'Waiting');
    await chair.client.ok('endMeeting', {});
    expect(await m.client.notified('roomClosed')).toEqual({ reason: 'ended' });
    expect(await w.c.notified('rejected')).toEqual({ reason: 'ended' });
    expect(server.registry.get(room.roomId)!.peers.size).toBe(0);
  });

  it('forged moderator requests from a participant are refused and change nothing', async () => {
    const { room, chair } = await chairAndMember();
    const mallory = await joinedClient(server, room.roomId, 'Mallory');
    const victim = await joinedClient(server, room.roomId, 'Victim');
    const micV = await withMic(victim);
    const before = events(room.roomId).length;
    for (const [method, data] of [
      ['setSettings', { locked: true }], ['admit', { peerIds: 'all' }], ['setRole', { peerId: mallory.join.peerId, role: 'moderator' }],
      ['mute', { peerId: victim.join.peerId }], ['muteAll', {}], ['stopMedia', { peerId: victim.join.peerId, source: 'camera' }],
      ['remove', { peerId: chair.join.peerId }], ['sendToLobby', { peerId: victim.join.peerId }], ['endMeeting', {}],
      ['lowerAllHands', {}], ['callSpeaker', {}], ['setScreenShare', { peerId: victim.join.peerId, allowed: false }],
      ['pollCreate', { question: 'Q', options: ['a', 'b'], multiple: false, anonymous: false, liveResults: true }],
    ] as const) {
      const r = await mallory.client.call(method, data);
      expect(r.error?.code, method).toBe('forbidden');
    }
    const r = server.registry.get(room.roomId)!;
    expect(r.meeting.settings.locked).toBe(false);
    expect(r.peer(mallory.join.peerId).role).toBe('participant');
    expect(r.peer(victim.join.peerId).producers.get(micV)!.paused).toBe(false);
    expect(r.peers.size).toBe(3);
    expect(events(room.roomId).length).toBe(before);
    expect(victim.client.has('mutedByChair') || victim.client.has('removed')).toBe(false);
  });

  it('unknown targets are not_found', async () => {
    const { chair } = await chairAndMember();
    for (const method of ['mute', 'remove', 'sendToLobby', 'lowerHand'] as const) {
      expect((await chair.client.call(method, { peerId: 'nobody-here-0000' })).error?.code, method).toBe('not_found');
    }
    expect((await chair.client.call('chatDelete', { messageId: 'no-such-message' })).error?.code).toBe('not_found');
    expect((await chair.client.call('pollAnswer', { pollId: 'no-such-poll00', choices: [0] })).error?.code).toBe('not_found');
  });
});

describe('hands', () => {
  it('the queue order is the same for everyone; positions; call next; lower all', async () => {
    const { room, chair } = await chairAndMember();
    const ps = [];
    for (const name of ['One', 'Two', 'Three']) ps.push(await joinedClient(server, room.roomId, name));
    for (const [i, p] of ps.entries()) expect((await p.client.ok('raiseHand', { raised: true })).position).toBe(i + 1);
    const order = ps.map((p) => p.join.peerId);
    for (const c of [chair, ...ps]) await c.client.notified('meetingState', (d) => d.hands.join() === order.join());
    const called = await chair.client.ok('callSpeaker', {});
    expect(called.speaker?.peerId).toBe(order[0]);
    await ps[1]!.client.notified('meetingState', (d) => d.hands.join() === order.slice(1).join() && d.speaker?.peerId === order[0]);
    // Someone lowers their own hand; a participant cannot lower someone else's.
    expect((await ps[2]!.client.call('lowerHand', { peerId: order[1]! })).error?.code).toBe('forbidden');
    await ps[2]!.client.ok('lowerHand', { peerId: order[2]! });
    expect((await ps[2]!.client.call('lowerHand', { peerId: order[2]! })).error?.code).toBe('invalid_state');
    await chair.client.ok('lowerAllHands', {});
    await ps[0]!.client.notified('meetingState', (d) => d.hands.length === 0);
    expect((await chair.client.call('callSpeaker', {})).error?.code).toBe('invalid_state');
  });

  it('a speaking-time limit gives the speaker a deadline everyone sees', async () => {
    const { room, chair } = await chairAndMember();
    const p = await joinedClient(server, room.roomId, 'Speaker');
    await chair.client.ok('setSettings', { speakingTimeS: 120 });
    const before = Date.now();
    const { speaker } = await chair.client.ok('callSpeaker', { peerId: p.join.peerId });
    expect(speaker!.until! - before).toBeGreaterThanOrEqual(119_000);
    expect((await p.client.notified('meetingState', (d) => d.speaker !== null)).speaker?.until).toBe(speaker!.until);
    await p.client.ok('endSpeaker', {});
  });
});

describe('chat', () => {
  it('reaches everyone and late joiners; moderators delete; chat can be switched off; bad input refused', async () => {
    const { room, chair } = await chairAndMember();
    const a = await joinedClient(server, room.roomId, 'A');
    const sent = await a.client.ok('chatSend', { text: '  Guten Morgen  ' });
    expect(sent.message.text).toBe('Guten Morgen');
    expect((await chair.client.notified('chatMessage')).message.text).toBe('Guten Morgen');
    expect((await a.client.call('chatSend', { text: 'x'.repeat(2001) })).error?.code).toBe('bad_request');
    expect((await a.client.call('chatSend', { text: '   ' })).error?.code).toBe('bad_request');
    expect((await a.client.call('chatSend', { text: 'too fast' })).error?.code).toBe('rate_limited');
    const late = await joinedClient(server, room.roomId, 'Late');
    expect(late.join.meeting.chat.map((m) => m.text)).toEqual(['Guten Morgen']);
    expect((await a.client.call('chatDelete', { messageId: sent.message.id })).error?.code).toBe('forbidden');
    await chair.client.ok('chatDelete', { messageId: sent.message.id });
    expect(await late.client.notified('chatDeleted')).toEqual({ messageId: sent.message.id });
    await chair.client.ok('setSettings', { chatEnabled: false });
    expect((await late.client.call('chatSend', { text: 'hello?' })).error?.code).toBe('forbidden');
    const next = await joinedClient(server, room.roomId, 'Next');
    expect(next.join.meeting.chat).toEqual([expect.objectContaining({ id: sent.message.id, deleted: true, text: '' })]);
  });
});

describe('polls', () => {
  it('answered by all, results hidden until closed, then the same for everyone', async () => {
    const { room, chair } = await chairAndMember();
    const a = await joinedClient(server, room.roomId, 'A');
    const b = await joinedClient(server, room.roomId, 'B');
    const { poll } = await chair.client.ok('pollCreate', { question: 'Sitzung um 18 Uhr?', options: ['Ja', 'Nein', 'Egal'], multiple: false, anonymous: false, liveResults: false });
    await a.client.notified('poll', (d) => d.poll.id === poll.id);
    expect((await a.client.ok('pollAnswer', { pollId: poll.id, choices: [0] })).poll.counts).toBeNull();
    expect((await a.client.call('pollAnswer', { pollId: poll.id, choices: [1] })).error?.code).toBe('invalid_state');
    expect((await b.client.call('pollAnswer', { pollId: poll.id, choices: [0, 1] })).error?.code).toBe('bad_request');
    expect((await b.client.call('pollAnswer', { pollId: poll.id, choices: [7] })).error?.code).toBe('bad_request');
    await b.client.ok('pollAnswer', { pollId: poll.id, choices: [2] });
    await chair.client.ok('pollAnswer', { pollId: poll.id, choices: [0] });
    const closed = (await chair.client.ok('pollClose', { pollId: poll.id })).poll;
    expect(closed.counts).toEqual([2, 0, 1]);
    for (const c of [a, b]) {
      const seen = await c.client.notified('poll', (d) => d.poll.closed);
      expect(seen.poll.counts).toEqual([2, 0, 1]);
      expect(seen.poll.voters?.map((v) => v.name).sort()).toEqual(['A', 'B', 'Chair']);
    }
    expect((await b.client.call('pollAnswer', { pollId: poll.id, choices: [0] })).error?.code).toBe('invalid_state');
    expect((await chair.client.call('pollClose', { pollId: poll.id })).error?.code).toBe('invalid_state');
  });
});
