import type { ErrorCode } from '../../../protocol/messages.js';

/** An error whose code and message are safe to send to the client. */
export class SignalingError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'SignalingError';
    this.code = code;
  }
}
