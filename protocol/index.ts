// The signaling wire protocol, assembled from one file per feature: every request schema
// (one union the server parses each frame with), every response and notification type.
// Server and client import this module; domain code never sees raw JSON.
import * as v from 'valibot';
import { ErrorCode, type ErrorBody } from './common.js';
import { mediaRequests, type MediaNotifications, type MediaResponses } from './media.js';
import { meetingRequests, type MeetingNotifications, type MeetingResponses } from './meeting.js';
import { sessionRequests, type SessionNotifications, type SessionResponses } from './session.js';
import { voteRequests, type VoteNotifications, type VoteResponses } from './votes.js';
import { minutesRequests, type MinutesNotifications, type MinutesResponses } from './minutes.js';
import { phoneRequests, type PhoneResponses } from './phone.js';
import { recordingRequests, type RecordingNotifications, type RecordingResponses } from './recording.js';

export * from './common.js';
export * from './media.js';
export * from './meeting.js';
export * from './session.js';
export * from './votes.js';
export * from './minutes.js';
export * from './recording.js';
export * from './phone.js';
export { CloseCode } from './close-codes.js';

export const RequestSchema = v.variant('method', [...sessionRequests, ...mediaRequests, ...meetingRequests, ...voteRequests, ...minutesRequests, ...recordingRequests, ...phoneRequests]);
export type Request = v.InferOutput<typeof RequestSchema>;
export type Method = Request['method'];
export type RequestData<M extends Method> = Extract<Request, { method: M }>['data'];

export type ResponseData = SessionResponses & MediaResponses & MeetingResponses & VoteResponses & MinutesResponses & RecordingResponses & PhoneResponses;
export type Response =
  | { id: number; ok: true; data: ResponseData[Method] }
  | { id: number | null; ok: false; error: ErrorBody };

export type Notifications = SessionNotifications & MediaNotifications & MeetingNotifications & VoteNotifications & MinutesNotifications & RecordingNotifications;
export type NotificationName = keyof Notifications;
export type Notification = { [K in NotificationName]: { notification: K; data: Notifications[K] } }[NotificationName];

const METHODS = new Set<string>(RequestSchema.options.map((o) => o.entries.method.literal));

export function parseRequest(raw: unknown): { ok: true; request: Request } | { ok: false; id: number | null; error: ErrorBody } {
  const id = typeof raw === 'object' && raw !== null && 'id' in raw && typeof raw.id === 'number' && Number.isInteger(raw.id) ? raw.id : null;
  if (typeof raw === 'object' && raw !== null && 'method' in raw && typeof raw.method === 'string' && !METHODS.has(raw.method)) {
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
