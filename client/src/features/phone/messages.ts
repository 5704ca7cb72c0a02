// Phone dial-in strings, English and German.
export const phoneEn = {
  dialInTitle: 'Join by phone',
  dialInNumber: 'Call {number}',
  dialInNoNumber: 'Call the municipality\'s conference number',
  dialInId: 'Meeting number: {id} #',
  dialInPin: 'PIN: {pin} #',
  dialInKeys: 'On the phone: *6 microphone on/off, *9 raise or lower your hand, *0 help; in a vote 1 yes, 2 no, 3 abstain.',
  dialInRegenerate: 'New PIN',
  dialInRegenerated: 'The dial-in PIN was changed; the old one no longer works.',
  viaPhone: 'by phone',
};

export const phoneDe: Partial<Record<keyof typeof phoneEn, string>> = {
  dialInTitle: 'Per Telefon teilnehmen',
  dialInNumber: '{number} anrufen',
  dialInNoNumber: 'Die Konferenznummer der Verwaltung anrufen',
  dialInId: 'Konferenznummer: {id} #',
  dialInPin: 'PIN: {pin} #',
  dialInKeys: 'Am Telefon: *6 Mikrofon ein/aus, *9 Wortmeldung, *0 Hilfe; bei Abstimmungen 1 Ja, 2 Nein, 3 Enthaltung.',
  dialInRegenerate: 'Neue PIN',
  dialInRegenerated: 'Die Einwahl-PIN wurde geändert; die alte gilt nicht mehr.',
  viaPhone: 'per Telefon',
};
