// Shared minutes: two writers edit at once and converge (also across a restart), readers
// cannot write, malformed or oversized updates change nothing, and the export holds the
// attendance and every vote.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { expect, it } from 'vitest';
import type { Server } from '../../server/src/server.js';
import { createRoom, joinedClient, testServer, until } from './harness.js';

type J = Awaited<ReturnType<typeof joinedClient>>;
/** A client-side Yjs replica that sends its edits and applies everyone else's. */
function replica(j: J, initial: string) {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Buffer.from(initial, 'base64'));
  const sent: Promise<unknown>[] = [];
  doc.on('update', (u: Uint8Array, origin: unknown) => { if (origin !== 'remote') sent.push(j.client.ok('minutesUpdate', { update: Buffer.from(u).toString('base64') })); });
  j.client.ws.on('message', (raw) => {
    const m = JSON.parse(String(raw));
    if (m.notification === 'minutesUpdate') Y.applyUpdate(doc, Buffer.from(m.data.update, 'base64'), 'remote');
  });
  return { doc, text: () => doc.getText('body').toString(), settled: () => Promise.all(sent) };
}

it('two writers at once converge; readers are refused; bad updates change nothing; a restart keeps it; the export has attendance and votes', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'thinline-minutes-'));
  let server: Server = await testServer({ dataDir });
  try {
    const room = await createRoom(server);
    const chair = await joinedClient(server, room.roomId, 'Vorsitz', { moderatorKey: room.moderatorKey });
    const clerk = await joinedClient(server, room.roomId, 'Schriftführung');
    const reader = await joinedClient(server, room.roomId, 'Gast');
    const u = (doc: Y.Doc) => Buffer.from(Y.encodeStateAsUpdate(doc)).toString('base64');
    // Not yet a writer: refused.
    const probe = new Y.Doc(); probe.getText('body').insert(0, 'x');
    expect((await clerk.client.call('minutesUpdate', { update: u(probe) })).error?.code).toBe('forbidden');
    expect((await clerk.client.call('setMinutesWriter', { peerId: clerk.join.peerId, writer: true })).error?.code).toBe('forbidden');
    await chair.client.ok('setMinutesWriter', { peerId: clerk.join.peerId, writer: true });
    await clerk.client.notified('minutesWriters', (d) => d.writers.includes(clerk.join.peerId));

    const a = replica(chair, chair.join.minutes.state);
    const b = replica(clerk, clerk.join.minutes.state);
    // Concurrent edits at the same place, before either has seen the other's.
    a.doc.getText('body').insert(0, 'TOP 1: Eröffnung. ');
    b.doc.getText('body').insert(0, 'Beginn 18:00. ');
    await Promise.all([a.settled(), b.settled()]);
    await until(() => a.text() === b.text() && a.text().length > 20, 5000, 'the writers to converge');
    const merged = a.text();
    expect(merged).toContain('TOP 1: Eröffnung.');
    expect(merged).toContain('Beginn 18:00.');
    expect(server.registry.get(room.roomId)!.minutes.text).toBe(merged);

    // A reader cannot write; malformed and oversized updates are refused and change nothing.
    expect((await reader.client.call('minutesUpdate', { update: u(probe) })).error?.code).toBe('forbidden');
    expect((await chair.client.call('minutesUpdate', { update: Buffer.from('not a yjs update at all').toString('base64') })).error?.code).toBe('bad_request');
    const big = await chair.client.call('minutesUpdate', { update: 'A'.repeat(60_000) });
    expect(big.error?.code).toBe('bad_request');
    expect(big.error?.message).toMatch(/^data.update: /);
    expect(server.registry.get(room.roomId)!.minutes.text).toBe(merged);

    // The chair sets the agenda; others cannot.
    expect((await clerk.client.call('setAgenda', { items: ['Eröffnung'] })).error?.code).toBe('forbidden');
    await chair.client.ok('setAgenda', { items: ['Eröffnung', 'Bebauungsplan', 'Verschiedenes'] });
    expect(await reader.client.notified('agenda')).toEqual({ items: ['Eröffnung', 'Bebauungsplan', 'Verschiedenes'] });
    // A vote's outcome is appended by the server.
    const { motion } = await chair.client.ok('motionOpen', { title: 'Tagesordnung', allowAbstain: true, kind: 'roll-call', eligible: [chair.join.peerId, clerk.join.peerId], rule: 'simple', quorum: null, durationS: null });
    await chair.client.ok('ballotCast', { motionId: motion.id, choices: [0] });
    await clerk.client.ok('ballotCast', { motionId: motion.id, choices: [0] });
    await chair.client.ok('motionClose', { motionId: motion.id });
    await until(() => a.text().includes('[Abstimmung] Tagesordnung: accepted'), 5000, 'the vote in the minutes');
    const final = server.registry.get(room.roomId)!.minutes.text;

    server.close();
    server = await testServer({ dataDir });
    expect(server.registry.get(room.roomId)!.minutes.text).toBe(final);
    const late = await joinedClient(server, room.roomId, 'Spät');
    const lateDoc = new Y.Doc();
    Y.applyUpdate(lateDoc, Buffer.from(late.join.minutes.state, 'base64'));
    expect(lateDoc.getText('body').toString()).toBe(final);

    const md = (await late.client.ok('minutesExport', { format: 'markdown' })).text;
    expect(md).toContain('Beginn 18:00.');
    expect(md).toMatch(/## Tagesordnung\n\n1\. Eröffnung\n2\. Bebauungsplan\n3\. Verschiedenes/);
    expect(late.join.minutes.agenda).toEqual(['Eröffnung', 'Bebauungsplan', 'Verschiedenes']);
    expect(md).toMatch(/## Anwesenheit[\s\S]*Vorsitz \(Moderation, Browser\)[\s\S]*Schriftführung/);
    expect(md).toMatch(/## Abstimmungen[\s\S]*Tagesordnung \(roll-call, simple\): accepted; Ja 2, Nein 0, Enthaltung 0/);
    const attendance = (await late.client.ok('minutesExport', { format: 'attendance' })).text;
    expect(attendance).toMatch(/Anwesende im Zeitverlauf[\s\S]*: 1 anwesend[\s\S]*: 2 anwesend/);
    expect((await late.client.ok('minutesExport', { format: 'html' })).text).toMatch(/^<!doctype html>/);
  } finally {
    server.close();
  }
});
