// Exports of the minutes: the text the writers wrote, then the attendance list and every
// vote with its outcome and tally (generated from the records, not typed), as Markdown or
// printable HTML; and the attendance report on its own (who was present when).
import type { RecordingEvent } from '../recording/store.js';
import type { MotionView } from '../../../protocol/index.js';
import type { AttendanceRecord } from '../meeting/stores.js';

const t = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16);
const role = (r: string) => (r === 'moderator' ? 'Moderation' : r === 'guest' ? 'Gast' : 'Mitglied');
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function attendanceLines(records: AttendanceRecord[]): string[] {
  return records.map((r) => `- ${r.name} (${role(r.role)}, ${r.channel === 'phone' ? 'Telefon' : 'Browser'}): ${t(r.joinedAt)} – ${r.leftAt ? t(r.leftAt) : 'anwesend'}`);
}

/** Present count after every join and leave: what quorum checks rest on. */
export function presenceTimeline(records: AttendanceRecord[]): { at: number; present: number }[] {
  const events = records.flatMap((r) => [{ at: r.joinedAt, d: 1 }, ...(r.leftAt ? [{ at: r.leftAt, d: -1 }] : [])]).sort((a, b) => a.at - b.at || b.d - a.d);
  let present = 0;
  return events.map((e) => ({ at: e.at, present: (present += e.d) }));
}

export function voteLines(motions: MotionView[]): string[] {
  return motions.filter((m) => m.state === 'closed' && m.result).map((m) => {
    const r = m.result!;
    const labels = m.type === 'election' ? m.options : ['Ja', 'Nein', 'Enthaltung'];
    return `- ${m.title} (${m.kind}, ${m.rule}): ${r.outcome}; ${r.counts.map((c, i) => `${labels[i] ?? i} ${c}`).join(', ')}; ${r.cast} von ${r.eligible} Stimmberechtigten`;
  });
}

const EVENT_WORDS: Record<RecordingEvent['type'], string> = {
  started: 'Aufzeichnung gestartet', paused: 'Aufzeichnung angehalten', resumed: 'Aufzeichnung fortgesetzt', stopped: 'Aufzeichnung beendet',
  interrupted: 'Aufzeichnung unterbrochen (Aufnahme-Browser getrennt)', partStarted: 'Aufzeichnung wieder aufgenommen (neuer Teil)',
  consentGiven: 'Einwilligung erteilt', consentDeclined: 'Einwilligung verweigert', consentWithdrawn: 'Einwilligung widerrufen', left: 'Sitzung verlassen (nicht mehr aufgezeichnet)',
};

/** The recording log for the minutes: who recorded, start/pause/stop, every consent answer. */
export function recordingLines(events: RecordingEvent[]): string[] {
  return events.map((e) => `- ${new Date(e.at).toISOString().slice(11, 19)} UTC: ${EVENT_WORDS[e.type]}${e.name ? ` (${e.name})` : ''}`);
}

export function markdown(room: string, body: string, attendance: AttendanceRecord[], motions: MotionView[], agenda: string[] = [], recording: RecordingEvent[] = []): string {
  return [`# Protokoll: ${room}`, '', ...(agenda.length ? ['## Tagesordnung', '', ...agenda.map((a, i) => `${i + 1}. ${a}`), ''] : []), body.trim(), '', '## Anwesenheit', '', ...attendanceLines(attendance), '', '## Abstimmungen', '', ...(voteLines(motions).length ? voteLines(motions) : ['- keine']), '',
    ...(recording.length ? ['## Aufzeichnung', '', ...recordingLines(recording), ''] : [])].join('\n');
}

export function html(room: string, body: string, attendance: AttendanceRecord[], motions: MotionView[], agenda: string[] = [], recording: RecordingEvent[] = []): string {
  const list = (lines: string[]) => `<ul>${lines.map((l) => `<li>${esc(l.slice(2))}</li>`).join('')}</ul>`;
  return `<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Protokoll: ${esc(room)}</title>` +
    `<style>body{font:14px/1.5 system-ui,sans-serif;margin:2rem;max-width:50rem}pre{white-space:pre-wrap;font:inherit}</style></head><body>` +
    `<h1>Protokoll: ${esc(room)}</h1>${agenda.length ? `<h2>Tagesordnung</h2><ol>${agenda.map((a) => `<li>${esc(a)}</li>`).join('')}</ol>` : ''}<pre>${esc(body.trim())}</pre><h2>Anwesenheit</h2>${list(attendanceLines(attendance))}` +
    `<h2>Abstimmungen</h2>${voteLines(motions).length ? list(voteLines(motions)) : '<p>keine</p>'}` +
    `${recording.length ? `<h2>Aufzeichnung</h2>${list(recordingLines(recording))}` : ''}</body></html>`;
}

export function attendanceReport(room: string, attendance: AttendanceRecord[]): string {
  return [`# Anwesenheit: ${room}`, '', ...attendanceLines(attendance), '', '## Anwesende im Zeitverlauf', '',
    ...presenceTimeline(attendance).map((p) => `- ${t(p.at)}: ${p.present} anwesend`), ''].join('\n');
}
