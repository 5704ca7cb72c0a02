// The media side of the capacity bench. One synthetic 500 kbit/s VP8 stream (encoded once
// by ffmpeg, then copied in a loop, so the feeder costs nearly nothing) enters a source
// router on one mediasoup worker and is piped into every room's router. Each subscriber
// gets a PlainTransport (SRTP AEAD_AES_128_GCM, or plain RTP) to a C sink that counts
// packets, in its own process: what we measure is the worker forwarding. In "feedback"
// mode (plain RTP) the sink answers each transport like a browser: transport-wide cc
// feedback every 100 ms and receiver reports, so mediasoup's bandwidth estimation runs and
// our allocator reads real estimates and round-trip times. In "full" mode
// every room also runs our own per-room code on the Node main thread: Peer objects and a
// RoomAllocator with its 500 ms tick (producer, transport and consumer stats polling) and
// its decisions applied to every consumer.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join, resolve } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import type { types } from 'mediasoup';

const ROOT = resolve(import.meta.dirname, '../..');
const CACHE = join(ROOT, '.cache', 'capacity');
const SSRC = 11_111_111;

// Children (feeder, sink) never outlive the bench, even when it is interrupted.
const children = new Set<ChildProcess>();
function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (children.size === 1) {
    process.once('exit', () => { for (const c of children) c.kill('SIGKILL'); });
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));
  }
  return child;
}
const PT = 101;

/** Builds the sink (cc) and the looped VP8 file (ffmpeg) once; both are cached. */
export function prepare(): { sinkBin: string; clip: string } {
  mkdirSync(CACHE, { recursive: true });
  // Named by its source's hash: a changed sink.c builds anew.
  const source = join(ROOT, 'bench/sink/sink.c');
  const sinkBin = join(CACHE, `sink-${createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 12)}`);
  if (!existsSync(sinkBin)) {
    const cc = spawnSync('cc', ['-O2', '-o', sinkBin, source], { stdio: 'inherit' });
    if (cc.status !== 0) throw new Error('capacity: could not compile bench/sink/sink.c with cc');
  }
  const clip = join(CACHE, 'vp8-500k.webm');
  if (!existsSync(clip)) {
    const ff = spawnSync('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30', '-t', '20', '-c:v', 'libvpx',
      '-b:v', '500k', '-minrate', '500k', '-maxrate', '500k', '-g', '60', '-deadline', 'realtime', '-cpu-used', '8', clip], { stdio: 'inherit' });
    if (ff.status !== 0) throw new Error('capacity: ffmpeg could not encode the VP8 clip');
  }
  return { sinkBin, clip };
}

export class Sink {
  readonly port: number;
  readonly #proc: ChildProcess;
  packets = 0;
  bytes = 0;
  /** Transport-wide cc feedback packets sent (feedback mode). */
  feedback = 0;

  private constructor(port: number, proc: ChildProcess) { this.port = port; this.#proc = proc; }

  /**
   * `twccExtensionId`: answer with feedback and receiver reports (plain RTP only);
   * `queueGrowthUs`: report each packet that much later than the last (a filling queue).
   */
  static async start(bin: string, port: number, twccExtensionId?: number, queueGrowthUs = 0): Promise<Sink> {
    const args = twccExtensionId ? [String(port), String(twccExtensionId), String(queueGrowthUs)] : [String(port)];
    const proc = track(spawn(bin, args, { stdio: ['ignore', 'pipe', 'inherit'] }));
    const sink = new Sink(port, proc);
    const lines = createInterface({ input: proc.stdout! });
    await new Promise<void>((ok, fail) => {
      proc.once('exit', (code) => fail(new Error(`capacity: sink exited with ${code}`)));
      lines.on('line', (line) => {
        if (line === 'ready') return ok();
        const [p, b, f] = line.split(' ').map(Number);
        sink.packets = p ?? 0;
        sink.bytes = b ?? 0;
        sink.feedback = f ?? 0;
      });
    });
    return sink;
  }

  get pid(): number { return this.#proc.pid ?? 0; }
  stop(): void { this.#proc.kill('SIGKILL'); }
}

/** plain RTP, SRTP (AEAD_AES_128_GCM), or plain RTP with receiver feedback (BWE runs). */
export type TransportMode = 'plain' | 'srtp' | 'feedback';

export const TWCC_URI = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';

export class Source {
  readonly router: types.Router;
  readonly producer: types.Producer;
  readonly #feeder: ChildProcess;

  private constructor(router: types.Router, producer: types.Producer, feeder: ChildProcess) { this.router = router; this.producer = producer; this.#feeder = feeder; }

  static async start(worker: types.Worker, mediaCodecs: types.RtpCodecCapability[], clip: string): Promise<Source> {
    const router = await worker.createRouter({ mediaCodecs });
    const transport = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: true });
    const producer = await transport.produce({
      kind: 'video',
      rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: PT, clockRate: 90000 }], encodings: [{ ssrc: SSRC }] },
      appData: { peerId: 'source', source: 'camera', videoHeight: 360 },
    });
    const feeder = track(spawn('ffmpeg', ['-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', clip, '-an', '-c:v', 'copy', '-payload_type', String(PT),
      '-ssrc', String(SSRC), '-f', 'rtp', `rtp://127.0.0.1:${transport.tuple.localPort}?pkt_size=1200`], { stdio: ['ignore', 'ignore', 'inherit'] }));
    return new Source(router, producer, feeder);
  }

  stop(): void { this.#feeder.kill('SIGKILL'); }
}

/** A consumer of `producer` on its own PlainTransport towards the sink. */
export async function plainConsumer(router: types.Router, producer: types.Producer, sinkPort: number, mode: TransportMode, appData: types.AppData): Promise<{ transport: types.PlainTransport; consumer: types.Consumer }> {
  const transport = await router.createPlainTransport({
    listenIp: '127.0.0.1', rtcpMux: true, comedia: false, appData: { ...appData, direction: 'recv' },
    ...(mode === 'srtp' ? { enableSrtp: true, srtpCryptoSuite: 'AEAD_AES_128_GCM' as const } : {}),
  });
  await transport.connect({
    ip: '127.0.0.1', port: sinkPort,
    ...(mode === 'srtp' ? { srtpParameters: { cryptoSuite: 'AEAD_AES_128_GCM' as const, keyBase64: randomBytes(28).toString('base64') } } : {}),
  });
  const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, appData });
  return { transport, consumer };
}
