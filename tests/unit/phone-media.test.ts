// The phone gateway's pure parts: G.711 round trips, RTP and RFC 4733 parsing from
// untrusted bytes, one digit per key press, the jitter buffer's concealment, the limiter.
import { describe, expect, it } from 'vitest';
import { decodeG711, encodeG711 } from '../../server/src/phone/g711.js';
import { FRAME, FrameAssembler, JitterBuffer, Limiter } from '../../server/src/phone/jitter.js';
import { buildRtp, DtmfReceiver, parseRtp } from '../../server/src/phone/rtp.js';

describe('G.711', () => {
  for (const codec of ['PCMA', 'PCMU'] as const) {
    it(`${codec}: a 1 kHz tone survives encode/decode within the codec's quantisation`, () => {
      const pcm = Int16Array.from({ length: 160 }, (_, i) => Math.round(12_000 * Math.sin((2 * Math.PI * 1000 * i) / 8000)));
      const back = decodeG711(codec, encodeG711(codec, pcm));
      let err = 0; let sig = 0;
      for (let i = 0; i < pcm.length; i++) { err += (pcm[i]! - back[i]!) ** 2; sig += pcm[i]! ** 2; }
      expect(10 * Math.log10(sig / err)).toBeGreaterThan(30); // SNR of 8-bit log PCM: ~38 dB
    });
    it(`${codec}: extremes do not wrap`, () => {
      const back = decodeG711(codec, encodeG711(codec, Int16Array.from([32767, -32768, 0])));
      expect(back[0]).toBeGreaterThan(30_000);
      expect(back[1]).toBeLessThan(-30_000);
      expect(Math.abs(back[2]!)).toBeLessThan(16);
    });
  }
});

describe('RTP', () => {
  it('round-trips a header and payload', () => {
    const b = buildRtp({ payloadType: 8, marker: true, seq: 65535, timestamp: 0xfffffff0, ssrc: 0x12345678 }, Uint8Array.from([1, 2, 3]));
    expect(parseRtp(b)).toMatchObject({ payloadType: 8, marker: true, seq: 65535, timestamp: 0xfffffff0, ssrc: 0x12345678 });
    expect([...parseRtp(b)!.payload]).toEqual([1, 2, 3]);
  });
  const bad: [string, number[]][] = [
    ['too short', [0x80, 8, 0, 1]],
    ['wrong version', [0x40, 8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 9]],
    ['RTCP on the RTP port', [0x80, 200, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]],
    ['CSRC count past the end', [0x8f, 8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]],
    ['extension past the end', [0x90, 8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xbe, 0xde, 0, 9]],
    ['padding larger than the packet', [0xa0, 8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 200]],
  ];
  for (const [name, bytes] of bad) it(`refuses ${name}`, () => expect(parseRtp(Uint8Array.from(bytes))).toBeNull());

  it('one digit per key press: progress packets and three end packets give one digit', () => {
    const rx = new DtmfReceiver();
    const ev = (ts: number, event: number, end: boolean, duration: number) => parseRtp(buildRtp({ payloadType: 101, marker: false, seq: 1, timestamp: ts, ssrc: 1 }, Uint8Array.from([event, end ? 0x8a : 0x0a, duration >> 8, duration & 0xff])))!;
    const digits: (string | null)[] = [];
    for (let d = 160; d <= 1600; d += 160) digits.push(rx.push(ev(1000, 10, false, d))); // "*"
    for (let i = 0; i < 3; i++) digits.push(rx.push(ev(1000, 10, true, 1760)));
    for (let i = 0; i < 3; i++) digits.push(rx.push(ev(5000, 6, true, 1760))); // "6", progress lost
    expect(digits.filter(Boolean)).toEqual(['*', '6']);
  });
});

describe('JitterBuffer', () => {
  const f = (v: number) => new Int16Array(FRAME).fill(v);
  it('waits for two frames, plays in order, reorders, conceals a hole with a fading copy, drops late frames', () => {
    const jb = new JitterBuffer(2);
    jb.push(10, f(100));
    expect(jb.pop()).toBeNull(); // buffering
    jb.push(12, f(300)); // 11 arrives late (out of order)
    jb.push(11, f(200));
    expect(jb.pop()![0]).toBe(100);
    expect(jb.pop()![0]).toBe(200);
    expect(jb.pop()![0]).toBe(300);
    jb.push(14, f(500)); // 13 lost
    expect(jb.pop()![0]).toBe(150); // concealed: last frame at half level
    expect(jb.underruns).toBe(1);
    expect(jb.pop()![0]).toBe(500);
    jb.push(13, f(400)); // too late now
    expect(jb.late).toBe(1);
    expect(jb.pop()).toBeNull(); // the source went quiet: no underrun counted
    expect(jb.underruns).toBe(1);
  });
  it('jumps over a long gap at once (keypad events share the sequence space) instead of falling behind', () => {
    const jb = new JitterBuffer(2);
    for (let i = 0; i < 3; i++) jb.push(i, f(i));
    jb.pop(); jb.pop(); jb.pop();
    // Twelve sequence numbers go to keypad events; audio resumes at 15.
    for (let t = 0; t < 30; t++) {
      jb.push(15 + t, f(1000 + t));
      const out = jb.pop();
      if (t >= 1) expect(out?.[0]).toBe(1000 + t - 1);
    }
    // One tick concealed while too little was buffered, then one jump over the rest.
    expect(jb.lost + jb.underruns).toBe(12);
    expect(jb.underruns).toBeLessThanOrEqual(1);
  });
  it('copes with sequence numbers wrapping', () => {
    const jb = new JitterBuffer(2);
    jb.push(65535, f(1)); jb.push(0, f(2));
    expect(jb.pop()![0]).toBe(1);
    expect(jb.pop()![0]).toBe(2);
  });
});

describe('Limiter', () => {
  it('leaves a quiet mix untouched and never clips a loud one', () => {
    const lim = new Limiter(30_000);
    const a = new Int16Array(FRAME).fill(1000);
    expect(lim.mix([a, a])[5]).toBe(2000);
    const loud = new Int16Array(FRAME).fill(25_000);
    const out = lim.mix([loud, loud, loud]);
    expect(Math.max(...out)).toBeLessThanOrEqual(30_000);
    expect(Math.min(...out)).toBeGreaterThan(20_000);
  });
});

describe('FrameAssembler', () => {
  const ramp = (from: number, n: number) => Int16Array.from({ length: n }, (_, i) => from + i);
  it('30 ms packets become 20 ms frames with every sample in place (Opus takes no 30 ms frames)', () => {
    const a = new FrameAssembler();
    const frames = [...a.push(0, ramp(0, 240)), ...a.push(240, ramp(240, 240))];
    expect(frames.map(([n]) => n)).toEqual([0, 1, 2]);
    for (const [n, f] of frames) { expect(f.length).toBe(FRAME); expect(f[0]).toBe(n * FRAME); expect(f[FRAME - 1]).toBe(n * FRAME + FRAME - 1); }
  });
  it('10 ms packets out of order still make whole frames; a frame missing a packet never completes', () => {
    const a = new FrameAssembler();
    expect(a.push(80, ramp(80, 80))).toEqual([]);
    expect(a.push(0, ramp(0, 80)).map(([n]) => n)).toEqual([0]);
    expect(a.push(160, ramp(160, 80))).toEqual([]); // its second half is lost
    expect(a.push(320, ramp(320, 160)).map(([n]) => n)).toEqual([2]);
  });
  it('the frame index wraps with the timestamp without an exception', () => {
    const a = new FrameAssembler();
    expect(() => a.push(0xffffffff - 100, ramp(0, 400))).not.toThrow();
  });
});

