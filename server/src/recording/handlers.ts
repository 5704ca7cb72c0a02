// Recording requests: moderators start, pause and stop (the capture runs in the recording
// moderator's browser, which follows the state); everyone answers for themselves; only
// moderators get an archive token.
import { ErrorCode, type Method } from '../../../protocol/index.js';
import { AppError } from '../errors.js';
import { allow } from '../meeting/authorize.js';
import type { Handlers } from '../signaling/context.js';
import { joined } from '../signaling/guards.js';

type RecordingMethod = Extract<Method, 'recordingStart' | 'recordingPause' | 'recordingStop' | 'recordingConsent' | 'recordingArchive'>;

export const recordingHandlers: Handlers<RecordingMethod> = {
  recordingStart(ctx, { kind, resume }) {
    const { room, peer } = joined(ctx);
    allow(room, peer, 'record');
    const recording = room.recording.start(peer, kind, resume, (id) => room.peers.get(id)?.connected === true);
    room.meeting.log(peer, resume ? 'recordingResumed' : 'recordingStarted', null, { kind });
    return { recording };
  },

  recordingPause(ctx, { paused }) {
    const { room, peer } = joined(ctx);
    allow(room, peer, 'record');
    room.recording.pause(peer, paused);
    room.meeting.log(peer, paused ? 'recordingPaused' : 'recordingContinued', null);
    return {};
  },

  recordingStop(ctx) {
    const { room, peer } = joined(ctx);
    allow(room, peer, 'record');
    room.recording.stop(peer);
    room.meeting.log(peer, 'recordingStopped', null);
    return {};
  },

  recordingConsent(ctx, { consent }) {
    const { room, peer } = joined(ctx);
    room.recording.consent(peer, consent);
    return {};
  },

  recordingArchive(ctx) {
    const { room, peer } = joined(ctx);
    allow(room, peer, 'record');
    if (!ctx.recordings) throw new AppError(ErrorCode.Internal, 'the recordings archive is not available on this server');
    const { token, expiresAt } = ctx.recordings.tokens.issue(room.id, peer.id);
    return { token, expiresAt, items: ctx.recordings.archive.list(room.id), maxBytes: ctx.recordings.archive.maxBytes };
  },
};
