// Audit-proof votes over the real protocol: roll-call, live roll-call and secret ballots;
// the one-ballot rule; bad input; the report verified by the independent verifier and
// rejected after every kind of tampering; and no stored link between a secret voter and
// their choice (database and logs inspected).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VoteReport } from '../../protocol/index.js';
import { addLogSink, getLogLevel, setLogLevel } from '../../server/src/log.js';
import type { Server } from '../../server/src/server.js';
import { verifyReport } from '../../verify/verify.js';
import { createRoom, joinedClient, TestClient, testServer, until } from './harness.js';

let server: Server;
beforeAll(async () => { server = await testServer(); });
afterAll(() => server?.close());

type J = Awaited<ReturnType<typeof joinedClient>>;
async function council(members: number) {
  const room = await createRoom(server);
  const chair = await joinedClient(server, room.roomId, 'Chair', { moderatorKey: room.moderatorKey });
  const people: J[] = [];
  for (let i = 0; i < members; i++) people.push(await joinedClient(server, room.roomId, `Member ${i + 1}`));
  return { room, chair, people, ids: [chair, ...people].map((p) => p.join.peerId) };
}
const open = (j: J, eligible: string[], extra: Record<string, unknown> = {}) => j.client.ok('motionOpen', {
  title: 'Bebauungsplan Nr. 12', text: 'Beschlussvorlage 2026/114', allowAbstain: true, kind: 'roll-call', eligible, rule: 'simple', quorum: null, durationS: null, ...extra,
} as never);

describe('roll-call', () => {
  let report: VoteReport;

  it('one ballot per voter, bad ballots refused, result and a report the verifier accepts', async () => {
    const { room, chair, people, ids } = await council(3);
    const { motion } = await open(chair, ids);
    expect(motion).toMatchObject({ state: 'open', kind: 'roll-call', options: ['yes', 'no', 'abstain'], voted: 0, eligibleMe: true });
    const r1 = await people[0]!.client.ok('ballotCast', { motionId: motion.id, choices: [0] });
    expect(r1.receipt.entryHash).toMatch(/^[0-9a-f]{64}$/);
    // Refused, and nothing changes:
    expect((await people[0]!.client.call('ballotCast', { motionId: motion.id, choices: [1] })).error?.code).toBe('invalid_state'); // twice
    expect((await people[1]!.client.call('ballotCast', { motionId: motion.id, choices: [3] })).error?.code).toBe('bad_request'); // no such option
    expect((await people[1]!.client.call('ballotCast', { motionId: motion.id, choices: [0, 1] })).error?.code).toBe('bad_request');
    expect((await people[1]!.client.call('ballotCast', { motionId: 'no-such-motion-00', choices: [0] })).error?.code).toBe('not_found');
    expect((await people[1]!.client.call('ballotCast', { motionId: motion.id, choices: [0], token: 'AAAAAAAAAAAAAAAAAAAAAA' })).error?.code).toBe('bad_request');
    expect((await people[1]!.client.call('motionClose', { motionId: motion.id })).error?.code).toBe('forbidden');
    expect((await people[1]!.client.call('motionOpen', { title: 'x', allowAbstain: true, kind: 'secret', eligible: ids, rule: 'simple', quorum: null, durationS: null })).error?.code).toBe('forbidden');
    // Someone who came later is not on the eligible list: refused.
    const late = await joinedClient(server, room.roomId, 'Late');
    expect((await late.client.call('ballotCast', { motionId: motion.id, choices: [0] })).error?.code).toBe('forbidden');
    await people[1]!.client.ok('ballotCast', { motionId: motion.id, choices: [0] });
    await people[2]!.client.ok('ballotCast', { motionId: motion.id, choices: [2] });
    await chair.client.ok('ballotCast', { motionId: motion.id, choices: [1] });
    await people[2]!.client.ok('voteProblem', { motionId: motion.id, kind: 'audio', text: 'Ich habe die Frage nicht gehört' });
    // Roll-call: names are published at the end, not during the vote.
    expect((await people[0]!.client.notified('motionVoted', (d) => d.voted === 4)).vote).toBeNull();
    const closed = (await chair.client.ok('motionClose', { motionId: motion.id })).motion;
    expect(closed.result).toMatchObject({ outcome: 'accepted', counts: [2, 1, 1], cast: 4, eligible: 4, presentAtOpen: 4, presentAtClose: 4 });
    late.client.close();
    expect(closed.votes?.map((v) => `${v.name}:${v.choices}`).sort()).toEqual(['Chair:1', 'Member 1:0', 'Member 2:0', 'Member 3:2']);
    for (const p of people) expect((await p.client.notified('motion', (d) => d.motion.state === 'closed')).motion.result?.outcome).toBe('accepted');
    expect((await people[1]!.client.call('ballotCast', { motionId: motion.id, choices: [0] })).error?.code).toBe('invalid_state'); // closed
    report = (await people[0]!.client.ok('motionReport', { motionId: motion.id })).report;
    const v = verifyReport(report, server.voteKey.publicKeyPem);
    expect(v.findings.filter((f) => !f.ok)).toEqual([]);
    expect(v.valid).toBe(true);
    expect(report.entries.map((e) => e.type)).toEqual(['opened', 'ballot', 'ballot', 'ballot', 'ballot', 'problem', 'closed', 'result']);
    expect(await (await fetch(`${server.url}/.well-known/thinline-vote-key`)).text()).toBe(server.voteKey.publicKeyPem);
  });

  const clone = (): VoteReport => JSON.parse(JSON.stringify(report)) as VoteReport;
  it.each([
    ['a changed choice', (r: VoteReport) => { (r.entries[2]!.data.choices as number[])[0] = 1; }, /entry 2 \(ballot\): its content was changed/],
    ['a changed byte in the opening', (r: VoteReport) => { r.entries[0]!.data.title = 'Bebauungsplan Nr. 13'; }, /entry 0 \(opened\)/],
    ['a changed problem report', (r: VoteReport) => { r.entries[5]!.data.text = 'alles gut'; }, /entry 5 \(problem\)/],
    ['two entries swapped', (r: VoteReport) => { const [a, b] = [r.entries[1]!, r.entries[2]!]; r.entries[1] = b; r.entries[2] = a; }, /entry 1: sequence number 2/],
    ['an entry dropped', (r: VoteReport) => { r.entries.splice(3, 1); }, /entry 3: sequence number 4/],
    ['an entry duplicated', (r: VoteReport) => { r.entries.splice(3, 0, { ...r.entries[3]! }); }, /entry 4: sequence number 3/],
    ['an entry added at the end', (r: VoteReport) => { r.entries.push({ ...r.entries.at(-1)!, seq: r.entries.length }); }, /does not follow|head/],
    ['the result altered', (r: VoteReport) => { (r.entries.at(-1)!.data as Record<string, unknown>).outcome = 'rejected'; }, /entry 7 \(result\): its content was changed/],
    ['the signature swapped', (r: VoteReport) => { r.signature = Buffer.alloc(64, 7).toString('base64'); }, /signature invalid/],
  ])('rejects %s, naming the entry', (_what, tamper, message) => {
    const r = clone();
    tamper(r);
    const v = verifyReport(r, server.voteKey.publicKeyPem);
    expect(v.valid).toBe(false);
    expect(v.findings.filter((f) => !f.ok).map((f) => f.en).join('\n')).toMatch(message);
  });

  it('rejects a report re-signed with another key, and a report whose key was swapped', async () => {
    const { generateKeyPairSync, sign } = await import('node:crypto');
    const { canonicalJson } = await import('../../protocol/canonical.js');
    const other = generateKeyPairSync('ed25519');
    const r = clone();
    (r.entries.at(-1)!.data as Record<string, unknown>).outcome = 'rejected';
    r.signature = sign(null, Buffer.from(canonicalJson({ motionId: r.motionId, head: r.head, result: r.entries.at(-1)!.data } as never)), other.privateKey).toString('base64');
    r.publicKey = other.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const v = verifyReport(r, server.voteKey.publicKeyPem);
    expect(v.valid).toBe(false);
    expect(v.findings.map((f) => f.en).join('\n')).toMatch(/another public key|signature invalid/);
  });

  it('the command line says valid (0), invalid (1) or unreadable (2), in German or English', () => {
    const dir = mkdtempSync(join(tmpdir(), 'thinline-verify-'));
    const good = join(dir, 'report.json');
    const key = join(dir, 'key.pem');
    writeFileSync(good, JSON.stringify(report));
    writeFileSync(key, server.voteKey.publicKeyPem);
    const run = (file: string, lang = 'en') => spawnSync(process.execPath, ['--import', 'tsx', 'verify/cli.ts', file, '--key', key, '--lang', lang], { encoding: 'utf8' });
    const okRun = run(good);
    expect(okRun.status).toBe(0);
    expect(okRun.stdout).toMatch(/VALID: motion/);
    const tampered = clone();
    (tampered.entries[2]!.data.choices as number[])[0] = 1;
    const badFile = join(dir, 'tampered.json');
    writeFileSync(badFile, JSON.stringify(tampered));
    const badRun = run(badFile, 'de');
    expect(badRun.status).toBe(1);
    expect(badRun.stdout).toMatch(/UNGÜLTIG/);
    expect(badRun.stdout).toMatch(/Eintrag 2 \(ballot\)/);
    writeFileSync(join(dir, 'junk.json'), '{"not": "json"');
    expect(run(join(dir, 'junk.json')).status).toBe(2);
  });
});

describe('live roll-call', () => {
  it('shows each vote as it comes', async () => {
    const { chair, people, ids } = await council(2);
    const { motion } = await open(chair, ids, { kind: 'live-roll-call', rule: 'two-thirds', allowAbstain: false });
    expect(motion.options).toEqual(['yes', 'no']);
    await people[0]!.client.ok('ballotCast', { motionId: motion.id, choices: [0] });
    const seen = await people[1]!.client.notified('motionVoted', (d) => d.voted === 1);
    expect(seen.vote).toEqual({ voter: people[0]!.join.peerId, name: 'Member 1', choices: [0] });
  });
});

describe('secret ballot', () => {
  it('tokens, no double voting, forged and reused tokens refused, and no link between voter and choice anywhere', async () => {
    const lines: string[] = [];
    const level = getLogLevel();
    setLogLevel('debug');
    const stop = addLogSink((l) => lines.push(l));
    try {
      const { chair, people, ids } = await council(3);
      const { motion } = await open(chair, ids, { kind: 'secret', rule: 'absolute' });
      const tokens = await Promise.all([chair, ...people].map((p) => p.client.notified('ballotToken', (d) => d.motionId === motion.id)));
      expect(new Set(tokens.map((t) => t.token)).size).toBe(4);
      const forged = await people[0]!.client.call('ballotCast', { motionId: motion.id, choices: [0], token: 'ForgedTokenForgedToken' });
      expect(forged.error?.code).toBe('forbidden');
      expect((await people[0]!.client.call('ballotCast', { motionId: motion.id, choices: [0] })).error?.code).toBe('bad_request'); // no token
      const receipt = (await people[0]!.client.ok('ballotCast', { motionId: motion.id, choices: [0], token: tokens[1]!.token })).receipt;
      expect(receipt).toEqual({ token: tokens[1]!.token, entryHash: null });
      // Reusing that token (someone else) or voting twice (same voter, new token) is refused.
      expect((await people[1]!.client.call('ballotCast', { motionId: motion.id, choices: [1], token: tokens[1]!.token })).error?.code).toBe('forbidden');
      const fresh = (await people[0]!.client.call('ballotToken', { motionId: motion.id })).error?.code;
      expect(fresh).toBe('invalid_state');
      await people[1]!.client.ok('ballotCast', { motionId: motion.id, choices: [0], token: tokens[2]!.token });
      await people[2]!.client.ok('ballotCast', { motionId: motion.id, choices: [1], token: tokens[3]!.token });
      await chair.client.ok('ballotCast', { motionId: motion.id, choices: [0], token: tokens[0]!.token });
      // During the vote nobody sees choices, only the turnout.
      expect(await people[2]!.client.notified('motionVoted', (d) => d.voted === 4)).toEqual({ motionId: motion.id, voted: 4, vote: null });
      const closed = (await chair.client.ok('motionClose', { motionId: motion.id })).motion;
      expect(closed.result).toMatchObject({ outcome: 'accepted', counts: [3, 1, 0], cast: 4 });
      expect(closed.votes).toBeNull();
      const report = (await people[0]!.client.ok('motionReport', { motionId: motion.id })).report;
      expect(verifyReport(report).valid).toBe(true);
      // The voter finds their ballot by its token in the published report.
      const mine = report.entries.find((e) => e.type === 'ballot' && e.data.token === receipt.token)!;
      expect(mine.data.choices).toEqual([0]);
      // No entry names a voter next to a choice.
      for (const e of report.entries) if (e.type === 'ballot') expect(Object.keys(e.data).sort()).toEqual(['choices', 'token']);
      for (const e of report.entries) if (e.type === 'voted') expect(e.data.choices).toBeUndefined();
      // The database: turnout has no choice, ballots have no voter, no table joins them.
      const db = server.db;
      const cols = (t: string) => (db.prepare(`PRAGMA table_info(${t})`).all() as { name: string }[]).map((c) => c.name).sort();
      expect(cols('vote_turnout')).toEqual(['motion_id', 'peer_id']);
      expect(cols('secret_ballots')).toEqual(['choices', 'motion_id', 'token']);
      expect(cols('vote_tokens')).toEqual(['motion_id', 'token_hash', 'used']);
      const all = JSON.stringify(db.prepare('SELECT * FROM secret_ballots WHERE motion_id = ?').all(motion.id));
      for (const id of ids) expect(all).not.toContain(id);
      const ledgerRows = db.prepare("SELECT entry FROM ledger_entries WHERE motion_id = ?").all(motion.id) as { entry: string }[];
      for (const r of ledgerRows) { const e = JSON.parse(r.entry); if (e.data.choices) expect(e.data.voter).toBeUndefined(); }
      // The logs never carry a token or a choice next to a voter.
      const log = lines.join('\n');
      for (const t of tokens) expect(log).not.toContain(t.token);
    } finally {
      stop();
      setLogLevel(level);
    }
  });

  it('a quorum not present at opening refuses to open; guests and absent people cannot be eligible by mistake', async () => {
    const { chair, ids } = await council(1);
    expect((await open(chair, ids, { quorum: 3 }).catch((e: Error) => e.message))).toMatch(/invalid_state quorum: 2 eligible voters present, 3 needed/);
    expect((await chair.client.call('motionOpen', { title: 'x', allowAbstain: true, kind: 'secret', eligible: ['nobody-at-all-000'], rule: 'simple', quorum: null, durationS: null })).error?.code).toBe('not_found');
    const outsider = await TestClient.connect(server);
    expect((await outsider.call('ballotCast', { motionId: 'whatever-motion-0', choices: [0] })).error?.code).toBe('not_joined');
  });
});

describe('a vote with a time limit', () => {
  it('closes itself when the time is up, also after a restart, and the minutes record it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'thinline-votetimer-'));
    let s = await testServer({ dataDir });
    try {
      const room = await createRoom(s);
      const chair = await joinedClient(s, room.roomId, 'Chair', { moderatorKey: room.moderatorKey });
      const { motion } = await chair.client.ok('motionOpen', { title: 'Eilantrag', allowAbstain: true, kind: 'roll-call', eligible: [chair.join.peerId], rule: 'simple', quorum: null, durationS: 600 });
      await chair.client.ok('ballotCast', { motionId: motion.id, choices: [0] });
      s.close();
      // The time runs out while the server is down.
      const { default: Database } = await import('better-sqlite3');
      const db = new Database(join(dataDir, 'thinline.db'));
      const params = JSON.parse((db.prepare('SELECT params FROM motions WHERE id = ?').get(motion.id) as { params: string }).params);
      db.prepare('UPDATE motions SET params = ? WHERE id = ?').run(JSON.stringify({ ...params, closesAt: Date.now() - 1000 }), motion.id);
      db.close();
      s = await testServer({ dataDir });
      const r = s.registry.get(room.roomId)!;
      await until(() => r.votes.get(motion.id)!.state === 'closed', 5000, 'the vote to close by its timer');
      expect(r.votes.get(motion.id)!.view('x').result).toMatchObject({ outcome: 'accepted', counts: [1, 0, 0] });
      expect(r.minutes.text).toContain('[Abstimmung] Eilantrag: accepted (Ja 1, Nein 0, Enthaltung 0; 1 von 1)');
      expect(verifyReport(r.votes.report(r.votes.get(motion.id)!)).valid).toBe(true);
    } finally {
      s.close();
    }
  });
});
