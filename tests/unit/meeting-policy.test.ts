// The one place rights are decided: every action x role x target, as a table.
import { describe, expect, it } from 'vitest';
import type { Role } from '../../protocol/index.js';
import { can, canChangeRole, type Action } from '../../server/src/meeting/policy.js';

const ROLES: Role[] = ['moderator', 'participant', 'guest'];
const MODERATOR_ONLY: Action[] = ['setSettings', 'admit', 'reject', 'setRole', 'mute', 'muteAll', 'stopMedia', 'setScreenShare', 'remove',
  'sendToLobby', 'rename', 'endMeeting', 'lowerHandOf', 'lowerAllHands', 'callSpeaker', 'deleteChat', 'createPoll', 'closePoll', 'openMotion', 'closeMotion', 'setMinutesWriter', 'record'];
const TARGETED: Action[] = ['setMinutesWriter', 'setRole', 'mute', 'stopMedia', 'setScreenShare', 'remove', 'sendToLobby', 'rename', 'lowerHandOf'];
const ON_MODERATOR_FORBIDDEN: Action[] = ['mute', 'stopMedia', 'remove', 'sendToLobby', 'setScreenShare'];
const ctx = { onlyChairUnmutes: false, chatEnabled: true };

describe('moderator-only actions', () => {
  for (const action of MODERATOR_ONLY) {
    for (const role of ROLES) {
      for (const targetRole of TARGETED.includes(action) ? ROLES : [null]) {
        const target = targetRole ? { id: 't', role: targetRole } : null;
        let expected = role === 'moderator';
        if (expected && targetRole === 'moderator' && ON_MODERATOR_FORBIDDEN.includes(action)) expected = false;
        if (expected && action === 'rename' && targetRole !== null && targetRole !== 'guest') expected = false;
        it(`${role} ${action}${targetRole ? ` on a ${targetRole}` : ''}: ${expected ? 'allowed' : 'forbidden'}`, () => {
          const d = can({ id: 'a', role }, action, target, ctx);
          expect(d.ok).toBe(expected);
          if (!d.ok) expect(d.reason).toMatch(new RegExp(`^${action}: `));
        });
      }
    }
  }

  it.each(['remove', 'sendToLobby', 'mute', 'stopMedia'] as Action[])('a moderator cannot %s themselves', (action) => {
    expect(can({ id: 'a', role: 'moderator' }, action, { id: 'a', role: 'moderator' }, ctx).ok).toBe(false);
  });
  it('a moderator can rename themselves', () => expect(can({ id: 'a', role: 'moderator' }, 'rename', { id: 'a', role: 'moderator' }, ctx).ok).toBe(true));
  it('a moderator can rename a phone participant, not a browser participant', () => {
    expect(can({ id: 'a', role: 'moderator' }, 'rename', { id: 'b', role: 'participant', channel: 'phone' }, ctx).ok).toBe(true);
    expect(can({ id: 'a', role: 'moderator' }, 'rename', { id: 'b', role: 'participant', channel: 'browser' }, ctx).ok).toBe(false);
  });
});

describe('actions about oneself', () => {
  it.each([
    // role, action, actor extras, context, allowed
    ['participant', 'chat', {}, ctx, true],
    ['guest', 'chat', {}, ctx, true],
    ['participant', 'chat', {}, { ...ctx, chatEnabled: false }, false],
    ['moderator', 'chat', {}, { ...ctx, chatEnabled: false }, true],
    ['guest', 'raiseHand', {}, ctx, true],
    ['guest', 'answerPoll', {}, ctx, true],
    ['participant', 'unmuteSelf', {}, ctx, true],
    ['participant', 'unmuteSelf', { mutedByChair: true }, ctx, true],
    ['participant', 'unmuteSelf', { mutedByChair: true }, { ...ctx, onlyChairUnmutes: true }, false],
    ['guest', 'unmuteSelf', { mutedByChair: true }, { ...ctx, onlyChairUnmutes: true }, false],
    ['participant', 'unmuteSelf', { mutedByChair: true, speaking: true }, { ...ctx, onlyChairUnmutes: true }, true],
    ['participant', 'unmuteSelf', { mutedByChair: false }, { ...ctx, onlyChairUnmutes: true }, true],
    ['moderator', 'unmuteSelf', { mutedByChair: true }, { ...ctx, onlyChairUnmutes: true }, true],
    ['participant', 'shareScreen', {}, ctx, true],
    ['moderator', 'shareScreen', {}, ctx, true],
    ['guest', 'shareScreen', {}, ctx, false],
    ['guest', 'shareScreen', { screenShare: true }, ctx, true],
    ['participant', 'shareScreen', { screenShare: false }, ctx, false],
  ] as [Role, Action, object, typeof ctx, boolean][])('%s %s %j %j -> %s', (role, action, extra, c, allowed) => {
    expect(can({ id: 'a', role, ...extra }, action, null, c).ok).toBe(allowed);
  });
});

describe('role changes', () => {
  it.each([
    [1, 'moderator', 'participant', false], [1, 'moderator', 'guest', false], [2, 'moderator', 'participant', true],
    [1, 'participant', 'moderator', true], [1, 'guest', 'participant', true], [1, 'moderator', 'moderator', true],
  ] as [number, Role, Role, boolean][])('%i moderator(s), %s -> %s: %s', (n, from, to, ok) => {
    expect(canChangeRole(n, from, to).ok).toBe(ok);
  });
});
