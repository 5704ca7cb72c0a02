// German and English UI strings. The language follows the browser, can be switched, and
// the choice persists. Missing German strings fall back to English. Feature folders keep
// their own strings (features/*/messages.ts); they are merged here.
import { meetingDe, meetingEn } from '../features/meeting/messages.js';
import { votesDe, votesEn } from '../features/votes/messages.js';
import { recordingDe, recordingEn } from '../features/recording/messages.js';
import { phoneDe, phoneEn } from '../features/phone/messages.js';

const coreEn = {
  appName: 'Thinline',
  tagline: 'Video meetings for councils and committees, made for weak networks.',
  newMeeting: 'New meeting',
  meetingName: 'Meeting name',
  creating: 'Creating…',
  linksTitle: 'Your meeting is ready',
  moderatorLink: 'Moderator link (keep it private)',
  participantLink: 'Participant link (share it)',
  copy: 'Copy',
  copied: 'Copied',
  openAsModerator: 'Join as moderator',
  yourName: 'Your name',
  camera: 'Camera',
  microphone: 'Microphone',
  noDevice: 'None',
  micLevel: 'Microphone level',
  join: 'Join meeting',
  preparing: 'Starting camera…',
  joining: 'Joining…',
  previewOff: 'Camera is off',
  mute: 'Mute microphone',
  unmute: 'Unmute microphone',
  cameraOff: 'Turn camera off',
  cameraOn: 'Turn camera on',
  leave: 'Leave',
  you: 'You',
  moderator: 'Moderator',
  muted: 'Microphone off',
  videoOff: 'Camera off',
  pausedBandwidth: 'Video paused: weak connection',
  pausedLastN: 'Video paused: too many videos at once',
  pin: 'Pin {name}',
  shareScreen: 'Share screen',
  stopShare: 'Stop sharing',
  screenOf: 'Screen of {name}',
  saveData: 'Save data',
  imageMode: 'Image mode',
  imageModeOf: 'Latest picture of {name}',
  debugTitle: 'Media debug (press D to close)',
  speaking: 'Speaking',
  quality: 'Connection',
  qualityGood: 'good',
  qualityFair: 'fair',
  qualityPoor: 'poor',
  reconnecting: 'Connection lost. Reconnecting…',
  left: 'You left the meeting.',
  rejoin: 'Rejoin',
  roomNotFound: 'This meeting does not exist. Check the link.',
  error: 'Something went wrong: {message}',
  joined: '{name} joined',
  leftRoom: '{name} left',
  participants: '{count} participants',
  language: 'Language',
  mediaDenied: 'Camera or microphone not available. You can join without them.',
  roomFull: 'This meeting is full. Please try again later.',
  roomEnded: 'The meeting has ended.',
  roomClosedMedia: 'The meeting was closed after a server fault. Please join again.',
  sessionReplaced: 'You joined this meeting in another window; this one has left.',
};
const en = { ...coreEn, ...meetingEn, ...votesEn, ...recordingEn, ...phoneEn };
export type MessageKey = keyof typeof en;
const coreDe: Partial<Record<keyof typeof coreEn, string>> = {
  tagline: 'Videokonferenzen für Räte und Ausschüsse, gemacht für schwache Netze.',
  newMeeting: 'Neue Besprechung',
  meetingName: 'Name der Besprechung',
  creating: 'Wird erstellt…',
  linksTitle: 'Ihre Besprechung ist bereit',
  moderatorLink: 'Moderationslink (vertraulich)',
  participantLink: 'Teilnahmelink (zum Weitergeben)',
  copy: 'Kopieren',
  copied: 'Kopiert',
  openAsModerator: 'Als Moderation beitreten',
  yourName: 'Ihr Name',
  camera: 'Kamera',
  microphone: 'Mikrofon',
  noDevice: 'Keine',
  micLevel: 'Mikrofonpegel',
  join: 'Besprechung beitreten',
  preparing: 'Kamera wird gestartet…',
  joining: 'Beitritt läuft…',
  previewOff: 'Kamera ist aus',
  mute: 'Mikrofon stummschalten',
  unmute: 'Mikrofon einschalten',
  cameraOff: 'Kamera ausschalten',
  cameraOn: 'Kamera einschalten',
  leave: 'Verlassen',
  you: 'Sie',
  moderator: 'Moderation',
  muted: 'Mikrofon aus',
  videoOff: 'Kamera aus',
  pausedBandwidth: 'Video pausiert: schwache Verbindung',
  pausedLastN: 'Video pausiert: zu viele Videos gleichzeitig',
  pin: '{name} anheften',
  shareScreen: 'Bildschirm teilen',
  stopShare: 'Teilen beenden',
  screenOf: 'Bildschirm von {name}',
  saveData: 'Datensparmodus',
  imageMode: 'Bildmodus',
  imageModeOf: 'Letztes Bild von {name}',
  debugTitle: 'Medien-Diagnose (D schließt)',
  speaking: 'Spricht',
  quality: 'Verbindung',
  qualityGood: 'gut',
  qualityFair: 'mittel',
  qualityPoor: 'schlecht',
  reconnecting: 'Verbindung unterbrochen. Verbinde neu…',
  left: 'Sie haben die Besprechung verlassen.',
  rejoin: 'Erneut beitreten',
  roomNotFound: 'Diese Besprechung gibt es nicht. Bitte prüfen Sie den Link.',
  error: 'Etwas ist schiefgelaufen: {message}',
  joined: '{name} ist beigetreten',
  leftRoom: '{name} hat die Besprechung verlassen',
  participants: '{count} Teilnehmende',
  language: 'Sprache',
  mediaDenied: 'Kamera oder Mikrofon nicht verfügbar. Sie können trotzdem beitreten.',
  roomFull: 'Diese Besprechung ist voll. Bitte versuchen Sie es später erneut.',
  roomEnded: 'Die Besprechung ist beendet.',
  roomClosedMedia: 'Die Besprechung wurde nach einem Serverfehler geschlossen. Bitte treten Sie erneut bei.',
  sessionReplaced: 'Sie sind dieser Besprechung in einem anderen Fenster beigetreten; dieses Fenster hat sie verlassen.',
};
const de: Partial<Record<MessageKey, string>> = { ...coreDe, ...meetingDe, ...votesDe, ...recordingDe, ...phoneDe };
export type Lang = 'en' | 'de';
const dictionaries: Record<Lang, Partial<Record<MessageKey, string>>> = { en, de };
const STORAGE_KEY = 'thinline.lang';

function initialLang(): Lang {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored === 'en' || stored === 'de') return stored;
  } catch { /* storage blocked */ }
  const nav = typeof navigator !== 'undefined' ? navigator.language : 'en';
  return nav.toLowerCase().startsWith('de') ? 'de' : 'en';
}

class I18n {
  lang = $state<Lang>(initialLang());

  set(lang: Lang): void {
    this.lang = lang;
    try { localStorage.setItem(STORAGE_KEY, lang); } catch { /* storage blocked */ }
    document.documentElement.lang = lang;
  }

  t = (key: MessageKey, params: Record<string, string | number> = {}): string => {
    const text = dictionaries[this.lang][key] ?? en[key];
    return text.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''));
  };
}

export const i18n = new I18n();
