// The capacity bench's receivers: in feedback mode the C sink answers each transport like a
// browser, and mediasoup must accept what it sends: its receiver reports give a round-trip
// time, and its transport-wide cc feedback drives the worker's bandwidth estimation (a
// sink that reports a filling queue takes the estimate down). A transport towards a sink
// that only counts shows neither: the capacity numbers "with BWE" would otherwise measure
// nothing more than the plain ones.
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mediaCodecs } from '../../server/src/media/codecs.js';
import { prepare, Sink, Source, TWCC_URI } from '../../bench/src/capacity-rig.js';

// mediasoup's start value (PlainTransports take no initialAvailableOutgoingBitrate).
const START_BPS = 600_000;
let worker: types.Worker;
let source: Source;
const sinks: Sink[] = [];

beforeAll(async () => {
  worker = await mediasoup.createWorker({ logLevel: 'warn' });
  source = await Source.start(worker, mediaCodecs, prepare().clip);
}, 60_000);
afterAll(() => { source?.stop(); for (const s of sinks) s.stop(); worker?.close(); });

async function subscriber(sink: Sink) {
  const transport = await source.router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: false });
  await transport.connect({ ip: '127.0.0.1', port: sink.port });
  const consumer = await transport.consume({ producerId: source.producer.id, rtpCapabilities: source.router.rtpCapabilities });
  return async () => ({
    estimate: (await transport.getStats())[0]?.availableOutgoingBitrate ?? 0,
    rtt: (await consumer.getStats()).find((x) => x.type === 'outbound-rtp')?.roundTripTime ?? 0,
  });
}

async function poll(read: () => Promise<{ estimate: number; rtt: number }>, done: (s: { estimate: number; rtt: number }) => boolean) {
  let last = await read();
  for (const until = Date.now() + 15_000; Date.now() < until && !done(last);) {
    await new Promise((r) => setTimeout(r, 250));
    last = await read();
  }
  return last;
}

it('mediasoup measures the RTT and estimates the bandwidth from the sink\'s feedback, and only then', async () => {
  const { sinkBin } = prepare();
  const twcc = mediasoup.getSupportedRtpCapabilities().headerExtensions?.find((h) => h.uri === TWCC_URI && h.kind === 'video')?.preferredId;
  expect(twcc).toBeGreaterThan(0);
  const port = 46_000 + Math.floor(Math.random() * 1000);
  const answering = await Sink.start(sinkBin, port, twcc);
  // Each packet reported 2 ms later than the one before: a queue that fills.
  const queueing = await Sink.start(sinkBin, port + 1, twcc, 2000);
  const counting = await Sink.start(sinkBin, port + 2);
  sinks.push(answering, queueing, counting);
  const calm = await subscriber(answering);
  const congested = await subscriber(queueing);
  const without = await subscriber(counting);

  expect((await poll(calm, (s) => s.rtt > 0)).rtt).toBeGreaterThan(0);
  expect(answering.feedback).toBeGreaterThan(0);
  expect((await poll(congested, (s) => s.estimate < START_BPS * 0.75)).estimate).toBeLessThan(START_BPS * 0.75);
  expect((await calm()).estimate).toBeGreaterThanOrEqual(START_BPS * 0.9);
  const control = await without();
  expect(control.estimate).toBe(START_BPS);
  expect(control.rtt).toBe(0);
}, 40_000);
