// The voice menu a caller walks through, as a pure state machine: digits in, actions out
// (play a prompt, check the meeting number and PIN, hang up; in the meeting: mute, hand,
// help, vote). Goals: German first with English one key away; three wrong attempts end
// the call; nothing a caller presses can do more than a browser participant could.
export type Lang = 'de' | 'en';
export type Prompt =
  | 'welcome' | 'enterRoom' | 'enterPin' | 'wrong' | 'goodbye' | 'waiting' | 'admitted' | 'rejected' | 'help'
  | 'muted' | 'unmuted' | 'unmuteRefused' | 'handUp' | 'handDown' | 'voteRecorded' | 'voteRefused' | 'recording' | 'ended' | 'tooMany';

export type IvrState =
  | { step: 'room'; lang: Lang; digits: string; attempts: number }
  | { step: 'pin'; lang: Lang; room: string; digits: string; attempts: number }
  | { step: 'checking'; lang: Lang; room: string; attempts: number }
  | { step: 'meeting'; lang: Lang; star: boolean }
  | { step: 'done'; lang: Lang };

export type IvrInput = { type: 'digit'; digit: string } | { type: 'checked'; ok: boolean };

export type IvrAction =
  | { type: 'play'; prompt: Prompt }
  | { type: 'check'; room: string; pin: string }
  | { type: 'hangup' }
  | { type: 'command'; command: 'mute' | 'hand' | 'help' }
  | { type: 'vote'; choice: number };

export const MAX_ATTEMPTS = 3;
const MAX_DIGITS = 16;

export function initialIvr(): { state: IvrState; actions: IvrAction[] } {
  return { state: { step: 'room', lang: 'de', digits: '', attempts: 0 }, actions: [{ type: 'play', prompt: 'welcome' }] };
}

export function ivrStep(s: IvrState, input: IvrInput): { state: IvrState; actions: IvrAction[] } {
  const play = (prompt: Prompt): IvrAction => ({ type: 'play', prompt });
  if (input.type === 'checked') {
    if (s.step !== 'checking') return { state: s, actions: [] };
    if (input.ok) return { state: { step: 'meeting', lang: s.lang, star: false }, actions: [] };
    const attempts = s.attempts + 1;
    if (attempts >= MAX_ATTEMPTS) return { state: { step: 'done', lang: s.lang }, actions: [play('goodbye'), { type: 'hangup' }] };
    return { state: { step: 'room', lang: s.lang, digits: '', attempts }, actions: [play('wrong')] };
  }
  const d = input.digit;
  switch (s.step) {
    case 'room':
      // "*" before any digit switches to English (and back), and the menu starts over.
      if (d === '*' && s.digits === '') return { state: { ...s, lang: s.lang === 'de' ? 'en' : 'de' }, actions: [play('enterRoom')] };
      if (d === '#') {
        if (s.digits === '') return { state: s, actions: [play('enterRoom')] };
        return { state: { step: 'pin', lang: s.lang, room: s.digits, digits: '', attempts: s.attempts }, actions: [play('enterPin')] };
      }
      if (!/^[0-9]$/.test(d) || s.digits.length >= MAX_DIGITS) return { state: s, actions: [] };
      return { state: { ...s, digits: s.digits + d }, actions: [] };
    case 'pin':
      if (d === '*') return { state: { ...s, digits: '' }, actions: [play('enterPin')] };
      if (d === '#') return { state: { step: 'checking', lang: s.lang, room: s.room, attempts: s.attempts }, actions: [{ type: 'check', room: s.room, pin: s.digits }] };
      if (!/^[0-9]$/.test(d) || s.digits.length >= MAX_DIGITS) return { state: s, actions: [] };
      return { state: { ...s, digits: s.digits + d }, actions: [] };
    case 'meeting':
      if (d === '*') return { state: { ...s, star: true }, actions: [] };
      if (s.star) {
        const command = d === '6' ? 'mute' : d === '9' ? 'hand' : d === '0' ? 'help' : null;
        return { state: { ...s, star: false }, actions: command ? [{ type: 'command', command }] : [] };
      }
      if (/^[1-9]$/.test(d)) return { state: s, actions: [{ type: 'vote', choice: Number(d) }] };
      return { state: s, actions: [] };
    default:
      return { state: s, actions: [] };
  }
}
