// The phone gateway's media thread: every call's RTP, off the main event loop so
// signaling stays responsive. Per call: a UDP socket to the phone (G.711 + RFC 4733,
// latched to the first source address) and one for the room (Opus from mediasoup
// consumers, one stream per other speaker). Every 20 ms: each source's next frame from its
// jitter buffer, mixed with a limiter (mix-minus: the caller's own voice is never
// consumed), plus any prompt, encoded and sent to the phone; the caller's voice goes to the
// room as Opus.
import { createSocket, type Socket } from 'node:dgram';
import { parentPort } from 'node:worker_threads';
import opus from '@discordjs/opus';
import { decodeG711, encodeG711, type G711 } from './g711.js';
import { FRAME, FrameAssembler, JitterBuffer, Limiter } from './jitter.js';
import type { Address, CallStats, FromMedia, ToMedia } from './media-protocol.js';
import { buildRtp, DtmfReceiver, parseRtp } from './rtp.js';

interface Source { decoder: OpusEncoder; buffer: JitterBuffer }

interface MediaCall {
  id: string;
  codec: G711; payloadType: number; dtmfPayloadType: number | null;
  phone: Socket; room: Socket;
  remote: Address; latched: boolean;
  producer: { target: Address; ssrc: number; payloadType: number; seq: number; ts: number } | null;
  encoder: OpusEncoder;
  sources: Map<number, Source>;
  allowed: Map<number, number>; // ssrc -> payload type
  inbound: JitterBuffer; // the caller's voice, towards the room
  assembler: FrameAssembler;
  dtmf: DtmfReceiver;
  limiter: Limiter;
  prompt: { pcm: Int16Array; at: number } | null;
  out: { seq: number; ts: number; ssrc: number };
  stats: CallStats;
}

const { OpusEncoder } = opus;
type OpusEncoder = InstanceType<typeof OpusEncoder>;
const calls = new Map<string, MediaCall>();
const post = (m: FromMedia) => parentPort!.postMessage(m);

function open(m: Extract<ToMedia, { type: 'open' }>): void {
  const phone = createSocket('udp4');
  const room = createSocket('udp4');
  const call: MediaCall = {
    id: m.callId, codec: m.codec, payloadType: m.payloadType, dtmfPayloadType: m.dtmfPayloadType, phone, room,
    remote: m.remote, latched: false, producer: null, encoder: new OpusEncoder(8000, 1), sources: new Map(), allowed: new Map(),
    inbound: new JitterBuffer(2), assembler: new FrameAssembler(), dtmf: new DtmfReceiver(), limiter: new Limiter(), prompt: null,
    out: { seq: Math.floor(Math.random() * 0xffff), ts: Math.floor(Math.random() * 0xffffffff), ssrc: (Math.random() * 0xffffffff) >>> 0 },
    stats: { rtpIn: 0, rtpOut: 0, toRoom: 0, fromRoom: 0, lost: 0, sources: 0, foreign: 0, malformed: 0, underruns: 0, late: 0, mixedFrames: 0 },
  };
  call.encoder.setBitrate(24_000);
  phone.on('message', (buf, rinfo) => fromPhone(call, buf, rinfo));
  room.on('message', (buf) => fromRoom(call, buf));
  phone.on('error', (e) => post({ type: 'error', callId: call.id, message: e.message }));
  room.on('error', (e) => post({ type: 'error', callId: call.id, message: e.message }));
  let bound = 0;
  const ready = () => {
    if (++bound < 2) return;
    calls.set(call.id, call);
    post({ type: 'opened', callId: call.id, phonePort: phone.address().port, roomPort: room.address().port });
  };
  phone.bind(0, m.bindIp, ready);
  room.bind(0, '127.0.0.1', ready);
}

function fromPhone(call: MediaCall, buf: Buffer, rinfo: { address: string; port: number }): void {
  // Latching: the first packet fixes where the phone really is (NAT); others are ignored.
  if (!call.latched) { call.remote = { ip: rinfo.address, port: rinfo.port }; call.latched = true; }
  else if (rinfo.address !== call.remote.ip || rinfo.port !== call.remote.port) { call.stats.foreign++; return; }
  const p = parseRtp(buf);
  if (!p) { call.stats.malformed++; return; }
  call.stats.rtpIn++;
  if (p.payloadType === call.dtmfPayloadType) {
    const digit = call.dtmf.push(p);
    if (digit) post({ type: 'digit', callId: call.id, digit });
    return;
  }
  if (p.payloadType !== call.payloadType || p.payload.length === 0 || p.payload.length > 480) { call.stats.malformed++; return; }
  for (const [n, frame] of call.assembler.push(p.timestamp, decodeG711(call.codec, p.payload))) call.inbound.push(n, frame);
}

function fromRoom(call: MediaCall, buf: Buffer): void {
  const p = parseRtp(buf);
  if (!p || call.allowed.get(p.ssrc) !== p.payloadType) return;
  call.stats.fromRoom++;
  let s = call.sources.get(p.ssrc);
  if (!s) call.sources.set(p.ssrc, (s = { decoder: new OpusEncoder(8000, 1), buffer: new JitterBuffer(2) }));
  try {
    const pcm = s.decoder.decode(Buffer.from(p.payload));
    const frame = new Int16Array(pcm.buffer, pcm.byteOffset, Math.min(FRAME, pcm.length / 2)).slice();
    s.buffer.push(p.seq, frame.length === FRAME ? frame : padded(frame));
  } catch { /* a corrupt Opus packet: concealed like a lost one */ }
}

function padded(f: Int16Array): Int16Array { const out = new Int16Array(FRAME); out.set(f.subarray(0, FRAME)); return out; }

function tick(): void {
  // One call's trouble (a codec error) must not stop the others.
  for (const call of calls.values()) {
    try { tickCall(call); } catch (e) { post({ type: 'error', callId: call.id, message: e instanceof Error ? e.message : String(e) }); }
  }
}

function tickCall(call: MediaCall): void {
  {
    // Towards the phone: everyone else, limited, plus the prompt being played.
    const frames = [...call.sources.values()].map((s) => s.buffer.pop());
    if (call.prompt) {
      const { pcm, at } = call.prompt;
      frames.push(padded(pcm.subarray(at, at + FRAME)));
      call.prompt.at += FRAME;
      if (call.prompt.at >= pcm.length) { call.prompt = null; post({ type: 'promptDone', callId: call.id }); }
    }
    const mixed = call.limiter.mix(frames);
    call.stats.mixedFrames++;
    const packet = buildRtp({ payloadType: call.payloadType, marker: false, seq: call.out.seq, timestamp: call.out.ts, ssrc: call.out.ssrc }, encodeG711(call.codec, mixed));
    call.out.seq = (call.out.seq + 1) & 0xffff;
    call.out.ts = (call.out.ts + FRAME) >>> 0;
    call.phone.send(packet, call.remote.port, call.remote.ip);
    call.stats.rtpOut++;
    // Towards the room: the caller's voice as Opus (48 kHz RTP clock).
    const voice = call.inbound.pop();
    if (voice && call.producer) {
      const pr = call.producer;
      let opus: Buffer;
      opus = call.encoder.encode(Buffer.from(voice.buffer, voice.byteOffset, voice.byteLength));
      call.room.send(buildRtp({ payloadType: pr.payloadType, marker: false, seq: pr.seq, timestamp: pr.ts, ssrc: pr.ssrc }, opus), pr.target.port, pr.target.ip);
      pr.seq = (pr.seq + 1) & 0xffff;
      call.stats.toRoom++;
    }
    if (call.producer) call.producer.ts = (call.producer.ts + 960) >>> 0;
  }
}

// A drift-free 20 ms clock: catch up on late ticks instead of slowing down.
let due = performance.now();
function schedule(): void {
  const now = performance.now();
  let n = 0;
  while (due <= now && n++ < 5) { tick(); due += 20; }
  if (now - due > 200) due = now; // the thread was stalled: do not burst
  setTimeout(schedule, Math.max(0, due - performance.now()));
}
schedule();

setInterval(() => {
  for (const c of calls.values()) {
    c.stats.underruns = [...c.sources.values()].reduce((n, s) => n + s.buffer.underruns, c.inbound.underruns);
    c.stats.late = [...c.sources.values()].reduce((n, s) => n + s.buffer.late, c.inbound.late);
    c.stats.lost = [...c.sources.values()].reduce((n, s) => n + s.buffer.lost, c.inbound.lost);
    c.stats.sources = c.sources.size;
    post({ type: 'stats', callId: c.id, stats: { ...c.stats } });
  }
}, 1000).unref();

parentPort!.on('message', (m: ToMedia) => {
  try {
    const call = calls.get(m.callId);
    switch (m.type) {
      case 'open': return open(m);
      case 'producer': if (call) call.producer = { target: m.target, ssrc: m.ssrc, payloadType: m.payloadType, seq: 1, ts: 0 }; return;
      case 'sources':
        if (!call) return;
        call.allowed = new Map(m.sources.map((s) => [s.ssrc, s.payloadType]));
        for (const ssrc of call.sources.keys()) if (!call.allowed.has(ssrc)) call.sources.delete(ssrc);
        return;
      case 'play':
        if (!call) return;
        if (m.interrupt || !call.prompt) call.prompt = { pcm: m.pcm, at: 0 };
        else { const both = new Int16Array(call.prompt.pcm.length - call.prompt.at + m.pcm.length); both.set(call.prompt.pcm.subarray(call.prompt.at)); both.set(m.pcm, call.prompt.pcm.length - call.prompt.at); call.prompt = { pcm: both, at: 0 }; }
        return;
      case 'close':
        if (!call) return;
        calls.delete(m.callId);
        call.phone.close(); call.room.close();
        return;
    }
  } catch (e) {
    post({ type: 'error', callId: m.callId, message: e instanceof Error ? e.message : String(e) });
  }
});
