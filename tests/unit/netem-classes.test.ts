import { describe, expect, it } from 'vitest';
import { ClassTrace, packetClass } from '../../netem/src/classes.js';

/** An IPv4/UDP packet whose UDP payload begins with `payload`. */
function udp(payload: number[], protocol = 17): Buffer {
  const ip = Buffer.alloc(20 + 8 + Math.max(payload.length, 12));
  ip[0] = 0x45;
  ip[9] = protocol;
  Buffer.from(payload).copy(ip, 28);
  return ip;
}

describe('packetClass', () => {
  it.each([
    ['RTP payload type 100 (marker off)', udp([0x80, 100]), 'rtp:100'],
    ['RTP payload type 101 with the marker bit', udp([0x80, 0x80 | 101]), 'rtp:101'],
    ['RTCP receiver report (201)', udp([0x81, 201]), 'rtcp'],
    ['RTCP transport feedback (205)', udp([0x8f, 205]), 'rtcp'],
    ['STUN binding request', udp([0x00, 0x01]), 'other'],
    ['DTLS record', udp([22, 0xfe]), 'other'],
    ['TCP', udp([0x80, 100], 6), 'other'],
  ])('%s', (_name, packet, cls) => {
    expect(packetClass(packet)).toBe(cls);
  });

  it('reads the UDP payload after IP options', () => {
    const p = Buffer.alloc(24 + 8 + 12);
    p[0] = 0x46;
    p[9] = 17;
    p[32] = 0x80;
    p[33] = 102;
    expect(packetClass(p)).toBe('rtp:102');
  });
});

describe('ClassTrace', () => {
  it('sums offered and dropped bytes per class in 100 ms bins', () => {
    const t = new ClassTrace();
    t.note('rtp:100', 100, false, 1_000);
    t.note('rtp:100', 100, true, 1_050);
    t.note('rtp:101', 1200, true, 1_099);
    t.note('rtp:100', 100, false, 1_100);
    expect(t.bins).toEqual([
      { at: 1_000, offered: { 'rtp:100': 200, 'rtp:101': 1200 }, dropped: { 'rtp:100': 100, 'rtp:101': 1200 } },
      { at: 1_100, offered: { 'rtp:100': 100 }, dropped: {} },
    ]);
  });

  it('keeps a bounded number of bins', () => {
    const t = new ClassTrace();
    for (let i = 0; i < 5000; i++) t.note('rtcp', 50, false, i * 100);
    expect(t.bins.length).toBe(1800);
    expect(t.bins[0]!.at).toBe(3200 * 100);
  });
});
