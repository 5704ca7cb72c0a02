// Recording storage: the current state of a room's recording (survives a restart), the
// event log (who recorded, start/pause/stop, every consent answer, with times) and the
// archive index. Every write is durable before the change is acknowledged.
import type { ArchivedRecording, RecordingKind, RecordingState } from '../../../protocol/index.js';

export type RecordingEventType =
  | 'started' | 'paused' | 'resumed' | 'stopped' | 'interrupted' | 'partStarted'
  | 'consentGiven' | 'consentDeclined' | 'consentWithdrawn' | 'left';

export interface RecordingEvent {
  recordingId: string;
  at: number;
  type: RecordingEventType;
  peerId: string | null;
  name: string | null;
}

export interface ArchiveRow extends ArchivedRecording {
  roomId: string;
  /** File name under the archive directory. */
  file: string;
  /** JSON metadata kept with the file (who recorded, consent log). */
  metadata: string;
}

export interface RecordingStore {
  state(roomId: string): RecordingState | null;
  /** Appends events and saves the new state, in one transaction. */
  commit(roomId: string, events: RecordingEvent[], state: RecordingState | null): void;
  events(roomId: string, recordingId?: string): RecordingEvent[];
  archive: {
    add(row: ArchiveRow): void;
    list(roomId: string): ArchiveRow[];
    get(id: string): ArchiveRow | undefined;
    remove(id: string): void;
    /** Rows whose retention ended at `now`. */
    expired(now: number): ArchiveRow[];
  };
}

export type { RecordingKind };
