// `npm run verify -- report.json [--key PUBKEY.pem] [--lang de|en]`: checks a Thinline vote
// report. Exit 0 valid, 1 invalid, 2 unreadable.
import { readFileSync } from 'node:fs';
import type { VoteReport } from '../protocol/votes.js';
import { verifyReport } from './verify.js';

const args = process.argv.slice(2);
const opt = (name: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
const lang = opt('lang') === 'de' || (!opt('lang') && (process.env.LANG ?? '').startsWith('de')) ? 'de' : 'en';
const file = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
const say = (en: string, de: string) => console.log(lang === 'de' ? de : en);

if (!file) {
  say('usage: npm run verify -- report.json [--key PUBKEY.pem] [--lang de|en]', 'Aufruf: npm run verify -- protokoll.json [--key SCHLUESSEL.pem] [--lang de|en]');
  process.exit(2);
}
let report: VoteReport;
let key: string | undefined;
try {
  report = JSON.parse(readFileSync(file, 'utf8')) as VoteReport;
  const keyArg = opt('key');
  key = keyArg ? readFileSync(keyArg, 'utf8') : undefined;
} catch (e) {
  say(`UNREADABLE: ${(e as Error).message}`, `NICHT LESBAR: ${(e as Error).message}`);
  process.exit(2);
}
let verdict;
try {
  verdict = verifyReport(report, key);
} catch (e) {
  say(`UNREADABLE: the report is malformed (${(e as Error).message})`, `NICHT LESBAR: das Protokoll ist fehlerhaft (${(e as Error).message})`);
  process.exit(2);
}
for (const f of verdict.findings) say(`${f.ok ? '  ok   ' : '  FAIL '} ${f.en}`, `${f.ok ? '  ok   ' : '  FEHLER'} ${f.de}`);
say(verdict.valid ? `VALID: motion ${report.motionId} — the record is complete, unchanged and correctly counted.` : `INVALID: motion ${report.motionId} — do not rely on this record.`,
  verdict.valid ? `GÜLTIG: Antrag ${report.motionId} — das Protokoll ist vollständig, unverändert und richtig ausgezählt.` : `UNGÜLTIG: Antrag ${report.motionId} — diesem Protokoll ist nicht zu trauen.`);
process.exit(verdict.valid ? 0 : 1);
