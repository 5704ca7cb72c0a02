// The signaling wire protocol: every message schema and its type, in one module that
// the server and the client both import. Domain code never sees raw JSON: the server
// parses each frame with `parseRequest`, the client trusts only what it asked for.
import * as v from 'valibot';

export const PROTOCOL_VERSION = 1;
/** Frames above this many bytes are answered with `message_too_large`. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

export const ErrorCode = {
  BadJson: 'bad_json',
  BadRequest: 'bad_request',
  UnknownMethod: 'unknown_method',
  MessageTooLarge: 'message_too_large',
  RateLimited: 'rate_limited',
  NotJoined: 'not_joined',
  AlreadyJoined: 'already_joined',
  RoomNotFound: 'room_not_found',
  NotFound: 'not_found',
  Forbidden: 'forbidden',
  InvalidState: 'invalid_state',
  Internal: 'internal',
  RoomFull: 'room_full',
  TooManyRooms: 'too_many_rooms',
  MediaUnavailable: 'media_unavailable',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export { CloseCode } from './close-codes.js';

// ---- building blocks -------------------------------------------------------------

/** Ids we hand out: base64url, 128+ bits (rooms, keys) or mediasoup UUIDs. */
const Id = v.pipe(v.string(), v.minLength(8), v.maxLength(64), v.regex(/^[A-Za-z0-9_-]+$/, 'must be an id'));
const Name = v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(64, 'at most 64 characters'));
const SmallInt = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0xffffffff));
const ShortString = v.pipe(v.string(), v.maxLength(256));
const Dict = v.record(v.pipe(v.string(), v.maxLength(64)), v.union([ShortString, v.number(), v.boolean()]));

// mediasoup's own RTP objects are checked structurally here (sizes, field types);
// mediasoup validates semantics and its TypeErrors are answered as `bad_request`.
const Codec = v.looseObject({
  mimeType: v.pipe(v.string(), v.maxLength(64)),
  payloadType: v.optional(SmallInt),
  preferredPayloadType: v.optional(SmallInt),
  clockRate: SmallInt,
  channels: v.optional(SmallInt),
  parameters: v.optional(Dict),
  rtcpFeedback: v.optional(v.pipe(v.array(v.looseObject({ type: ShortString, parameter: v.optional(ShortString) })), v.maxLength(32))),
});
const HeaderExtension = v.looseObject({ uri: ShortString, id: v.optional(SmallInt), preferredId: v.optional(SmallInt) });
export const RtpCapabilitiesSchema = v.looseObject({
  codecs: v.optional(v.pipe(v.array(Codec), v.maxLength(64))),
  headerExtensions: v.optional(v.pipe(v.array(HeaderExtension), v.maxLength(64))),
});
export type RtpCapabilitiesWire = v.InferOutput<typeof RtpCapabilitiesSchema>;
export const RtpParametersSchema = v.looseObject({
  mid: v.optional(ShortString),
  codecs: v.pipe(v.array(Codec), v.minLength(1), v.maxLength(16)),
  headerExtensions: v.optional(v.pipe(v.array(HeaderExtension), v.maxLength(32))),
  encodings: v.optional(v.pipe(v.array(v.looseObject({ ssrc: v.optional(SmallInt), rid: v.optional(ShortString) })), v.maxLength(8))),
  rtcp: v.optional(v.looseObject({ cname: v.optional(ShortString), reducedSize: v.optional(v.boolean()) })),
});
export type RtpParametersWire = v.InferOutput<typeof RtpParametersSchema>;
const DtlsParameters = v.looseObject({
  role: v.optional(v.picklist(['auto', 'client', 'server'])),
  fingerprints: v.pipe(
    v.array(v.object({ algorithm: v.pipe(v.string(), v.maxLength(16)), value: v.pipe(v.string(), v.maxLength(256)) })),
    v.minLength(1),
    v.maxLength(8),
  ),
});
export type DtlsParametersWire = v.InferOutput<typeof DtlsParameters>;

export const MediaSource = v.picklist(['mic', 'camera', 'screen']);
export type MediaSource = v.InferOutput<typeof MediaSource>;
export const Role = v.picklist(['moderator', 'participant']);
export type Role = v.InferOutput<typeof Role>;

// ---- requests (client -> server) ---------------------------------------------------

function request<M extends string, D extends v.GenericSchema>(method: M, data: D) {
  return v.strictObject({ id: SmallInt, method: v.literal(method), data });
}

export const RequestSchema = v.variant('method', [
  request('routerCapabilities', v.strictObject({ roomId: Id })),
  request('join', v.strictObject({
    roomId: Id,
    name: Name,
    rtpCapabilities: RtpCapabilitiesSchema,
    moderatorKey: v.optional(Id),
    resumeToken: v.optional(Id),
  })),
  request('leave', v.strictObject({})),
  request('createTransport', v.strictObject({ direction: v.picklist(['send', 'recv']) })),
  request('connectTransport', v.strictObject({ transportId: Id, dtlsParameters: DtlsParameters })),
  request('restartIce', v.strictObject({ transportId: Id })),
  request('produce', v.strictObject({
    transportId: Id,
    kind: v.picklist(['audio', 'video']),
    source: MediaSource,
    rtpParameters: RtpParametersSchema,
    paused: v.optional(v.boolean()),
    /** Capture height of a video source, so the SFU knows each layer's size. */
    videoHeight: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(4320))),
  })),
  request('closeProducer', v.strictObject({ producerId: Id })),
  /** `reason`: the user switched it (default), or the sender's ladder paused video for stills. */
  request('setProducerPaused', v.strictObject({ producerId: Id, paused: v.boolean(), reason: v.optional(v.picklist(['user', 'ladder'])) })),
  request('consume', v.strictObject({ transportId: Id, producerId: Id })),
  request('resumeConsumer', v.strictObject({ consumerId: Id })),
  request('closeConsumer', v.strictObject({ consumerId: Id })),
  /** Rendered size and visibility of the tiles showing our video consumers (debounced, on change). */
  request('updateTiles', v.strictObject({
    tiles: v.pipe(v.array(v.strictObject({
      consumerId: Id,
      /** Device pixels (CSS height x devicePixelRatio). */
      height: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(8192)),
      visible: v.boolean(),
      pinned: v.boolean(),
    })), v.maxLength(100)),
  })),
  /** "Save data" or an operator limit on what we receive; null lifts it. */
  request('setReceiveBitrate', v.strictObject({
    maxBps: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(30_000), v.maxValue(100_000_000))),
  })),
  /** Still-image rung: one small picture (base64, <= 16 KB) for others to show. */
  request('stillImage', v.strictObject({
    mime: v.picklist(['image/webp', 'image/jpeg']),
    data: v.pipe(v.string(), v.maxLength(22_000), v.regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64')),
  })),
  request('ping', v.strictObject({})),
]);
export type Request = v.InferOutput<typeof RequestSchema>;
export type Method = Request['method'];
export type RequestData<M extends Method> = Extract<Request, { method: M }>['data'];

// ---- responses ----------------------------------------------------------------------

export interface ProducerInfo { id: string; kind: 'audio' | 'video'; source: MediaSource; paused: boolean }
export interface PeerInfo { id: string; name: string; role: Role; producers: ProducerInfo[] }
export interface TransportInfo {
  id: string;
  iceParameters: unknown;
  iceCandidates: unknown[];
  dtlsParameters: unknown;
}

export interface ResponseData {
  routerCapabilities: { rtpCapabilities: unknown };
  join: {
    peerId: string;
    role: Role;
    resumeToken: string;
    resumed: boolean;
    peers: PeerInfo[];
    graceMs: number;
    /** Camera codec the server asks for ('vp9': SVC where the browser can). */
    videoCodec: 'vp8' | 'vp9';
    /** Resumed, but the room's media worker was replaced meanwhile: rebuild all media. */
    mediaReset: boolean;
  };
  leave: Record<string, never>;
  createTransport: TransportInfo;
  connectTransport: Record<string, never>;
  restartIce: { iceParameters: unknown };
  produce: { producerId: string };
  closeProducer: Record<string, never>;
  setProducerPaused: Record<string, never>;
  consume: {
    consumerId: string;
    producerId: string;
    peerId: string;
    kind: 'audio' | 'video';
    source: MediaSource;
    rtpParameters: unknown;
    producerPaused: boolean;
  };
  resumeConsumer: Record<string, never>;
  closeConsumer: Record<string, never>;
  updateTiles: Record<string, never>;
  setReceiveBitrate: Record<string, never>;
  stillImage: Record<string, never>;
  ping: { now: number };
}

export interface ErrorBody { code: ErrorCode; message: string }
export type Response =
  | { id: number; ok: true; data: ResponseData[Method] }
  | { id: number | null; ok: false; error: ErrorBody };

// ---- notifications (server -> client) ---------------------------------------------

/** Why a video is not forwarded: sender paused it, link too weak, tile hidden, beyond Last-N. */
export type PausedReason = 'producer' | 'bandwidth' | 'hidden' | 'lastN' | null;
export interface Layer { spatial: number; temporal: number }

export interface Notifications {
  peerJoined: { peer: PeerInfo };
  peerLeft: { peerId: string };
  newProducer: { peerId: string; producer: ProducerInfo };
  producerClosed: { peerId: string; producerId: string };
  producerPaused: { peerId: string; producerId: string; paused: boolean };
  consumerClosed: { consumerId: string };
  consumerState: { consumerId: string; paused: boolean; reason: PausedReason };
  /** Allocation details for the debug overlay: what we forward, could forward, and why. */
  consumerLayers: {
    consumerId: string; target: Layer | null; max: Layer | null; current: Layer | null;
    reason: PausedReason; budgetBps: number; rank: number;
  };
  /** Dynacast: nobody needs layers above this one (null: nobody watches at all). */
  producerLayers: { producerId: string; maxSpatialLayer: number | null };
  activeSpeaker: { peerId: string | null };
  /** 0 (unusable) .. 10 (perfect), from mediasoup RTP scores of the peer's producers. */
  peerQuality: { peerId: string; score: number };
  /** A participant below the lowest video rung sends a picture every few seconds. */
  stillImage: { peerId: string; mime: 'image/webp' | 'image/jpeg'; data: string };
  /** The participant turned the camera off: drop its still image. */
  stillCleared: { peerId: string };
  /** The media worker behind the room was replaced: recreate transports and producers. */
  mediaReset: { reason: string };
  /** The meeting was closed for everyone (its media could not be recovered, or it ended). */
  roomClosed: { reason: 'media_failed' | 'ended' };
}
export type NotificationName = keyof Notifications;
export type Notification = { [K in NotificationName]: { notification: K; data: Notifications[K] } }[NotificationName];

export function parseRequest(raw: unknown): { ok: true; request: Request } | { ok: false; id: number | null; error: ErrorBody } {
  const id = typeof raw === 'object' && raw !== null && 'id' in raw && typeof raw.id === 'number' && Number.isInteger(raw.id) ? raw.id : null;
  if (typeof raw === 'object' && raw !== null && 'method' in raw && typeof raw.method === 'string'
      && !RequestSchema.options.some((o) => o.entries.method.literal === raw.method)) {
    return { ok: false, id, error: { code: ErrorCode.UnknownMethod, message: `unknown method "${raw.method.slice(0, 40)}"` } };
  }
  const result = v.safeParse(RequestSchema, raw);
  if (result.success) return { ok: true, request: result.output };
  const issue = result.issues[0];
  const path = v.getDotPath(issue) ?? '(message)';
  return { ok: false, id, error: { code: ErrorCode.BadRequest, message: `${path}: ${describe(issue)}` } };
}

function describe(issue: v.BaseIssue<unknown>): string {
  // valibot reports object-level key problems generically; name them plainly.
  if (issue.kind === 'schema' && issue.expected?.startsWith('"') && issue.received === 'undefined') return 'is required';
  if (issue.kind === 'schema' && issue.expected === 'never') return 'unknown field';
  return issue.message;
}
