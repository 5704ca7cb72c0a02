// Errors whose code and message are safe to send to the client. Domain code throws them;
// the signaling layer turns them into error replies, HTTP routes into JSON errors.
import type { ErrorCode } from '../../protocol/index.js';

export class AppError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'AppError';
    this.code = code;
  }
}
