// The crash-safe chunk store against a real IndexedDB implementation (fake-indexeddb):
// chunks survive closing and reopening, parts stay apart and in order, and the recovery
// choice after a reload is table-driven.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { ChunkStore, recovery, type StoredRecording } from '../../client/src/features/recording/chunk-store.js';

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

describe('ChunkStore', () => {
  it('keeps every acknowledged chunk across a "crash" (closed without finishing) and keeps parts apart', async () => {
    const name = `t-${Math.random()}`;
    let store = await ChunkStore.open(name);
    await store.begin({ id: 'rec-1', roomId: 'room-1', kind: 'video', mime: 'video/webm' });
    for (let i = 0; i < 20; i++) await store.append('rec-1', bytes(1000 + i, i), (i + 1) * 1000);
    store.close(); // the tab dies here
    store = await ChunkStore.open(name);
    const [rec] = await store.list('room-1');
    expect(rec).toMatchObject({ id: 'rec-1', chunks: 20, bytes: 20 * 1000 + 190, durationMs: 20_000, finished: false, part: 1 });
    await store.nextPart('rec-1');
    await store.append('rec-1', bytes(5, 99), 21_000);
    const parts = await store.parts('rec-1');
    expect(parts.map((p) => p.length)).toEqual([20, 1]);
    expect(parts[0]!.map((c) => c[0])).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(parts[1]![0]![0]).toBe(99);
    expect(await store.list('other-room')).toEqual([]);
    await store.finish('rec-1');
    expect((await store.get('rec-1'))?.finished).toBe(true);
    await store.remove('rec-1');
    expect(await store.parts('rec-1')).toEqual([]);
    expect(await store.list('room-1')).toEqual([]);
    store.close();
  });

  it('refuses chunks for a recording it does not know', async () => {
    const store = await ChunkStore.open(`t-${Math.random()}`);
    await expect(store.append('nope', bytes(1, 1), 1)).rejects.toThrow(/no stored recording/);
    store.close();
  });
});

describe('recovery after a reload', () => {
  const rec = (id: string, chunks = 3): StoredRecording => ({ id, roomId: 'r', kind: 'video', mime: 'video/webm', part: 1, createdAt: 1, durationMs: 3000, bytes: 300, chunks, finished: false });
  const cases: [string, StoredRecording[], { id: string; byPeerId: string } | null, string][] = [
    ['nothing stored', [], { id: 'a', byPeerId: 'old' }, 'none'],
    ['the server still runs our recording under our old self: resume', [rec('a')], { id: 'a', byPeerId: 'old' }, 'resume:a'],
    ['we are the recorder already (not a reload): nothing to do', [rec('a')], { id: 'a', byPeerId: 'me' }, 'none'],
    ['the server stopped it meanwhile: finish locally', [rec('a')], null, 'finish:a'],
    ['another recording runs now: finish ours locally', [rec('a')], { id: 'b', byPeerId: 'x' }, 'finish:a'],
    ['empty recordings are not offered', [rec('a', 0)], null, 'none'],
  ];
  for (const [name, local, server, expected] of cases) {
    it(name, () => {
      const r = recovery(local, server, 'me');
      expect(r.action === 'none' ? 'none' : `${r.action}:${r.recording.id}`).toBe(expected);
    });
  }
});
