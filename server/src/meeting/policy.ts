// Who may do what: one pure function for every role check in the meeting. Handlers ask
// `can()` and refuse with `forbidden` when it says no; nothing else decides rights.
// Goals: moderators (chair, clerk) control the room; participants control only
// themselves; guests (the public) may listen, speak when allowed, and write in the chat,
// but not share their screen unless a moderator grants it.
import type { Role } from '../../../protocol/index.js';

export type Action =
  // about oneself
  | 'chat' | 'raiseHand' | 'unmuteSelf' | 'shareScreen' | 'answerPoll'
  // moderator actions, some on a target
  | 'setSettings' | 'admit' | 'reject' | 'setRole' | 'mute' | 'muteAll' | 'stopMedia' | 'setScreenShare'
  | 'remove' | 'sendToLobby' | 'rename' | 'endMeeting' | 'lowerHandOf' | 'lowerAllHands' | 'callSpeaker'
  | 'deleteChat' | 'createPoll' | 'closePoll' | 'openMotion' | 'closeMotion' | 'setMinutesWriter' | 'record';

export interface Actor {
  id: string;
  role: Role;
  /** The chair muted this person and only the chair unmutes (unless they are the called speaker). */
  mutedByChair?: boolean;
  /** A moderator granted (true) or revoked (false) screen sharing; undefined: role default. */
  screenShare?: boolean;
  /** This person is the called speaker right now. */
  speaking?: boolean;
}
export interface Target { id: string; role: Role; channel?: 'browser' | 'phone' }
export interface PolicyContext { onlyChairUnmutes: boolean; chatEnabled: boolean }

export type Decision = { ok: true } | { ok: false; reason: string };
const yes: Decision = { ok: true };
const no = (reason: string): Decision => ({ ok: false, reason });

const MODERATOR_ACTIONS = new Set<Action>([
  'setSettings', 'admit', 'reject', 'setRole', 'mute', 'muteAll', 'stopMedia', 'setScreenShare', 'remove', 'sendToLobby',
  'rename', 'endMeeting', 'lowerHandOf', 'lowerAllHands', 'callSpeaker', 'deleteChat', 'createPoll', 'closePoll', 'openMotion', 'closeMotion', 'setMinutesWriter', 'record',
]);
/** Moderator actions that may not be aimed at another moderator (chairs do not mute or remove each other). */
const NOT_ON_MODERATORS = new Set<Action>(['mute', 'stopMedia', 'remove', 'sendToLobby', 'setScreenShare']);

export function can(actor: Actor, action: Action, target: Target | null, ctx: PolicyContext): Decision {
  if (MODERATOR_ACTIONS.has(action)) {
    if (actor.role !== 'moderator') return no(`${action}: only moderators may do this`);
    if (target && target.id === actor.id && (action === 'remove' || action === 'sendToLobby' || action === 'mute' || action === 'stopMedia')) {
      return no(`${action}: not on yourself`);
    }
    if (target && target.role === 'moderator' && NOT_ON_MODERATORS.has(action)) return no(`${action}: not on another moderator`);
    // Guests and phone callers ("Phone …1234") get their real names from the chair.
    if (action === 'rename' && target && target.role !== 'guest' && target.channel !== 'phone' && target.id !== actor.id) return no('rename: only guests and phone participants can be renamed');
    return yes;
  }
  switch (action) {
    case 'chat':
      return ctx.chatEnabled || actor.role === 'moderator' ? yes : no('chat: the chair switched the chat off');
    case 'raiseHand':
    case 'answerPoll':
      return yes;
    case 'unmuteSelf':
      if (actor.role === 'moderator' || !actor.mutedByChair || !ctx.onlyChairUnmutes || actor.speaking) return yes;
      return no('unmute: only the chair can unmute you now; raise your hand to ask');
    case 'shareScreen':
      if (actor.screenShare !== undefined) return actor.screenShare ? yes : no('shareScreen: the chair revoked your screen sharing');
      return actor.role === 'guest' ? no('shareScreen: guests need the chair to allow screen sharing') : yes;
    default:
      return no(`${action}: unknown action`);
  }
}

/** A role change that would leave the meeting without a moderator is refused. */
export function canChangeRole(moderators: number, from: Role, to: Role): Decision {
  if (from === 'moderator' && to !== 'moderator' && moderators <= 1) return no('setRole: at least one moderator must remain');
  return yes;
}
