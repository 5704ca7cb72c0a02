// What the caller hears, in German and English. Spoken by espeak-ng (Debian) at build time
// (scripts/prompts.mjs) and cached as 8 kHz WAV files; dynamic text (a motion's title) is
// spoken at run time the same way.
import type { Lang, Prompt } from './ivr.js';

export const PROMPTS: Record<Lang, Record<Prompt, string>> = {
  de: {
    welcome: 'Willkommen bei Thinline. For English, press star. Bitte geben Sie die Konferenznummer ein und drücken Sie dann die Raute-Taste.',
    enterRoom: 'Bitte geben Sie die Konferenznummer ein und drücken Sie dann die Raute-Taste.',
    enterPin: 'Bitte geben Sie die PIN ein und drücken Sie dann die Raute-Taste.',
    wrong: 'Konferenznummer oder PIN sind falsch. Bitte versuchen Sie es noch einmal.',
    goodbye: 'Die Eingaben waren leider dreimal falsch. Auf Wiederhören.',
    tooMany: 'Zu viele Fehlversuche. Bitte versuchen Sie es später noch einmal. Auf Wiederhören.',
    waiting: 'Sie sind im Warteraum. Die Sitzungsleitung lässt Sie gleich eintreten.',
    admitted: 'Sie sind jetzt in der Sitzung. Ihr Mikrofon ist stumm. Stern sechs schaltet es ein und aus, Stern neun meldet Sie zu Wort, Stern null gibt Hilfe.',
    rejected: 'Die Sitzungsleitung hat Sie nicht eingelassen. Auf Wiederhören.',
    help: 'Stern sechs: Mikrofon ein oder aus. Stern neun: Wortmeldung. Bei einer Abstimmung: eins für Ja, zwei für Nein, drei für Enthaltung.',
    muted: 'Ihr Mikrofon ist stumm.',
    unmuted: 'Ihr Mikrofon ist eingeschaltet.',
    unmuteRefused: 'Die Sitzungsleitung hat Sie stumm geschaltet. Melden Sie sich mit Stern neun zu Wort.',
    handUp: 'Ihre Wortmeldung ist eingetragen.',
    handDown: 'Ihre Wortmeldung ist zurückgezogen.',
    voteRecorded: 'Ihre Stimme wurde gezählt.',
    voteRefused: 'Ihre Stimme konnte nicht gezählt werden.',
    recording: 'Achtung: Diese Sitzung wird aufgezeichnet. Ihre Stimme wird nicht aufgezeichnet.',
    ended: 'Die Sitzung ist beendet. Auf Wiederhören.',
  },
  en: {
    welcome: 'Welcome to Thinline. Please enter the meeting number, then press the hash key.',
    enterRoom: 'Please enter the meeting number, then press the hash key.',
    enterPin: 'Please enter the PIN, then press the hash key.',
    wrong: 'The meeting number or PIN is wrong. Please try again.',
    goodbye: 'The input was wrong three times. Goodbye.',
    tooMany: 'Too many failed attempts. Please try again later. Goodbye.',
    waiting: 'You are in the waiting room. The chair will let you in shortly.',
    admitted: 'You are now in the meeting. Your microphone is muted. Star six mutes and unmutes, star nine raises your hand, star zero gives help.',
    rejected: 'The chair did not let you in. Goodbye.',
    help: 'Star six: microphone on or off. Star nine: raise or lower your hand. During a vote: one for yes, two for no, three to abstain.',
    muted: 'Your microphone is muted.',
    unmuted: 'Your microphone is on.',
    unmuteRefused: 'The chair has muted you. Press star nine to ask to speak.',
    handUp: 'Your hand is raised.',
    handDown: 'Your hand is lowered.',
    voteRecorded: 'Your vote has been counted.',
    voteRefused: 'Your vote could not be counted.',
    recording: 'Please note: this meeting is being recorded. Your voice is not recorded.',
    ended: 'The meeting has ended. Goodbye.',
  },
};
