// The minutes replica loads Yjs only when the panel opens: what arrives before (the join
// snapshot and the updates after it) is kept in order and merged then.
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MinutesState, type Editor } from '../../client/src/features/minutes/minutes.svelte.js';

const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');

function editor(): Editor & { value: string } {
  return { value: '', selectionStart: 0, selectionEnd: 0, setSelectionRange() {}, focused: false };
}

describe('MinutesState', () => {
  it('keeps the snapshot and later updates until the panel opens, then builds the replica', async () => {
    // The server's document: a snapshot at join, then two edits by someone else.
    const server = new Y.Doc();
    server.getText('body').insert(0, 'TOP 1');
    const snapshot = b64(Y.encodeStateAsUpdate(server));
    const updates: string[] = [];
    server.on('update', (u: Uint8Array) => updates.push(b64(u)));
    server.getText('body').insert(5, ' Eroeffnung.');
    server.getText('body').insert(0, '# ');

    const sent: unknown[] = [];
    const m = new MinutesState({ request: async (method: string, data: unknown) => { sent.push({ method, data }); return {} as never; } } as never);
    m.load({ state: snapshot, writers: ['me'], agenda: [] });
    for (const u of updates) expect(m.handle({ notification: 'minutesUpdate', data: { update: u } } as never)).toBe(true);
    expect(m.ready).toBe(false);
    m.edit('ignored'); // read-only until the replica exists: nothing is sent
    expect(sent).toEqual([]);

    const area = editor();
    m.attach(area);
    await m.ensure();
    expect(m.ready).toBe(true);
    expect(m.text).toBe('# TOP 1 Eroeffnung.');
    expect(area.value).toBe('# TOP 1 Eroeffnung.');
    // Now edits go out as Yjs updates.
    m.edit('# TOP 1 Eroeffnung. Beginn 18 Uhr.');
    expect(sent).toHaveLength(1);
  });
});
