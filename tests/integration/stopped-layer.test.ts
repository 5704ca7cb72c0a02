// A simulcast layer its sender stopped reads 0 at the next measurement (measure.ts,
// layerStats.ts withStoppedLayers), on a real worker fed real RTP: mediasoup itself still
// reports the stopped stream's bitrate for 2.5 s.
import { createSocket } from 'node:dgram';
import type { types } from 'mediasoup';
import { expect, it } from 'vitest';
import { measureProducer } from '../../server/src/allocation/measure.js';
import { STOPPED_MIN_MS } from '../../server/src/allocation/layerStats.js';
import { useRouter, vp8Params } from './harness.js';

const routerOf = useRouter();
const SSRC = 7000;

/** A minimal VP8 RTP packet (one-byte payload descriptor, a delta frame's first byte). */
function rtp(ssrc: number, seq: number): Buffer {
  const b = Buffer.alloc(12 + 4);
  b[0] = 0x80;
  b[1] = 0x80 | 96; // marker, payload type 96
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE((seq * 3000) >>> 0, 4);
  b.writeUInt32BE(ssrc, 8);
  b[12] = 0x10; // VP8 descriptor: start of partition 0
  b[13] = 0x01; // a delta frame
  return b;
}

it('a simulcast layer that received nothing since the last measurement reads 0, though mediasoup still reports its bitrate', async () => {
  const transport = await routerOf().createPlainTransport({ listenIp: '127.0.0.1', comedia: true, rtcpMux: true });
  const socket = createSocket('udp4');
  try {
    const cam = await transport.produce({ kind: 'video', rtpParameters: vp8Params(SSRC) as types.RtpParameters });
    const port = transport.tuple.localPort;
    let seq = 1;
    const send = async (streams: number[], n: number) => {
      for (let i = 0; i < n; i++, seq++) {
        for (const s of streams) await new Promise<void>((r, j) => socket.send(rtp(SSRC + s, seq), port, '127.0.0.1', (e) => (e ? j(e) : r())));
      }
    };
    const packets = async (s: number) => (await cam.getStats()).find((x) => x.ssrc === SSRC + s)?.packetCount ?? 0;
    const received = async (want: number[]) => {
      // The worker receives over UDP: wait until it counted what was sent.
      for (const deadline = Date.now() + 5000; Date.now() < deadline;) {
        const got = await Promise.all(want.map((_, s) => packets(s)));
        if (got.every((g, s) => g >= want[s]!)) return;
        await new Promise((r) => setImmediate(r));
      }
      throw new Error('the worker did not receive the packets');
    };
    await send([0, 1, 2], 20);
    await received([20, 20, 20]);
    const first = await measureProducer(cam, [], 0);
    expect(first.matrix.every((row) => row.some((bps) => bps > 0))).toBe(true);
    // The sender drops its two upper layers; only the lowest goes on.
    await send([0], 20);
    await received([40, 20, 20]);
    const second = await measureProducer(cam, first.history, STOPPED_MIN_MS);
    const stats = await cam.getStats();
    expect(stats.find((x) => x.ssrc === SSRC + 1)?.bitrate ?? 0).toBeGreaterThan(0); // mediasoup: still "sending"
    expect(second.matrix[0]!.some((bps) => bps > 0)).toBe(true);
    expect([second.matrix[1], second.matrix[2]]).toEqual([[0], [0]]);
  } finally {
    socket.close();
    transport.close();
  }
});
