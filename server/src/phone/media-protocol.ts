// Messages between the gateway (main thread: SIP, rooms) and its media worker thread
// (RTP sockets, decoding, jitter buffers, mixing, encoding).
import type { G711 } from './g711.js';

export interface Address { ip: string; port: number }

export type ToMedia =
  | { type: 'open'; callId: string; codec: G711; payloadType: number; dtmfPayloadType: number | null; remote: Address; bindIp: string }
  | { type: 'producer'; callId: string; target: Address; ssrc: number; payloadType: number }
  | { type: 'sources'; callId: string; sources: { ssrc: number; payloadType: number }[] }
  | { type: 'play'; callId: string; pcm: Int16Array; interrupt: boolean }
  | { type: 'close'; callId: string };

export interface CallStats { rtpIn: number; rtpOut: number; toRoom: number; fromRoom: number; lost: number; sources: number; foreign: number; malformed: number; underruns: number; late: number; mixedFrames: number }

export type FromMedia =
  | { type: 'opened'; callId: string; phonePort: number; roomPort: number }
  | { type: 'digit'; callId: string; digit: string }
  | { type: 'promptDone'; callId: string }
  | { type: 'stats'; callId: string; stats: CallStats }
  | { type: 'error'; callId: string; message: string };
