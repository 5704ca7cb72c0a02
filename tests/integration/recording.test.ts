// Recording: consent (default no, asked of everyone, withdrawable, gone with the person),
// moderators only, interruption and resume as a new part, durable log in the minutes and
// across a restart; the archive: chunked resumable upload, limits, moderators only,
// download, delete, and deletion when the retention period ends.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isRecorded } from '../../protocol/index.js';
import type { Server } from '../../server/src/server.js';
import { createRoom, joinedClient, testServer } from './harness.js';

let server: Server | null = null;
afterEach(() => { server?.close(); server = null; });

describe('consent and control', () => {
  it('only moderators record; everyone is asked (no answer = not recorded); answers can be withdrawn; the log is in the minutes and survives a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'thinline-rec-'));
    server = await testServer({ dataDir });
    const room = await createRoom(server);
    const chair = await joinedClient(server, room.roomId, 'Vorsitz', { moderatorKey: room.moderatorKey });
    const anna = await joinedClient(server, room.roomId, 'Anna');
    const bert = await joinedClient(server, room.roomId, 'Bert');

    expect((await anna.client.call('recordingStart', { kind: 'video' })).error?.code).toBe('forbidden');
    expect((await anna.client.call('recordingConsent', { consent: true })).error?.code).toBe('invalid_state');
    const { recording } = await chair.client.ok('recordingStart', { kind: 'video' });
    expect(recording.byName).toBe('Vorsitz');
    expect(recording.consents).toEqual({ [chair.join.peerId]: true });
    const seen = await anna.client.notified('recording', (d) => d.recording !== null);
    expect(isRecorded(seen.recording, anna.join.peerId)).toBe(false);
    expect((await chair.client.call('recordingStart', { kind: 'audio' })).error?.code).toBe('invalid_state');

    await anna.client.ok('recordingConsent', { consent: true });
    await bert.client.ok('recordingConsent', { consent: false });
    const both = await chair.client.notified('recording', (d) => d.recording?.consents[bert.join.peerId] === false);
    expect(isRecorded(both.recording, anna.join.peerId)).toBe(true);
    expect(isRecorded(both.recording, bert.join.peerId)).toBe(false);

    // A late joiner is asked too: the join answer carries the running recording.
    const carl = await joinedClient(server, room.roomId, 'Carl');
    expect(carl.join.recording?.id).toBe(recording.id);
    expect(isRecorded(carl.join.recording, carl.join.peerId)).toBe(false);

    // Withdrawn: out from now on. Paused: nobody is recorded.
    await anna.client.ok('recordingConsent', { consent: false });
    expect(isRecorded(server.registry.get(room.roomId)!.recording.state, anna.join.peerId)).toBe(false);
    await chair.client.ok('recordingPause', { paused: true });
    expect(isRecorded(server.registry.get(room.roomId)!.recording.state, chair.join.peerId)).toBe(false);
    expect((await anna.client.call('recordingPause', { paused: false })).error?.code).toBe('forbidden');
    await chair.client.ok('recordingPause', { paused: false });

    // Someone who leaves takes their answer with them.
    await carl.client.ok('recordingConsent', { consent: true });
    await carl.client.ok('leave', {});
    expect(server.registry.get(room.roomId)!.recording.state?.consents[carl.join.peerId]).toBeUndefined();

    // The minutes list every step with names.
    const { text } = await chair.client.ok('minutesExport', { format: 'markdown' });
    expect(text).toContain('## Aufzeichnung');
    expect(text).toMatch(/Aufzeichnung gestartet \(Vorsitz\)/);
    expect(text).toMatch(/Einwilligung verweigert \(Bert\)/);
    expect(text).toMatch(/Einwilligung widerrufen \(Anna\)/);
    expect(text).toMatch(/Aufzeichnung angehalten/);

    // A restart: the recording browser is gone for now, so the recording is interrupted, not lost.
    server.close();
    server = await testServer({ dataDir });
    const chair2 = await joinedClient(server, room.roomId, 'Vorsitz', { moderatorKey: room.moderatorKey });
    expect(chair2.join.recording?.id).toBe(recording.id);
    expect(chair2.join.recording?.status).toBe('interrupted');
    expect((await chair2.client.call('recordingStart', { kind: 'video' })).error?.code).toBe('invalid_state');
    const resumed = await chair2.client.ok('recordingStart', { kind: 'video', resume: recording.id });
    expect(resumed.recording.part).toBe(2);
    expect(resumed.recording.status).toBe('recording');
    await chair2.client.ok('recordingStop', {});
    expect(server.registry.get(room.roomId)!.recording.state).toBeNull();
    const events = server.registry.get(room.roomId)!.recording.events(recording.id).map((e) => e.type);
    expect(events).toEqual(['started', 'consentGiven', 'consentGiven', 'consentDeclined', 'consentWithdrawn', 'paused', 'resumed', 'consentGiven', 'left', 'left', 'interrupted', 'partStarted', 'consentGiven', 'stopped']);
  }, 30_000);

  it('the recording browser leaving interrupts the recording; another moderator resumes it as a new part', async () => {
    server = await testServer({ reconnectGraceMs: 0 });
    const room = await createRoom(server);
    const a = await joinedClient(server, room.roomId, 'Chair A', { moderatorKey: room.moderatorKey });
    const b = await joinedClient(server, room.roomId, 'Chair B', { moderatorKey: room.moderatorKey });
    const { recording } = await a.client.ok('recordingStart', { kind: 'audio' });
    expect((await b.client.call('recordingStart', { kind: 'audio', resume: recording.id })).error?.code).toBe('invalid_state');
    await a.client.ok('leave', {});
    await b.client.notified('recording', (d) => d.recording?.status === 'interrupted');
    const r = await b.client.ok('recordingStart', { kind: 'audio', resume: recording.id });
    expect(r.recording).toMatchObject({ byName: 'Chair B', part: 2, status: 'recording' });
    expect((await b.client.call('recordingStart', { kind: 'audio', resume: 'nonexistent1' })).error?.code).toBe('not_found');
  });
});

describe('archive', () => {
  async function setup(limits: Record<string, number> = {}) {
    server = await testServer({ limits });
    const room = await createRoom(server);
    const chair = await joinedClient(server, room.roomId, 'Vorsitz', { moderatorKey: room.moderatorKey });
    const member = await joinedClient(server, room.roomId, 'Mitglied');
    const { recording } = await chair.client.ok('recordingStart', { kind: 'video' });
    await member.client.ok('recordingConsent', { consent: true });
    await chair.client.ok('recordingStop', {});
    const grant = await chair.client.ok('recordingArchive', {});
    return { room, chair, member, recording, grant, base: `${server.url}/api/recordings` };
  }
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });

  it('a chunked upload resumes at its offset, lands in the archive with metadata, downloads intact, and only for moderators', async () => {
    const { chair, member, recording, grant, base } = await setup();
    expect((await member.client.call('recordingArchive', {})).error?.code).toBe('forbidden');
    const file = Buffer.alloc(9 * 1024 * 1024 + 123);
    for (let i = 0; i < file.length; i++) file[i] = (i * 7 + (i >> 11)) & 0xff;

    const begin = await fetch(`${base}/uploads`, { method: 'POST', headers: auth(grant.token), body: JSON.stringify({ recordingId: recording.id, kind: 'video', filename: 'sitzung.webm', size: file.length }) });
    expect(begin.status).toBe(201);
    const { uploadId } = (await begin.json()) as { uploadId: string };
    const put = (offset: number, body: Buffer, token = grant.token) => fetch(`${base}/uploads/${uploadId}?offset=${offset}`, { method: 'PUT', headers: auth(token), body: new Uint8Array(body) });
    const chunk = 4 * 1024 * 1024;
    expect((await put(0, file.subarray(0, chunk))).status).toBe(200);
    // A repeated chunk (the answer was lost) is refused with where the upload stands.
    const again = await put(0, file.subarray(0, chunk));
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { message: string } }).error.message).toContain(String(chunk));
    const status = (await (await fetch(`${base}/uploads/${uploadId}`, { headers: auth(grant.token) })).json()) as { offset: number };
    expect(status.offset).toBe(chunk);
    // Too big for one request, and past the announced size.
    expect((await put(chunk, Buffer.alloc(chunk + 1))).status).toBe(413);
    expect((await put(chunk, Buffer.alloc(10))).status).toBe(200);
    const past = await put(chunk + 10, Buffer.alloc(file.length));
    expect(past.status).toBe(413);
    // Restart the second part properly: 10 bytes of zeros went in; the upload is at chunk+10.
    // (A client only sends what it read back from the status, so rewrite from there.)
    const rest = Buffer.concat([file.subarray(chunk + 10)]);
    let offset = chunk + 10;
    for (let i = 0; i < rest.length; i += chunk) {
      const r = await put(offset, rest.subarray(i, i + chunk));
      expect(r.status).toBe(200);
      offset += Math.min(chunk, rest.length - i);
    }
    const expected = Buffer.concat([file.subarray(0, chunk), Buffer.alloc(10), file.subarray(chunk + 10)]);

    const list = (await (await fetch(base, { headers: auth(grant.token) })).json()) as { items: { id: string; size: number; filename: string }[] };
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({ size: file.length, filename: 'sitzung.webm' });
    const id = list.items[0]!.id;
    const download = await fetch(`${base}/${id}/file?token=${encodeURIComponent(grant.token)}`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toContain('sitzung.webm');
    expect(Buffer.from(await download.arrayBuffer()).equals(expected)).toBe(true);
    // The sidecar metadata names who recorded and who was recorded.
    const meta = JSON.parse(readFileSync(join(server!.config.dataDir, 'recordings', `${id}.json`), 'utf8'));
    expect(meta.recordedBy).toEqual(['Vorsitz']);
    expect(meta.recorded.map((r: { name: string }) => r.name).sort()).toEqual(['Mitglied', 'Vorsitz']);

    // No token, a forged token, a participant: nothing.
    expect((await fetch(`${base}/${id}/file`)).status).toBe(401);
    expect((await fetch(`${base}/${id}/file?token=${grant.token.slice(0, -2)}xx`)).status).toBe(401);
    expect((await fetch(base, { headers: auth('garbage') })).status).toBe(401);
    // A moderator demoted after getting the token loses access.
    await chair.client.ok('setRole', { peerId: member.join.peerId, role: 'moderator' });
    const memberGrant = await member.client.ok('recordingArchive', {});
    await chair.client.ok('setRole', { peerId: member.join.peerId, role: 'participant' });
    expect((await fetch(base, { headers: auth(memberGrant.token) })).status).toBe(403);

    expect((await fetch(`${base}/${id}`, { method: 'DELETE', headers: auth(grant.token) })).status).toBe(200);
    expect((await fetch(`${base}/${id}/file?token=${encodeURIComponent(grant.token)}`)).status).toBe(404);
  }, 30_000);

  it('refuses oversized recordings, bad names, unknown recordings and too many uploads at once; retention deletes archived files', async () => {
    const { room, recording, grant, base } = await setup({ recordingMaxBytes: 1000, recordingUploads: 2 });
    const begin = (body: Record<string, unknown>) => fetch(`${base}/uploads`, { method: 'POST', headers: auth(grant.token), body: JSON.stringify({ recordingId: recording.id, kind: 'video', filename: 'a.webm', size: 10, ...body }) });
    expect((await begin({ size: 1001 })).status).toBe(413);
    expect((await begin({ filename: '../../etc/passwd.webm' })).status).toBe(400);
    expect((await begin({ filename: 'a.exe' })).status).toBe(400);
    expect((await begin({ kind: 'audio' })).status).toBe(400); // .webm for audio minutes
    expect((await begin({ recordingId: 'unknown-rec-1' })).status).toBe(404);
    const first = (await (await begin({})).json()) as { uploadId: string };
    expect((await begin({})).status).toBe(201);
    expect((await begin({})).status).toBe(429);
    // Finish one upload (it frees its place), then let its retention pass.
    expect((await fetch(`${base}/uploads/${first.uploadId}?offset=0`, { method: 'PUT', headers: auth(grant.token), body: new Uint8Array(10).fill(1) })).status).toBe(200);
    expect((await begin({})).status).toBe(201);
    const archive = server!.recordings.archive;
    expect(archive.list(room.roomId)).toHaveLength(1);
    expect(archive.sweep(Date.now() + 89 * 86_400_000)).toBe(0);
    expect(archive.sweep(Date.now() + 91 * 86_400_000)).toBe(1);
    expect((await (await fetch(base, { headers: auth(grant.token) })).json())).toEqual({ items: [] });
  });

  it('hostile requests to the archive get clear errors and break nothing', async () => {
    const { grant, base } = await setup();
    const raw = async (lines: string[]) => {
      const { connect } = await import('node:net');
      const port = Number(new URL(server!.url).port);
      return new Promise<string>((resolve) => {
        const sock = connect(port, '127.0.0.1', () => sock.write(lines.join('\r\n')));
        let out = '';
        sock.on('data', (d) => { out += String(d); if (out.includes('\r\n\r\n')) sock.end(); });
        sock.on('close', () => resolve(out.split('\r\n')[0] ?? ''));
        setTimeout(() => sock.destroy(), 5000).unref();
      });
    };
    const auth = `Authorization: Bearer ${grant.token}`;
    expect((await fetch(`${base}/uploads`, { method: 'POST', headers: { authorization: `Bearer ${grant.token}` }, body: '{not json' })).status).toBe(400);
    expect((await fetch(`${base}/uploads`, { method: 'POST', headers: { authorization: `Bearer ${grant.token}` }, body: '[1,2]' })).status).toBe(400);
    expect(await raw(['POST /api/recordings/uploads HTTP/1.1', 'Host: x', auth, '', ''])).toContain('411');
    expect(await raw(['PUT /api/recordings/uploads/nonexistent1?offset=0 HTTP/1.1', 'Host: x', auth, 'Content-Length: 999999999', '', ''])).toContain('413');
    expect((await fetch(`${base}/uploads/nonexistent1?offset=abc`, { method: 'PUT', headers: { authorization: `Bearer ${grant.token}` }, body: 'x' })).status).toBe(400);
    expect((await fetch(`${base}/uploads/nonexistent1?offset=0`, { method: 'PUT', headers: { authorization: `Bearer ${grant.token}` }, body: 'x' })).status).toBe(404);
    expect((await fetch(`${base}/${'a'.repeat(2000)}/file?token=${'b'.repeat(600)}`)).status).toBe(401);
    // Still serving.
    expect((await fetch(`${server!.url}/api/health`)).status).toBe(200);
    expect((await fetch(base, { headers: { authorization: `Bearer ${grant.token}` } })).status).toBe(200);
  });
});

