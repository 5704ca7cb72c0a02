// A phone caller (baresip, a real SIP peer) in a council meeting: waits in the waiting
// room until the chair admits them; starts muted; *6 unmutes; muted by the chair with
// "only the chair unmutes", *6 is refused; *9 raises the hand in the queue; a secret
// ballot by keypad counts once and stays secret; hanging up leaves the meeting.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Server } from '../../server/src/server.js';
import { createRoom, joinedClient, testServer, until } from '../integration/harness.js';
import { Baresip } from './baresip.js';
import { phoneConfig } from './sipp.js';

let server: Server;
beforeAll(async () => {
  server = await testServer({ phone: phoneConfig() });
}, 120_000);
afterAll(() => server?.close());

it('waiting room, muted start, *6, chair mute with "only the chair unmutes", *9, a secret ballot by keypad, hang-up', async () => {
  const room = await createRoom(server, { lobby: true });
  const r = server.registry.get(room.roomId)!;
  const chair = await joinedClient(server, room.roomId, 'Vorsitz', { moderatorKey: room.moderatorKey });
  const phone = await Baresip.start({ number: '+4917099887766', toneHz: 800, seconds: 60 });
  try {
    phone.command('dial', `sip:thinline@127.0.0.1:${server.phone!.config.port}`);
    await until(() => phone.events.some((e) => e.type === 'CALL_ESTABLISHED'), 10_000, 'the call');
    await phone.keys(`${r.record.dialInId}#${r.record.dialInPin}#`);
    const arrived = await chair.client.notified('lobbyChanged', (d) => d.arrived?.name === 'Phone …7766');
    const call = server.phone!.call((c) => c.events.includes('waiting'))!;
    expect(call).toBeDefined();
    await chair.client.ok('admit', { peerIds: [arrived.arrived!.id] });
    const peer = await until(() => [...r.peers.values()].find((p) => p.channel === 'phone'), 10_000, 'admission');
    await until(() => peer.producers.size === 1, 5000, 'the phone producer');
    const producer = [...peer.producers.values()][0]!;
    expect(producer.paused).toBe(true); // callers start muted

    await phone.keys('*6');
    await until(() => !producer.paused, 5000, 'unmute by *6');
    await chair.client.ok('setSettings', { onlyChairUnmutes: true });
    await chair.client.ok('mute', { peerId: peer.id });
    await until(() => producer.paused && call.events.includes('mutedByChair'), 5000, 'muted by the chair');
    await phone.keys('*6');
    await until(() => call.events.includes('unmuteRefused'), 5000, 'the refusal');
    expect(producer.paused).toBe(true);

    await phone.keys('*9');
    await until(() => peer.handRaisedAt !== null, 5000, 'the hand');

    const { motion } = await chair.client.ok('motionOpen', { title: 'Geheime Wahl', allowAbstain: true, kind: 'secret', eligible: [peer.id, chair.join.peerId], rule: 'simple', quorum: null, durationS: null });
    await until(() => call.events.includes('motionAnnounced'), 5000, 'the motion read out to the caller');
    await phone.keys('2');
    await until(() => call.events.includes('vote:2'), 10_000, 'the ballot');
    await phone.keys('1'); // a second press changes nothing: one ballot per voter
    await until(() => call.events.includes('vote:none'), 10_000, 'the second press to find nothing left to vote on');
    const m = r.votes.all().find((x) => x.id === motion.id)!;
    expect(m.view(chair.join.peerId).voted).toBe(1);
    const entries = m.ledger.entries.map((e) => e.data as Record<string, unknown>);
    const voted = entries.find((e) => e.voter === peer.id);
    expect(voted).toMatchObject({ channel: 'phone' });
    expect(voted).not.toHaveProperty('choices'); // secret: who voted, never what

    await phone.stop();
    await until(() => !r.peers.has(peer.id), 10_000, 'the caller to leave');
  } finally {
    await phone.stop().catch(() => undefined);
  }
}, 90_000);
