// Who was recorded when, from the event log: the recording's metadata and the minutes
// state it per participant, so a clerk can show that nobody was recorded without consent.
// Goals: derive it from the durable log alone (no second source of truth); a participant
// is recorded exactly while the recording runs and their last answer is yes.
import type { RecordingEvent } from './store.js';

export interface RecordedSpan { peerId: string; name: string; from: number; to: number }

export function recordedSpans(events: readonly RecordingEvent[], end: number): RecordedSpan[] {
  const spans: RecordedSpan[] = [];
  const consent = new Map<string, string>(); // peerId -> name, for those who said yes
  const open = new Map<string, number>(); // peerId -> since
  let running = false;
  const closeAll = (at: number) => {
    for (const [peerId, from] of open) spans.push({ peerId, name: consent.get(peerId) ?? '', from, to: at });
    open.clear();
  };
  for (const e of events) {
    switch (e.type) {
      case 'started': case 'resumed': case 'partStarted':
        running = true;
        for (const p of consent.keys()) if (!open.has(p)) open.set(p, e.at);
        break;
      case 'paused': case 'stopped': case 'interrupted':
        running = false;
        closeAll(e.at);
        break;
      case 'consentGiven':
        if (!e.peerId) break;
        consent.set(e.peerId, e.name ?? '');
        if (running && !open.has(e.peerId)) open.set(e.peerId, e.at);
        break;
      case 'consentDeclined': case 'consentWithdrawn': case 'left': {
        if (!e.peerId) break;
        const from = open.get(e.peerId);
        if (from !== undefined) spans.push({ peerId: e.peerId, name: consent.get(e.peerId) ?? e.name ?? '', from, to: e.at });
        open.delete(e.peerId);
        consent.delete(e.peerId);
        break;
      }
    }
  }
  closeAll(end);
  return spans.sort((a, b) => a.from - b.from || a.name.localeCompare(b.name));
}
