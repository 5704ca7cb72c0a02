// The consent rule (who is mixed right now) and the spans derived from the event log
// (who was recorded when), table-driven.
import { describe, expect, it } from 'vitest';
import { isRecorded, type RecordingState } from '../../protocol/index.js';
import { recordedSpans } from '../../server/src/recording/consent.js';
import type { RecordingEvent } from '../../server/src/recording/store.js';

const base: RecordingState = { id: 'rec00001', kind: 'video', status: 'recording', byPeerId: 'chair', byName: 'Chair', startedAt: 0, part: 1, consents: { chair: true, yes: true, no: false } };

describe('isRecorded', () => {
  const cases: [string, RecordingState | null, string, boolean][] = [
    ['no recording', null, 'yes', false],
    ['said yes, recording', base, 'yes', true],
    ['said no', base, 'no', false],
    ['never answered', base, 'silent', false],
    ['said yes, paused', { ...base, status: 'paused' }, 'yes', false],
    ['said yes, interrupted', { ...base, status: 'interrupted' }, 'yes', false],
    ['the recording moderator', base, 'chair', true],
  ];
  for (const [name, state, peer, expected] of cases) it(name, () => expect(isRecorded(state, peer)).toBe(expected));
});

const ev = (at: number, type: RecordingEvent['type'], peerId: string | null = null, name: string | null = peerId): RecordingEvent => ({ recordingId: 'r', at, type, peerId, name });

describe('recordedSpans', () => {
  const cases: [string, RecordingEvent[], number, [string, number, number][]][] = [
    ['consent at start until stop', [ev(0, 'started', 'A'), ev(0, 'consentGiven', 'A'), ev(10, 'stopped', 'A')], 10, [['A', 0, 10]]],
    ['late consent starts late', [ev(0, 'started', 'A'), ev(0, 'consentGiven', 'A'), ev(4, 'consentGiven', 'B'), ev(10, 'stopped')], 10, [['A', 0, 10], ['B', 4, 10]]],
    ['withdrawal ends the span', [ev(0, 'started', 'A'), ev(1, 'consentGiven', 'B'), ev(5, 'consentWithdrawn', 'B'), ev(10, 'stopped')], 10, [['B', 1, 5]]],
    ['leaving ends the span', [ev(0, 'started'), ev(1, 'consentGiven', 'B'), ev(6, 'left', 'B', null), ev(10, 'stopped')], 10, [['B', 1, 6]]],
    ['declined: never recorded', [ev(0, 'started', 'A'), ev(1, 'consentDeclined', 'B'), ev(10, 'stopped')], 10, []],
    ['pause splits spans', [ev(0, 'started'), ev(0, 'consentGiven', 'B'), ev(3, 'paused'), ev(6, 'resumed'), ev(9, 'stopped')], 9, [['B', 0, 3], ['B', 6, 9]]],
    ['consent while paused starts at resume', [ev(0, 'started'), ev(2, 'paused'), ev(3, 'consentGiven', 'B'), ev(5, 'resumed'), ev(8, 'stopped')], 8, [['B', 5, 8]]],
    ['interruption and a new part', [ev(0, 'started'), ev(0, 'consentGiven', 'B'), ev(4, 'interrupted'), ev(7, 'partStarted'), ev(9, 'stopped')], 9, [['B', 0, 4], ['B', 7, 9]]],
    ['still running: open until the end given', [ev(0, 'started'), ev(2, 'consentGiven', 'B')], 5, [['B', 2, 5]]],
  ];
  for (const [name, events, end, expected] of cases) {
    it(name, () => expect(recordedSpans(events, end).map((s) => [s.name, s.from, s.to])).toEqual(expected));
  }
});
