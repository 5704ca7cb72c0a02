// What the recording handlers and the archive routes share (built in server.ts).
import type { Archive } from './Archive.js';
import type { ArchiveTokens } from './tokens.js';

export interface RecordingServices { archive: Archive; tokens: ArchiveTokens }
