// `npm run bench -- --scenario capacity`: how many forwarded 500 kbit/s video consumers one
// mediasoup worker carries at 80 % of a core, raw (mediasoup alone) and with our per-room
// code (Peer objects, RoomAllocator tick, stats polling, decisions applied), and what that
// code costs on the Node side per 100 consumers for two room sizes (it must not grow with
// peers per room). Method: consumers are added in steps; at each step the worker's CPU
// (/proc), this process's CPU and the sink's received rate are measured over a window.
// The consumer count at 80 % is interpolated between the steps around it.
import { readFileSync } from 'node:fs';
import type { types } from 'mediasoup';
import { ensureWorkerBin } from '../../server/src/workerBin.js';
import { DEFAULT_ALLOCATION, RoomAllocator } from '../../server/src/allocation/RoomAllocator.js';
import { Peer, type ConsumerAppData, type ProducerAppData } from '../../server/src/domain/Peer.js';
import { mediaCodecs } from '../../server/src/media/codecs.js';
import { plainConsumer, prepare, Sink, Source, TWCC_URI, type TransportMode } from './capacity-rig.js';

export interface CapacityStep {
  consumers: number; workerCpuPct: number; nodeCpuPct: number; deliveredPct: number;
  /** Full mode: consumers our allocator had forwarding (every one must, or the step does not count). */
  forwarding?: number;
}
export interface CapacityRun {
  name: string; mode: TransportMode; full: boolean; roomSize: number; steps: CapacityStep[];
  /**
   * Feedback mode: proof that the receivers' feedback reached mediasoup at the largest step
   * (feedback packets the sink sent; one transport's estimate and one consumer's RTT).
   */
  feedback?: { packets: number; estimateBps: number | null; rttMs: number | null };
  /** Consumers at 80 % of a core (interpolated; null if 80 % was never reached or delivery broke first). */
  consumersAt80: number | null;
  /** This process's CPU per 100 consumers at the largest step (% of a core). */
  nodeCpuPer100: number | null;
}

/** Full mode: how long new consumers may take to be allocated before the step is measured. */
const SETTLE_MAX_MS = 15_000;
const STEP = 100;
const MAX = 2000;
const WINDOW_MS = 5000;

function ticks(pid: number): number {
  const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

interface Room { router: types.Router; producer: types.Producer<ProducerAppData>; peers: Peer[]; allocator: RoomAllocator | null; subscribers: number }

export async function runCapacity(spec: { name: string; mode: TransportMode; full: boolean; roomSize: number }, log: (l: string) => void): Promise<CapacityRun> {
  ensureWorkerBin();
  const mediasoup = await import('mediasoup');
  const { sinkBin, clip } = prepare();
  const worker = await mediasoup.createWorker({ logLevel: 'warn' });
  const twccId = mediasoup.getSupportedRtpCapabilities().headerExtensions?.find((h) => h.uri === TWCC_URI && h.kind === 'video')?.preferredId;
  if (spec.mode === 'feedback' && !twccId) throw new Error('capacity: mediasoup offers no transport-wide-cc extension');
  const sink = await Sink.start(sinkBin, 47_000 + Math.floor(Math.random() * 1000), spec.mode === 'feedback' ? twccId : undefined);
  const source = await Source.start(worker, mediaCodecs, clip);
  const rooms: Room[] = [];
  const subscribers: { transport: types.PlainTransport; consumer: types.Consumer }[] = [];
  let feedback: CapacityRun['feedback'];
  let count = 0;
  const peer = (id: string) => new Peer({ id, name: id, role: 'participant', resumeToken: null, rtpCapabilities: source.router.rtpCapabilities });

  async function addRoom(): Promise<Room> {
    const router = await worker.createRouter({ mediaCodecs });
    // Piped by hand: pipeToRouter keeps the producer id, which two routers of one worker cannot share.
    const a = await source.router.createPipeTransport({ listenIp: '127.0.0.1' });
    const b = await router.createPipeTransport({ listenIp: '127.0.0.1' });
    await a.connect({ ip: '127.0.0.1', port: b.tuple.localPort });
    await b.connect({ ip: '127.0.0.1', port: a.tuple.localPort });
    const piped = await a.consume({ producerId: source.producer.id });
    const producer = await b.produce<ProducerAppData>({ kind: piped.kind, rtpParameters: piped.rtpParameters, appData: { peerId: 'source', source: 'camera', videoHeight: 360 } });
    const room: Room = { router, producer, peers: [], allocator: null, subscribers: 0 };
    if (spec.full) {
      const speaker = peer(`r${rooms.length}-speaker`);
      producer.appData.peerId = speaker.id;
      producer.appData.source = 'camera';
      producer.appData.videoHeight = 360;
      speaker.producers.set(producer.id, producer);
      room.peers.push(speaker);
      // Plain transports give no BWE: start every subscriber's estimate as a fast link's,
      // so the allocator forwards what a well-connected room would (not pause for "bandwidth").
      room.allocator = new RoomAllocator(() => room.peers, { ...DEFAULT_ALLOCATION, initialEstimateBps: 5_000_000 });
      room.allocator.addProducer(producer);
    }
    rooms.push(room);
    return room;
  }

  async function addConsumer(): Promise<void> {
    let room = rooms.at(-1);
    if (!room || room.subscribers >= spec.roomSize - 1) room = await addRoom();
    const id = `r${rooms.length - 1}-p${room.subscribers}`;
    const appData: ConsumerAppData = { peerId: id, producerPeerId: room.peers[0]?.id ?? 'source', source: 'camera' };
    const { transport, consumer } = await plainConsumer(room.router, room.producer, sink.port, spec.mode, appData);
    subscribers.push({ transport, consumer });
    room.subscribers++;
    count++;
    if (!room.allocator) return;
    // Our per-room code sees a subscriber like any browser's: its downlink transport and consumer.
    const p = peer(id);
    p.transports.set(transport.id, transport as unknown as types.WebRtcTransport);
    p.consumers.set(consumer.id, consumer as types.Consumer<ConsumerAppData>);
    room.peers.push(p);
    room.allocator.addConsumer(p, consumer as types.Consumer<ConsumerAppData>, room.producer);
    room.allocator.setTiles(p, [{ consumerId: consumer.id, height: 360, visible: true, pinned: false }]);
    await room.allocator.clientReady(p, consumer as types.Consumer<ConsumerAppData>);
  }

  const steps: CapacityStep[] = [];
  // In full mode every consumer must really be forwarding, or the comparison flatters us.
  const forwarding = () => rooms.flatMap((r) => r.peers.flatMap((p) => [...p.consumers.values()])).filter((c) => !c.paused).length;
  try {
    const producerBps = async () => (await source.producer.getStats())[0]?.bitrate ?? 0;
    while (count < MAX) {
      while (count < (steps.length + 1) * STEP) await addConsumer();
      await new Promise((r) => setTimeout(r, 2000)); // settle: allocator decisions, first keyframes
      // In full mode a new subscriber forwards once its budget has grown by probes (a hold,
      // then one probe per receiver report): on a busy worker that took longer than 2 s.
      const settled = Date.now() + SETTLE_MAX_MS;
      while (spec.full && forwarding() < count && Date.now() < settled) await new Promise((r) => setTimeout(r, 250));
      const t0 = { at: Date.now(), worker: ticks(worker.pid), node: process.cpuUsage(), bytes: sink.bytes };
      await new Promise((r) => setTimeout(r, WINDOW_MS));
      const secs = (Date.now() - t0.at) / 1000;
      const node = process.cpuUsage(t0.node);
      const expected = (count * (await producerBps())) / 8;
      const step: CapacityStep = {
        consumers: count,
        workerCpuPct: ((ticks(worker.pid) - t0.worker) / 100 / secs) * 100,
        nodeCpuPct: ((node.user + node.system) / 1e6 / secs) * 100,
        deliveredPct: expected > 0 ? Math.min(100, (((sink.bytes - t0.bytes) / secs) / expected) * 100) : 0,
      };
      if (spec.full) step.forwarding = forwarding();
      steps.push(step);
      log(`  ${spec.name}: ${count} consumers, worker ${step.workerCpuPct.toFixed(1)} % of a core, node ${step.nodeCpuPct.toFixed(1)} %, delivered ${step.deliveredPct.toFixed(1)} %${step.forwarding !== undefined && step.forwarding < count ? `, only ${step.forwarding} forwarding` : ''}`);
      // A consumer our allocator left paused: the step flatters us, and the count ends here.
      if (step.forwarding !== undefined && step.forwarding < count) break;
      // The first step at 80 % is all `at80` needs: one more saturated the worker (95-100 %),
      // and adding the next 100 consumers through its request channel did not finish in 15 min.
      if (step.workerCpuPct >= 80 || step.deliveredPct < 90) break;
    }
    if (spec.mode === 'feedback') feedback = await feedbackEvidence(subscribers.at(-1), sink.feedback);
  } finally {
    for (const r of rooms) r.allocator?.close();
    source.stop();
    sink.stop();
    worker.close();
  }
  const last = steps.at(-1);
  return { ...spec, steps, consumersAt80: at80(steps), nodeCpuPer100: last ? last.nodeCpuPct / (last.consumers / 100) : null, ...(feedback ? { feedback } : {}) };
}

async function feedbackEvidence(sub: { transport: types.PlainTransport; consumer: types.Consumer } | undefined, packets: number): Promise<NonNullable<CapacityRun['feedback']>> {
  if (!sub || sub.transport.closed) return { packets, estimateBps: null, rttMs: null };
  const bwe = (await sub.transport.getStats())[0]?.availableOutgoingBitrate;
  const rtt = (await sub.consumer.getStats()).find((x) => x.type === 'outbound-rtp')?.roundTripTime;
  return { packets, estimateBps: typeof bwe === 'number' ? bwe : null, rttMs: typeof rtt === 'number' ? rtt : null };
}

/** Consumers at 80 % of a core, linear between the steps around it (delivery, and in full mode forwarding, must hold there). */
export function at80(steps: readonly CapacityStep[]): number | null {
  for (let i = 1; i < steps.length; i++) {
    const a = steps[i - 1]!;
    const b = steps[i]!;
    if (a.workerCpuPct < 80 && b.workerCpuPct >= 80 && b.deliveredPct >= 90 && (b.forwarding ?? b.consumers) === b.consumers) {
      return Math.round(a.consumers + ((80 - a.workerCpuPct) / (b.workerCpuPct - a.workerCpuPct)) * (b.consumers - a.consumers));
    }
  }
  return null;
}
