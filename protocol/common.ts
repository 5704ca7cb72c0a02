// Building blocks every protocol feature file uses: error codes, id and name schemas,
// the request envelope, roles and participant info.
import * as v from 'valibot';

export const PROTOCOL_VERSION = 2;
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
  RoomLocked: 'room_locked',
  Banned: 'banned',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Ids we hand out: base64url, 128+ bits (rooms, keys) or mediasoup UUIDs. */
export const Id = v.pipe(v.string(), v.minLength(8), v.maxLength(64), v.regex(/^[A-Za-z0-9_-]+$/, 'must be an id'));
export const Name = v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(64, 'at most 64 characters'));
export const SmallInt = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0xffffffff));
export const ShortString = v.pipe(v.string(), v.maxLength(256));
export const Dict = v.record(v.pipe(v.string(), v.maxLength(64)), v.union([ShortString, v.number(), v.boolean()]));

export function request<M extends string, D extends v.GenericSchema>(method: M, data: D) {
  return v.strictObject({ id: SmallInt, method: v.literal(method), data });
}

export const MediaSource = v.picklist(['mic', 'camera', 'screen']);
export type MediaSource = v.InferOutput<typeof MediaSource>;
/** moderator: chair or clerk; participant: a member; guest: the public (no screen share by default). */
export const Role = v.picklist(['moderator', 'participant', 'guest']);
export type Role = v.InferOutput<typeof Role>;

export interface ProducerInfo { id: string; kind: 'audio' | 'video'; source: MediaSource; paused: boolean }
export interface PeerInfo {
  id: string;
  name: string;
  role: Role;
  producers: ProducerInfo[];
  /** When the hand went up (ms since epoch), or null. */
  handRaisedAt: number | null;
  /** Muted by the chair (and, with "only the chair unmutes", not allowed to unmute). */
  mutedByChair: boolean;
  /** Whether this person may share the screen. */
  canShareScreen: boolean;
  /** How they take part: a browser, or a telephone (dial-in). */
  channel: 'browser' | 'phone';
}

export interface ErrorBody { code: ErrorCode; message: string }
