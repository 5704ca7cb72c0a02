/** How an option is written in the minutes (motions in German, as councils record them). */
export function optionWord(p: { type: 'motion' | 'election'; options: string[] }, i: number): string {
  return p.type === 'election' ? (p.options[i] ?? String(i)) : (['Ja', 'Nein', 'Enthaltung'][i] ?? String(i));
}

/** The line the minutes get for a closed vote. */
export function minutesLine(title: string, p: { type: 'motion' | 'election'; options: string[] }, r: { counts: number[]; outcome: string; cast: number; eligible: number }): string {
  const tally = r.counts.map((c, i) => `${optionWord(p, i)} ${c}`).join(', ');
  return `[Abstimmung] ${title}: ${r.outcome} (${tally}; ${r.cast} von ${r.eligible})`;
}
