// Phone dial-in against real SIP peers (sipp): OPTIONS; a caller who types the meeting
// number and PIN by keypad (RFC 4733 from sipp's recordings) joins as a phone participant
// and is hung up on when removed; three wrong PINs end the call; CANCEL before the answer;
// BYE from either side; re-INVITE; SDP without a usable codec (488); malformed and
// oversized SIP; ten callers at once. Nothing crashes; other calls are unaffected.
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from '../../server/src/server.js';
import { createRoom, joinedClient, testServer, until } from '../integration/harness.js';
import { ACK, inDialog, invite, keys, OFFER, PCAP_DIR, phoneConfig, RECV_BYE, runSipp, scenario } from './sipp.js';

let server: Server;
let target: { host: string; port: number };
beforeAll(async () => {
  server = await testServer({ phone: phoneConfig({ number: '+49 30 1234567', tcp: true, ringMs: 300 }) });
  target = { host: '127.0.0.1', port: server.phone!.config.port };
}, 120_000);
afterAll(() => server?.close());

const ok = (r: { code: number; stdout: string; stderr: string; errors: string }) => expect(r.code, `${r.errors}\n${r.stderr}`).toBe(0);

describe('sipp', () => {
  it('OPTIONS is answered, over UDP and over TCP', async () => {
    ok(await runSipp(target, scenario('options', `${inDialog('OPTIONS', 1).replace('[peer_tag_param]', '')}\n<recv response="200"/>`)));
    ok(await runSipp(target, scenario('options-tcp', `${inDialog('OPTIONS', 1).replace('[peer_tag_param]', '')}\n<recv response="200"/>`), { transport: 't1' }));
  });

  it('a caller types the meeting number and PIN, joins as "Phone …6789", and is hung up on when the chair removes them', async () => {
    const room = await createRoom(server);
    const r = server.registry.get(room.roomId)!;
    const chair = await joinedClient(server, room.roomId, 'Vorsitz', { moderatorKey: room.moderatorKey });
    const run = runSipp(target, scenario('dial-in', [
      invite(), '<recv response="100" optional="true"/>', '<recv response="180" optional="true"/>', '<recv response="200"/>', ACK(),
      '<pause milliseconds="500"/>', keys(`${r.record.dialInId}#${r.record.dialInPin}#`), RECV_BYE,
    ].join('\n')));
    const phone = await until(() => [...r.peers.values()].find((p) => p.channel === 'phone'), 30_000, 'the phone participant');
    expect(phone.name).toBe('Phone …6789');
    await chair.client.notified('peerJoined', (d) => d.peer.channel === 'phone');
    await until(() => phone.producers.size === 1, 5000, 'the phone producer');
    await chair.client.ok('remove', { peerId: phone.id, ban: false });
    ok(await run);
    const attendance = r.meeting.stores.attendance.all(r.id).find((a) => a.peerId === phone.id);
    expect(attendance?.channel).toBe('phone');
  }, 60_000);

  it('three wrong PINs end the call', async () => {
    const room = await createRoom(server);
    const id = server.registry.get(room.roomId)!.record.dialInId;
    const res = await runSipp(target, scenario('wrong-pin', [
      invite(undefined, '+4911111'), '<recv response="100" optional="true"/>', '<recv response="180" optional="true"/>', '<recv response="200"/>', ACK('+4911111'),
      '<pause milliseconds="300"/>', keys(`${id}#000000#`, 250), '<pause milliseconds="300"/>', keys('1#2#', 250), '<pause milliseconds="300"/>', keys('1#2#', 250),
      RECV_BYE,
    ].join('\n')));
    ok(res);
  }, 90_000);

  it('SDP without a usable codec gets 488; the gateway keeps working', async () => {
    ok(await runSipp(target, scenario('no-codec', [
      invite(OFFER('9 111', 'a=rtpmap:9 G722/8000\na=rtpmap:111 opus/48000/2')), '<recv response="100" optional="true"/>', '<recv response="488"/>',
      `<send><![CDATA[
ACK sip:thinline@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: sipp <sip:+4930123456789@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:thinline@[remote_ip]:[remote_port]>[peer_tag_param]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0
]]></send>`,
    ].join('\n'))));
    ok(await runSipp(target, scenario('options', `${inDialog('OPTIONS', 1).replace('[peer_tag_param]', '')}\n<recv response="200"/>`)));
  });

  it('re-INVITE, INFO keypad and BYE from the caller', async () => {
    ok(await runSipp(target, scenario('reinvite-bye', [
      invite(), '<recv response="100" optional="true"/>', '<recv response="180" optional="true"/>', '<recv response="200"/>', ACK(),
      inDialog('INVITE', 2, undefined, OFFER()).replace('CSeq: 2 INVITE', 'CSeq: 2 INVITE'), '<recv response="200"/>',
      ACK().replace('CSeq: 1 ACK', 'CSeq: 2 ACK'),
      inDialog('INFO', 3, undefined, 'Signal=5\nDuration=160', 'application/dtmf-relay'), '<recv response="200"/>',
      inDialog('BYE', 4), '<recv response="200"/>',
    ].join('\n'))));
    await until(() => server.phone!.calls.size === 0, 5000, 'the call to end');
  });

  it('ten callers at once', async () => {
    const res = await runSipp(target, scenario('ten', [
      invite(), '<recv response="100" optional="true"/>', '<recv response="180" optional="true"/>', '<recv response="200"/>', ACK(), '<pause milliseconds="1000"/>', inDialog('BYE', 2), '<recv response="200"/>',
    ].join('\n')), { calls: 10, rate: 10 });
    ok(res);
    await until(() => server.phone!.calls.size === 0, 5000, 'all calls to end');
  }, 60_000);

  it('CANCEL while it rings: 200 for the CANCEL, 487 for the INVITE', async () => {
    ok(await runSipp(target, scenario('cancel', [
      invite(), '<recv response="100" optional="true"/>', '<recv response="180"/>',
      `<send><![CDATA[
CANCEL sip:thinline@[remote_ip]:[remote_port] SIP/2.0
[last_Via:]
From: sipp <sip:+4930123456789@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:thinline@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 CANCEL
Max-Forwards: 70
Content-Length: 0
]]></send>`,
      '<recv response="200"/>', '<recv response="487"/>',
      ACK().replace('[peer_tag_param]', '[peer_tag_param]'),
    ].join('\n'))));
    await until(() => server.phone!.calls.size === 0, 5000, 'no call left');
  });

  it('RTP from a foreign address after latching is ignored; the call goes on', async () => {
    const run = runSipp(target, scenario('latch', [
      invite(), '<recv response="100" optional="true"/>', '<recv response="180" optional="true"/>', '<recv response="200"/>', ACK(),
      `<nop><action><exec play_pcap_audio="${PCAP_DIR}/g711a.pcap"/></action></nop>`, '<pause milliseconds="4000"/>', inDialog('BYE', 2), '<recv response="200"/>',
    ].join('\n')));
    const call = await until(() => [...server.phone!.calls.values()][0], 10_000, 'the call');
    await until(() => (server.phone!.stats.get(call.dialog.callId)?.rtpIn ?? 0) > 10, 10_000, 'RTP from sipp');
    const sock = createSocket('udp4');
    for (let i = 0; i < 20; i++) await new Promise<void>((r) => sock.send(Buffer.from([0x80, 8, 0, i, 0, 0, 0, 0, 0, 0, 0, 7, ...new Array(160).fill(0xd5)]), call.phonePort, '127.0.0.1', () => r()));
    sock.close();
    await until(() => (server.phone!.stats.get(call.dialog.callId)?.foreign ?? 0) >= 20, 5000, 'the foreign packets to be counted and dropped');
    ok(await run);
  }, 30_000);

  it('malformed, oversized and foreign-method SIP is answered or dropped, never a crash', async () => {
    const sock = createSocket('udp4');
    const send = (s: string | Buffer) => new Promise<void>((r) => sock.send(s, target.port, target.host, () => r()));
    await send('garbage\r\n\r\n');
    await send(Buffer.alloc(60_000, 0x41));
    await send('INVITE sip:x SIP/2.0\r\nVia: nonsense\r\nContent-Length: 99999999\r\n\r\n');
    await send('REGISTER sip:localhost SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKx\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: x1\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n');
    sock.close();
    ok(await runSipp(target, scenario('options', `${inDialog('OPTIONS', 1).replace('[peer_tag_param]', '')}\n<recv response="200"/>`)));
  });

  it('a flood of INVITEs from one address gets 503 once its budget is spent; nothing crashes', async () => {
    const sock = createSocket('udp4');
    const answers: string[] = [];
    sock.on('message', (m) => answers.push(String(m).split('\r\n')[0]!));
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    const port = sock.address().port;
    const sdp = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 8\r\n';
    for (let i = 0; i < 40; i++) {
      const msg = `INVITE sip:thinline@127.0.0.1:${target.port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKflood${i}\r\nFrom: <sip:flood@127.0.0.1>;tag=f${i}\r\nTo: <sip:thinline@127.0.0.1>\r\nCall-ID: flood-${i}\r\nCSeq: 1 INVITE\r\nContact: <sip:flood@127.0.0.1:${port}>\r\nContent-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`;
      sock.send(msg, target.port, '127.0.0.1');
    }
    await until(() => answers.filter((a) => a.includes('503')).length >= 20, 10_000, 'the 503 answers');
    sock.close();
    for (const c of [...server.phone!.calls.values()]) c.hangup();
  });
});
