// The one dispatch table: every method's handler, from its feature folder.
import type { Method } from '../../../protocol/index.js';
import { mediaHandlers } from '../media/handlers.js';
import { meetingHandlers } from '../meeting/handlers.js';
import { sessionHandlers } from '../session/handlers.js';
import { voteHandlers } from '../votes/handlers.js';
import { minutesHandlers } from '../minutes/handlers.js';
import { recordingHandlers } from '../recording/handlers.js';
import { phoneHandlers } from '../phone/handlers.js';
import type { Handlers } from './context.js';

export const handlers: Handlers<Method> = { ...sessionHandlers, ...mediaHandlers, ...meetingHandlers, ...voteHandlers, ...minutesHandlers, ...recordingHandlers, ...phoneHandlers };
