/** How an option is written in the minutes (motions in German, as councils record them). */
export function optionWord(p: { type: 'motion' | 'election'; options: string[] }, i: number): string {
  return p.type === 'election' ? (p.options[i] ?? String(i)) : (['Ja', 'Nein', 'Enthaltung'][i] ?? String(i));
}
