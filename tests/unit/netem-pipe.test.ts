// The shaping arithmetic, exactly: rate, queue, delay, jitter, loss models, timelines.
import { describe, expect, it } from 'vitest';
import { TimeHeap } from '../../netem/src/heap.js';
import { Pipe } from '../../netem/src/pipe.js';
import { linkAt, listProfiles, loadProfile, parseProfile } from '../../netem/src/profile.js';
import { mulberry32 } from '../../netem/src/rng.js';

const base = { delayMs: 0, jitterMs: 0, loss: 0, queueMs: 1000 };

describe('Pipe', () => {
  it('serializes at the link rate and adds the delay', () => {
    const p = new Pipe({ ...base, rateBps: 1_000_000, delayMs: 50 }, mulberry32(1));
    // 1250 bytes = 10 000 bits = 10 ms at 1 Mbit/s.
    expect(p.offer(1250, 0)).toBe(60);
    expect(p.offer(1250, 0)).toBe(70); // queued behind the first
    expect(p.offer(1250, 100)).toBe(160); // link idle again
  });

  it('drops at the tail when the queue is full', () => {
    const p = new Pipe({ ...base, rateBps: 1_000_000, queueMs: 25 }, mulberry32(1));
    const out = Array.from({ length: 5 }, () => p.offer(1250, 0));
    expect(out).toEqual([10, 20, 30, null, null]); // 3rd starts at 20 ms <= 25, 4th would wait 30 ms
    expect(p.counters.queueDrops).toBe(2);
  });

  it("reports how long each packet waited in the queue (the bench's queue events)", () => {
    const p = new Pipe({ ...base, rateBps: 1_000_000, queueMs: 25 }, mulberry32(1));
    p.offer(1250, 0);
    expect(p.lastWaitMs).toBe(0);
    p.offer(1250, 4);
    expect(p.lastWaitMs).toBe(6); // behind the first, which leaves at 10 ms
    p.offer(1250, 4);
    expect(p.lastWaitMs).toBe(16);
    p.offer(1250, 100);
    expect(p.lastWaitMs).toBe(0);
  });

  it('throughput over a long run matches the rate', () => {
    const p = new Pipe({ ...base, rateBps: 256_000, queueMs: 200 }, mulberry32(1));
    let last = 0;
    for (let t = 0; t < 10_000; t++) { const a = p.offer(1000, t); if (a !== null) last = a; }
    const bps = (p.counters.deliveredBytes * 8) / (last / 1000);
    expect(bps / 256_000).toBeGreaterThan(0.99);
    expect(bps / 256_000).toBeLessThan(1.01);
  });

  it('random loss matches the profile', () => {
    const p = new Pipe({ ...base, loss: 0.02 }, mulberry32(7));
    for (let i = 0; i < 100_000; i++) p.offer(100, i);
    expect(p.counters.lost / p.counters.packets).toBeCloseTo(0.02, 2);
  });

  it('Gilbert-Elliott loss: right average, in bursts', () => {
    const p = new Pipe({ ...base, burstLoss: { loss: 0.05, meanBurst: 3 } }, mulberry32(3));
    const lost: boolean[] = [];
    for (let i = 0; i < 200_000; i++) lost.push(p.offer(100, i) === null);
    const rate = lost.filter(Boolean).length / lost.length;
    expect(rate).toBeGreaterThan(0.045);
    expect(rate).toBeLessThan(0.055);
    let bursts = 0;
    for (let i = 0; i < lost.length; i++) if (lost[i] && !lost[i - 1]) bursts++;
    expect(lost.filter(Boolean).length / bursts).toBeGreaterThan(2.5); // mean burst ~3
  });

  it('jitter stays within bounds, averages out, and never reorders', () => {
    const p = new Pipe({ ...base, delayMs: 60, jitterMs: 20 }, mulberry32(5));
    let prev = 0;
    const delays: number[] = [];
    for (let t = 0; t < 100_000; t += 25) {
      const a = p.offer(100, t)!;
      expect(a).toBeGreaterThanOrEqual(prev);
      prev = a;
      delays.push(a - t);
    }
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(40);
    expect(Math.max(...delays)).toBeLessThanOrEqual(80 + 25);
    const mean = delays.reduce((s, d) => s + d, 0) / delays.length;
    expect(Math.abs(mean - 60)).toBeLessThan(3);
  });

  it('packets of one burst share the jitter (no waiting for the slowest)', () => {
    const p = new Pipe({ ...base, delayMs: 60, jitterMs: 20 }, mulberry32(9));
    const arrivals = Array.from({ length: 10 }, () => p.offer(1000, 0)!);
    expect(new Set(arrivals).size).toBe(1);
  });
});

describe('TimeHeap', () => {
  it('pops by time, FIFO among equal times', () => {
    const h = new TimeHeap<string>();
    const r = mulberry32(11);
    const items = Array.from({ length: 500 }, (_, i) => ({ at: Math.floor(r() * 50), v: `x${i}` }));
    for (const i of items) h.push(i.at, i.v);
    const out: { at: number; value: string }[] = [];
    while (h.size) out.push(h.pop()!);
    const expected = [...items].sort((a, b) => a.at - b.at).map((i) => i.v); // stable sort = FIFO
    expect(out.map((o) => o.value)).toEqual(expected);
  });
});

describe('profiles', () => {
  it('all shipped profiles parse, and the required ones exist', () => {
    const names = listProfiles();
    for (const n of ['lan', 'dsl', 'municipal-weak', 'edge', 'satellite', 'lossy-burst', 'step-down']) expect(names).toContain(n);
    for (const n of names) expect(loadProfile(n).name).toBe(n);
  });

  it('timelines switch at step boundaries and hold the last step', () => {
    const p = loadProfile('step-down');
    expect(linkAt(p, 5).downBps).toBe(1_000_000);
    expect(linkAt(p, 25).downBps).toBe(150_000);
    expect(linkAt(p, 45).downBps).toBe(1_000_000);
    expect(linkAt(p, 500).downBps).toBe(1_000_000);
  });

  it('rejects bad profiles with the field named', () => {
    expect(() => parseProfile({ name: 'x', description: '', link: { loss: 2 } })).toThrow(/link\.loss/);
    expect(() => parseProfile({ name: 'x', description: '' })).toThrow(/exactly one/);
    expect(() => loadProfile('nope')).toThrow(/unknown profile "nope"/);
  });
});
