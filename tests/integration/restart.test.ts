// Durable before acknowledged: the server is killed with SIGKILL in the middle of a
// meeting and started again on the same data directory. Settings, roles, the lock, chat,
// polls and the event log are all there, and the participants resume their seats.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { FAKE_DTLS, OPUS_PARAMS, TestClient, until } from './harness.js';

const dataDir = mkdtempSync(join(tmpdir(), 'thinline-restart-'));
let child: ChildProcess | null = null;
const children: ChildProcess[] = [];

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address() as { port: number }; s.close(() => resolve(port)); });
  });
}

async function start(port: number): Promise<{ url: string }> {
  child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    env: { ...process.env, THINLINE_PORT: String(port), THINLINE_RTC_PORT: '0', THINLINE_WORKERS: '1', THINLINE_DATA_DIR: dataDir, THINLINE_LOG_LEVEL: 'warn', THINLINE_CLIENT_DIR: '/nonexistent' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try { if ((await fetch(`${url}/api/health`)).ok) return { url }; } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error('server did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
}

afterAll(() => { for (const c of children) c.kill('SIGKILL'); });

/** A new room ("Rat") with its chair joined as moderator. */
async function councilWithChair(server: { url: string }, lobby: boolean) {
  const created = await (await fetch(`${server.url}/api/rooms`, { method: 'POST', body: JSON.stringify({ name: 'Rat', lobby }) })).json() as { roomId: string; moderatorUrl: string };
  const roomId = created.roomId;
  const chair = await TestClient.connect(server);
  const { rtpCapabilities } = await chair.ok('routerCapabilities', { roomId });
  const caps = rtpCapabilities as never;
  const chairJoin = await chair.join({ roomId, name: 'Vorsitz', rtpCapabilities: caps, moderatorKey: new URL(created.moderatorUrl).hash.replace('#mod=', '') });
  return { roomId, chair, chairJoin, caps };
}

it('a SIGKILL mid-meeting loses nothing acknowledged, and participants resume', async () => {
  const port = await freePort();
  let server = await start(port);
  const { roomId, chair, chairJoin, caps } = await councilWithChair(server, true);
  const member = await TestClient.connect(server);
  expect((await member.ok('join', { roomId, name: 'Ratsmitglied', rtpCapabilities: caps })).status).toBe('waiting');
  const waiting = await chair.notified('lobbyChanged', (d) => d.waiting.length === 1);
  await chair.ok('admit', { peerIds: [waiting.waiting[0]!.id] });
  const memberJoin = await member.join({ roomId, name: 'x', rtpCapabilities: caps, ticket: (await member.notified('admitted')).ticket });
  const send = await member.ok('createTransport', { direction: 'send' });
  await member.ok('connectTransport', { transportId: send.id, dtlsParameters: FAKE_DTLS });
  await member.ok('produce', { transportId: send.id, kind: 'audio', source: 'mic', rtpParameters: OPUS_PARAMS });

  await chair.ok('setSettings', { locked: true, onlyChairUnmutes: true, chatEnabled: true, speakingTimeS: 90 });
  await chair.ok('setRole', { peerId: memberJoin.peerId, role: 'guest' });
  await chair.ok('mute', { peerId: memberJoin.peerId });
  const msg = (await member.ok('chatSend', { text: 'Antrag auf Vertagung' })).message;
  const { poll } = await chair.ok('pollCreate', { question: 'Pause?', options: ['Ja', 'Nein'], multiple: false, anonymous: true, liveResults: false });
  await member.ok('pollAnswer', { pollId: poll.id, choices: [0] });

  // Everything above was acknowledged. Now the process dies without a chance to flush anything.
  child!.kill('SIGKILL');
  await until(() => child!.exitCode !== null || child!.signalCode !== null, 10_000, 'the server to die');
  server = await start(port);

  const chair2 = await TestClient.connect(server);
  const back = await chair2.join({ roomId, name: 'Vorsitz', rtpCapabilities: caps, resumeToken: chairJoin.resumeToken });
  expect(back).toMatchObject({ resumed: true, peerId: chairJoin.peerId, role: 'moderator', mediaReset: true });
  expect(back.meeting.settings).toEqual({ lobby: true, locked: true, chatEnabled: true, onlyChairUnmutes: true, speakingTimeS: 90 });
  expect(back.meeting.chat.map((m) => [m.id, m.text])).toEqual([[msg.id, 'Antrag auf Vertagung']]);
  expect(back.meeting.polls).toHaveLength(1);
  expect(back.meeting.polls[0]).toMatchObject({ id: poll.id, answered: 1, closed: false });
  const seen = back.peers.find((p) => p.id === memberJoin.peerId)!;
  expect(seen).toMatchObject({ role: 'guest', mutedByChair: true, name: 'Ratsmitglied' });

  const member2 = await TestClient.connect(server);
  const memberBack = await member2.join({ roomId, name: 'Ratsmitglied', rtpCapabilities: caps, resumeToken: memberJoin.resumeToken });
  expect(memberBack).toMatchObject({ resumed: true, peerId: memberJoin.peerId, role: 'guest' });
  expect(memberBack.meeting.polls[0]!.mine).toEqual([0]);
  // The poll answer counted before the crash still counts once: a second answer is refused.
  expect((await member2.call('pollAnswer', { pollId: poll.id, choices: [1] })).error?.code).toBe('invalid_state');
  // Still locked: a newcomer is refused.
  const late = await TestClient.connect(server);
  expect((await late.call('join', { roomId, name: 'Spät', rtpCapabilities: caps })).error?.code).toBe('room_locked');
  // The chair can close the poll after the restart.
  expect((await chair2.ok('pollClose', { pollId: poll.id })).poll.counts).toEqual([1, 0]);

  const db = new Database(join(dataDir, 'thinline.db'), { readonly: true });
  const actions = (db.prepare('SELECT action FROM meeting_events WHERE room_id = ? ORDER BY id').all(roomId) as { action: string }[]).map((r) => r.action);
  db.close();
  expect(actions).toEqual(expect.arrayContaining(['joined', 'admitted', 'settings', 'role', 'muted', 'pollCreated', 'pollClosed']));
  expect(actions.indexOf('admitted')).toBeLessThan(actions.indexOf('settings'));
}, 90_000);

it('a SIGKILL during a secret vote loses no acknowledged ballot; after the restart the chair closes it', async () => {
  const port = await freePort();
  let server = await start(port);
  const { roomId, chair, chairJoin, caps } = await councilWithChair(server, false);
  const voters = [];
  for (let i = 0; i < 4; i++) { const c = await TestClient.connect(server); voters.push({ c, j: await c.join({ roomId, name: `Mitglied ${i}`, rtpCapabilities: caps }) }); }
  const eligible = [chairJoin.peerId, ...voters.map((v) => v.j.peerId)];
  const { motion } = await chair.ok('motionOpen', { title: 'Haushalt 2027', allowAbstain: true, kind: 'secret', eligible, rule: 'simple', quorum: null, durationS: null });
  const tokens = await Promise.all(voters.map((v) => v.c.notified('ballotToken')));
  // Three ballots acknowledged, then the process dies.
  for (let i = 0; i < 3; i++) await voters[i]!.c.ok('ballotCast', { motionId: motion.id, choices: [i === 2 ? 1 : 0], token: tokens[i]!.token });
  child!.kill('SIGKILL');
  await until(() => child!.exitCode !== null || child!.signalCode !== null, 10_000, 'the server to die');
  server = await start(port);

  const chair2 = await TestClient.connect(server);
  const back = await chair2.join({ roomId, name: 'Vorsitz', rtpCapabilities: caps, resumeToken: chairJoin.resumeToken });
  expect(back.resumed).toBe(true);
  // The fourth voter comes back and may still vote (a new token: the old one was never linked to them).
  const v4 = await TestClient.connect(server);
  await v4.join({ roomId, name: 'Mitglied 3', rtpCapabilities: caps, resumeToken: voters[3]!.j.resumeToken });
  // One who already voted cannot vote again after the restart.
  const v0 = await TestClient.connect(server);
  await v0.join({ roomId, name: 'Mitglied 0', rtpCapabilities: caps, resumeToken: voters[0]!.j.resumeToken });
  expect((await v0.call('ballotToken', { motionId: motion.id })).error?.code).toBe('invalid_state');
  const { token } = await v4.ok('ballotToken', { motionId: motion.id });
  await v4.ok('ballotCast', { motionId: motion.id, choices: [2], token });
  const closed = (await chair2.ok('motionClose', { motionId: motion.id })).motion;
  expect(closed.result).toMatchObject({ counts: [2, 1, 1], cast: 4, outcome: 'accepted' });
  const { verifyReport } = await import('../../verify/verify.js');
  const { report } = await chair2.ok('motionReport', { motionId: motion.id });
  expect(verifyReport(report).valid).toBe(true);
  expect(report.entries.filter((e) => e.type === 'voted')).toHaveLength(4);
}, 90_000);
